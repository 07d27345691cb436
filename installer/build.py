"""Build the officers' program and the provincial server as folder bundles, and pack them.

    .venv/bin/python installer/build.py                       # both bundles into dist/
    .venv/bin/python installer/build.py --only desktop --dist /tmp/out --work /tmp/work
    .venv\\Scripts\\python installer\\build.py --setup          # Windows: and the setup program (Inno Setup)

Linux:   dist/labour-survey/ (with install.sh, uninstall.sh, the menu entry and the icon), packed
         as dist/labour-survey-<version>-linux-x86_64.tar.gz; dist/labour-survey-server/, packed
         as dist/labour-survey-server-<version>-linux-x86_64.tar.gz.
Windows: dist\\labour-survey\\ (labour-survey.exe, labour-survey-cli.exe), with --setup
         dist\\labour-survey-<version>-setup.exe; dist\\labour-survey-server-<version>-windows-x86_64.zip.

A bundle runs on the operating system it was built on and newer ones: build the Linux bundle on
the oldest distribution the officers use (its C library), the Windows one on Windows.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "labour-survey.spec"
LINUX_FILES = ["installer/linux/install.sh", "installer/linux/uninstall.sh", "installer/linux/labour-survey.desktop",
               "resources/icons/labour-survey.png"]
ISS = ROOT / "installer" / "windows" / "labour-survey.iss"
ISCC_PLACES = [r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe", r"C:\Program Files\Inno Setup 6\ISCC.exe"]


def version() -> str:
    """The program's version, as `labour-survey --version` prints it."""
    sys.path.insert(0, str(ROOT))
    from forms import __version__

    return __version__


def system_tag() -> str:
    osname = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(),
                                                                         platform.machine().lower())
    return f"{osname}-{machine}"


def pyinstaller(dist: Path, work: Path, only: str | None, log_level: str, clean: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", log_level,
               "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    command.append(str(SPEC))
    if only:
        command += ["--", "--only", only]
    return subprocess.Popen(command, cwd=ROOT)


def build(dist: Path, work: Path, only: str | None, log_level: str, clean: bool) -> None:
    """Both bundles at once when there are cores for it (PyInstaller uses one): each its own
    work folder, as both come from the same spec."""
    parts = [only] if only else ["desktop", "server"]
    if len(parts) > 1 and (os.cpu_count() or 1) < 2:
        parts = [None]
    running = [pyinstaller(dist, work / (part or "both"), part, log_level, clean) for part in parts]
    failed = [p.args for p in running if p.wait() != 0]
    if failed:
        raise SystemExit(f"PyInstaller failed: {failed}")


def finish_linux_desktop(bundle: Path) -> None:
    """Put the installer scripts, the menu entry and the icon beside the program."""
    for name in LINUX_FILES:
        source = ROOT / name
        shutil.copy2(source, bundle / source.name)
    for script in ("install.sh", "uninstall.sh"):
        (bundle / script).chmod(0o755)


def remove_dangling_links(bundle: Path) -> None:
    """Links to libraries the spec pruned (see prune() there) would point nowhere."""
    for path in bundle.rglob("*"):
        if path.is_symlink() and not path.exists():
            path.unlink()


def tarball(bundle: Path, target: Path, top: str) -> Path:
    """A .tar.gz whose one top folder is `top`; file modes and links are kept."""
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top)
    partial.replace(target)
    return target


def zip_folder(bundle: Path, target: Path, top: str) -> Path:
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(bundle.rglob("*")):
            zf.write(path, Path(top) / path.relative_to(bundle))
    partial.replace(target)
    return target


def find_iscc(given: str | None) -> str:
    for candidate in [given, shutil.which("ISCC"), shutil.which("iscc"), *ISCC_PLACES]:
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("Inno Setup's ISCC.exe not found: install Inno Setup 6 (https://jrsoftware.org/isinfo.php) "
                     "or give --iscc PATH")


def setup_exe(dist: Path, ver: str, iscc: str) -> Path:
    subprocess.run([iscc, f"/DAppVersion={ver}", f"/DBundleDir={dist / 'labour-survey'}", f"/O{dist}",
                    str(ISS)], check=True, cwd=ROOT)
    return dist / f"labour-survey-{ver}-setup.exe"


def size(path: Path) -> str:
    total = path.stat().st_size if path.is_file() else sum(
        p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return f"{total / 2**20:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["desktop", "server"], help="build one bundle (default: both)")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundles go (default: %(default)s)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                   help="PyInstaller's working folder, reused by the next build (default: %(default)s)")
    p.add_argument("--no-archive", action="store_true", help="leave the folders, make no .tar.gz or .zip")
    p.add_argument("--setup", action="store_true", help="Windows: also make the setup program with Inno Setup")
    p.add_argument("--iscc", help="Windows: the path of Inno Setup's ISCC.exe (default: searched)")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    p.add_argument("--verbose", action="store_true", help="PyInstaller's full log")
    args = p.parse_args(argv)
    if args.setup and (os.name != "nt" or args.only == "server"):
        p.error("--setup makes the Windows setup program of the officers' bundle: on Windows, not with --only server")
    iscc = find_iscc(args.iscc) if args.setup else None  # before the long build, not after it

    ver, tag = version(), system_tag()
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.monotonic()
    build(dist, work, args.only, "INFO" if args.verbose else "WARN", args.clean)
    made: list[Path] = []
    for name in ("labour-survey", "labour-survey-server"):
        if args.only and name != {"desktop": "labour-survey", "server": "labour-survey-server"}[args.only]:
            continue
        bundle = dist / name
        if os.name != "nt":
            remove_dangling_links(bundle)
        if name == "labour-survey" and sys.platform.startswith("linux"):
            finish_linux_desktop(bundle)
        made.append(bundle)
        if args.no_archive:
            continue
        if os.name == "nt":
            if name == "labour-survey-server":  # the program itself goes out as the setup program
                made.append(zip_folder(bundle, dist / f"{name}-{ver}-{tag}.zip", f"{name}-{ver}"))
        else:
            made.append(tarball(bundle, dist / f"{name}-{ver}-{tag}.tar.gz", f"{name}-{ver}"))
    if iscc:
        made.append(setup_exe(dist, ver, iscc))
    print(f"labour-survey {ver} built in {time.monotonic() - started:.0f} s:")
    for path in made:
        print(f"  {path}  ({size(path)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
