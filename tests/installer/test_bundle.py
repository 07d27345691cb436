"""The Linux bundles, built as CI builds them (installer/build.py, PyInstaller) and used as an
officer and a province would: the program's self-test offscreen, its command line (an import
big enough to start worker processes), the server answering /health, a household sent from
the program's bundle to the server's, and install.sh: install, open the previous version's
data, upgrade in place, uninstall, the data kept throughout.

One build for the module (1.5 to 3 minutes on two cores: both bundles at once)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from forms import __version__
from tests import factories
from tests.installer.test_spec import spec_list

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built on Linux")]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "profile-v4.sqlite"
TAG = "linux-x86_64"
PASSPHRASE = "nui rung xanh tham 88"  # a profile a command makes is encrypted (real Argon2id)


@dataclass
class Built:
    dist: Path
    seconds: float

    @property
    def program(self) -> Path:
        return self.dist / "labour-survey" / "labour-survey"

    @property
    def server(self) -> Path:
        return self.dist / "labour-survey-server" / "labour-survey-server"

    def tarball(self, name: str) -> Path:
        return self.dist / f"{name}-{__version__}-{TAG}.tar.gz"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "installer/build.py", "--dist", str(out / "dist"), "--work", str(out / "work")],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return Built(out / "dist", time.monotonic() - started)


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: offscreen Qt, a HOME of the test's own, the default language."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    environ = {k: v for k, v in os.environ.items() if k in keep}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environ.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", **extra)
    return environ


def run(command: list[str | Path], environ: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], env=environ, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, stdin=subprocess.DEVNULL)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def data_files(*packages: str) -> set[str]:
    """The files a package ships beside its code (what the program reads at run time)."""
    return {str(p.relative_to(ROOT)) for package in packages for p in (ROOT / package).rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


def test_archives_and_layout(built: Built) -> None:
    desktop, server = built.program.parent, built.server.parent
    for name in ("labour-survey", "labour-survey-server"):
        with tarfile.open(built.tarball(name)) as tar:
            names = tar.getnames()
        assert {n.split("/")[0] for n in names} == {f"{name}-{__version__}"}
        assert f"{name}-{__version__}/{name}" in names
    for extra in ("install.sh", "uninstall.sh", "labour-survey.desktop", "labour-survey.png"):
        assert (desktop / extra).is_file(), extra
    assert os.access(desktop / "install.sh", os.X_OK)
    # Every data file of the packages: code lists, translations, fonts, questionnaires, the
    # server's page templates.
    for folder, packages in ((desktop, ("resources", "forms")), (server, ("resources", "forms", "sync"))):
        missing = {f for f in data_files(*packages) if not (folder / "_internal" / f).is_file()}
        assert missing == set(), (folder.name, sorted(missing)[:10])
    # Lean: what the spec leaves out of each bundle is not there, nor test tools, nor Qt's translations.
    left_out = {desktop: spec_list("SERVER_ONLY"), server: spec_list("DESKTOP_ONLY")}
    for folder, names in left_out.items():
        present = [n for n in [*names, "pytest", "_pytest", "hypothesis"] if (folder / "_internal" / n).exists()]
        assert present == [], folder.name
    assert not list(desktop.glob("_internal/PySide6/Qt/translations/*"))
    assert not [p for p in desktop.rglob("*") if p.is_symlink() and not p.exists()]  # no dangling links


def test_self_test_in_vietnamese(built: Built, tmp_path: Path) -> None:
    data = tmp_path / "officer-data"
    done = run([built.program, "--self-test"], env(tmp_path, LABOUR_SURVEY_DATA=str(data)))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 11 and all(line.startswith("OK   ") for line in lines[:10]), done.stdout
    for check in ("Bản dịch", "Phông chữ", "Danh mục quốc gia", "Bảng hỏi", "Lưu và đọc lại một hộ", "Tìm kiếm không dấu",
                  "In phiếu PDF", "Xuất dữ liệu có mật khẩu", "Chứng chỉ kết nối máy chủ tỉnh",
                  "Cửa sổ chương trình (Qt)"):
        assert any(line.startswith(f"OK   {check}: ") for line in lines), check
    assert lines[-1] == "Tất cả 10 phép kiểm tra đều đạt: chương trình đã được cài đặt đúng."
    assert not data.exists()


def test_self_test_in_english_and_version(built: Built, tmp_path: Path) -> None:
    done = run([built.program, "--lang", "en", "--self-test"], env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    printed = re.search(r"^OK   PDF printing: household form TU-KIEM-TRA-01: (\d+) pages", done.stdout, re.MULTILINE)
    assert printed and int(printed.group(1)) >= 3, done.stdout  # the household of three, English runs longer
    assert done.stdout.splitlines()[-1] == "All 10 checks passed: the program is installed correctly."
    version = run([built.program, "--version"], env(tmp_path))
    assert (version.returncode, version.stdout.strip()) == (0, f"labour-survey {__version__}")


def test_a_large_import_runs_its_worker_processes(built: Built, tmp_path: Path) -> None:
    """600 lines: parsed in 'spawn' worker processes, each the frozen program started again."""
    source = write_jsonl(tmp_path / "village.jsonl", factories.generated(600))
    data = tmp_path / "data"
    # (timeout: a worker process that ran the command line instead of its work would hang the import)
    done = run([built.program, "--lang", "en", "--data-dir", data, "households", "import", source],
               env(tmp_path, LABOUR_SURVEY_PASSPHRASE=PASSPHRASE), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Imported 600 new household(s)" in done.stdout
    found = run([built.program, "--lang", "en", "--data-dir", data, "households", "search", "HT-000599"],
                env(tmp_path, LABOUR_SURVEY_PASSPHRASE=PASSPHRASE))
    assert found.returncode == 0 and "HT-000599" in found.stdout


@pytest.fixture
def server(built: Built, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The server bundle on 127.0.0.1 with a port the system chose; (its URL, its database URL)."""
    db = f"sqlite:///{tmp_path / 'province.sqlite'}"
    proc = subprocess.Popen([str(built.server), "--db", db, "serve", "--port", "0"], env=env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        # The server speaks Vietnamese by default, as the province's administrators do.
        match = re.search(r"đang chạy tại (http://127\.0\.0\.1:\d+)", line)
        assert match, f"{line!r} {proc.stderr.read() if proc.poll() is not None and proc.stderr else ''}"
        yield match.group(1), db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_server_answers_and_receives_a_household_from_the_program(built: Built, server: tuple[str, str],
                                                                   tmp_path: Path) -> None:
    url, db = server
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as response:
                health = json.loads(response.read())
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert health == {"status": "ok", "version": __version__}

    environ = env(tmp_path, LABOUR_SURVEY_PASSPHRASE=PASSPHRASE)  # the laptop's new profile is encrypted
    added = run([built.server, "--db", db, "officers", "add", "lan", "--name", "Nguyễn Thị Lan", "--communes", "14797"],
                environ)
    assert added.returncode == 0, added.stderr
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", added.stdout)
    assert code, added.stdout
    data = tmp_path / "laptop"
    laptop = [built.program, "--lang", "en", "--data-dir", data]
    source = write_jsonl(tmp_path / "one.jsonl", [dict(factories.household(), status="complete")])
    for args in (["households", "import", source], ["enroll", url, code.group(0)], ["sync"]):
        done = run([*laptop, *args], environ)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    received = run([built.server, "--db", db, "households", "list"], environ)
    assert received.returncode == 0 and "HT-0001" in received.stdout, received.stdout + received.stderr


def test_install_open_old_data_upgrade_and_uninstall(built: Built, tmp_path: Path) -> None:
    environ = env(tmp_path)
    home = Path(environ["HOME"])
    (home / "Desktop").mkdir()
    # The previous version's data, where the program keeps it (platformdirs on Linux).
    profile = home / ".local" / "share" / "labour-survey" / "profiles" / "default" / "households.sqlite"
    profile.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURE, profile)

    unpacked = tmp_path / "download"
    with tarfile.open(built.tarball("labour-survey")) as tar:
        tar.extractall(unpacked, filter="tar")
    install = unpacked / f"labour-survey-{__version__}" / "install.sh"
    done = run(["sh", install], environ, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Tất cả 10 phép kiểm tra đều đạt" in done.stdout  # install.sh ends with the self-test

    prefix = home / ".local" / "opt" / "labour-survey"
    entry = (home / ".local" / "share" / "applications" / "labour-survey.desktop").read_text(encoding="utf-8")
    assert f'Exec="{prefix}/labour-survey"' in entry and f"Icon={prefix}/labour-survey.png" in entry
    assert (prefix / "labour-survey.png").is_file()
    assert (home / "Desktop" / "labour-survey.desktop").read_text(encoding="utf-8") == entry
    command = home / ".local" / "bin" / "labour-survey"
    assert command.resolve() == (prefix / "labour-survey").resolve()

    listed = run([command, "--lang", "en", "households", "list"], environ)  # opens and migrates the old profile
    assert listed.returncode == 0, listed.stderr
    assert all(f"HT-000{n}" in listed.stdout for n in (1, 2, 3, 5, 6)) and "HT-0004" not in listed.stdout

    # Upgrade in place (the same bundle stands in for a newer one): the data stays.
    done = run(["sh", install, "--no-self-test"], environ, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not list(prefix.parent.glob("labour-survey.*"))  # no .new or .old folder left behind
    found = run([command, "--lang", "en", "households", "search", "ngo quy duc"], environ)
    assert found.returncode == 0 and "HT-0005" in found.stdout, found.stdout + found.stderr

    done = run(["sh", prefix / "uninstall.sh"], environ)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not prefix.exists() and not command.is_symlink()
    assert not (home / ".local" / "share" / "applications" / "labour-survey.desktop").exists()
    assert profile.is_file()  # the officer's data is never removed
