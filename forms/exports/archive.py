"""The export protected by a passphrase: every file of an export (households and members in
each format, and the codebook) inside ONE 7z archive encrypted with AES-256, names included.

Why 7z (py7zr) and not a WinZip-AES zip (pyzipper): 7-Zip, the archiver district offices have
on their Windows PCs, opens both by asking for the passphrase, but only 7z can encrypt the
list of file names too (header encryption), and its key derivation (2^19 rounds of SHA-256) costs
a guesser far more than WinZip-AES's 1,000 rounds of PBKDF2-SHA1. py7zr is actively maintained,
pure Python over wheels (pycryptodomex, LZMA from the standard library) for Windows and Linux.

Nothing in clear reaches the destination folder (often a USB stick): only encrypted bytes are
written there, to a temporary name renamed at the end. The clear files are built in memory
(CSV, Excel, the codebook), except what a library insists on writing to a path: pyreadstat
writes SPSS and Stata files only to a path, and openpyxl spills each sheet's XML to a temporary
file. Those go to a private scratch folder that is in RAM where the system has one (/dev/shm on
Linux) and otherwise in the system's temporary folder on the laptop's own disk (where the
officer's database is anyway), never on the destination; each file there is overwritten with
zeros and deleted as soon as it is in the archive, and the folder is removed whatever happens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from forms.definition import Definition
from forms.exports.files import FORMATS, ExportResult, PlannedFile, WrittenFile, check_formats, plan_files
from forms.exports.tables import build_tables
from forms.exports.variables import ExportError
from forms.i18n import Message, message

ENV_PASSPHRASE = "LABOUR_SURVEY_EXPORT_PASSPHRASE"  # for scripts, instead of asking twice
SUFFIX = ".7z"
# LZMA2's fastest level: 10,000 households (61 MB in clear, all four formats) give 12.1 MB in
# 4-7 s more than the files in clear; level 7 (py7zr's default) gives 9.6 MB in 28 s more.
LZMA_PRESET = 1
SCRATCH_PREFIX = "labour-survey-export-"
SCRATCH_RAM_NEEDED = 512 * 1024 * 1024  # the largest clear file plus openpyxl's sheet XML, with room
STALE_AFTER = 24 * 3600  # a scratch folder this old was left by a killed export
_EXAMPLES = {"luachinvang2026", "ripericefield2026"}  # the examples of exports_passphrase_short


def passphrase_problems(passphrase: str, repeated: str | None = None) -> list[Message]:
    """Why a passphrase for an export is refused (empty if accepted): the rules of the profile
    passphrase, and printable ASCII only. Someone else types it into 7-Zip on another PC, where
    a Vietnamese keyboard may give other bytes for the same letter (TCVN3, decomposed Unicode):
    an archive whose passphrase cannot be typed there is lost."""
    from forms.profiles import MIN_LENGTH
    from forms.profiles import passphrase_problems as profile_problems

    # The profile's advice on length has an example with diacritics, which an export refuses.
    problems = [message("exports_passphrase_short", n=MIN_LENGTH) if p == message("security_weak_short", n=MIN_LENGTH)
                else p for p in profile_problems(passphrase)]
    if not problems and "".join(passphrase.lower().split()) in _EXAMPLES:  # examples get copied
        problems.append(message("security_weak_common"))
    if any(not " " <= c <= "~" for c in passphrase):
        problems.append(message("exports_passphrase_not_ascii"))
    if repeated is not None and repeated != passphrase:
        problems.append(message("security_mismatch"))
    return problems


def archive_path(output: str | Path, now: dt.datetime | None = None) -> Path:
    """The archive for `-o output`: output itself when it ends in .7z, otherwise a new
    statistics-YYYYMMDD-HHMMSS.7z in the folder `output` (never an earlier export's name)."""
    output = Path(output).absolute()
    if output.suffix.lower() == SUFFIX:
        return output
    stem = f"statistics-{(now or dt.datetime.now()):%Y%m%d-%H%M%S}"
    path = output / f"{stem}{SUFFIX}"
    n = 2
    while path.exists():
        path = output / f"{stem}-{n}{SUFFIX}"
        n += 1
    return path


def export_archive(definitions: Sequence[Definition], records: Iterable[dict[str, Any]], destination: str | Path,
                   passphrase: str, *, formats: Sequence[str] = FORMATS, lang: str = "vi", labels: bool = False,
                   excel_text: bool = False, calculations: bool = True,
                   progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write the export's files (as forms.exports.export_files would) into the encrypted 7z
    archive `destination`. The result's `archive` is its absolute path; its files' paths are
    their names inside the archive. The archive is written whole or not at all.

    A passphrase that passphrase_problems refuses raises ExportError (the command line and the
    window check it before reading any household, to say why at once)."""
    check_formats(formats)
    problems = passphrase_problems(passphrase)
    if problems:
        raise ExportError(problems[0])
    import py7zr

    destination = Path(destination).absolute()
    destination.parent.mkdir(parents=True, exist_ok=True)
    tables = build_tables(definitions, records, calculations=calculations)
    result = ExportResult(households=tables.households, problems=tables.problems, archive=destination)
    planned = plan_files(tables, formats, lang=lang, labels=labels, excel_text=excel_text)
    filters = [{"id": py7zr.FILTER_LZMA2, "preset": LZMA_PRESET}, {"id": py7zr.FILTER_CRYPTO_AES256_SHA256}]
    part = destination.with_name(f".{destination.name}.part")
    try:
        with scratch_folder() as scratch, open(part, "wb") as fh:
            with py7zr.SevenZipFile(fh, "w", password=passphrase, header_encryption=True, filters=filters) as archive:
                for item in planned:
                    if progress:
                        progress(item.name)
                    archive.writestr(_produce(item, scratch), item.name)
                    result.files.append(WrittenFile(Path(item.name), item.level, item.format, item.rows))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return result


def read_archive(path: str | Path, passphrase: str) -> dict[str, bytes]:
    """Every file of an export archive, by name; ExportError when the passphrase is wrong or the
    file is not such an archive. (The statistician uses 7-Zip; this is for checks and tests.)"""
    import py7zr
    from py7zr.io import BytesIOFactory

    try:
        with py7zr.SevenZipFile(path, "r", password=passphrase) as archive:
            factory = BytesIOFactory(limit=2**40)
            archive.extractall(factory=factory)
            out: dict[str, bytes] = {}
            for name in archive.getnames():
                stream = factory.get(name)
                stream.seek(0)
                out[name] = stream.read()
            return out
    except OSError:
        raise
    except Exception:  # a wrong key gives garbage that py7zr fails on in many ways (TypeError, LZMAError...)
        raise ExportError(message("exports_archive_unreadable", path=path)) from None


def _produce(item: PlannedFile, scratch: Path) -> bytes:
    """One file's bytes, built in memory, or in the scratch folder for a writer that needs a
    path (wiped at once)."""
    if not item.needs_path:
        buffer = io.BytesIO()
        with openpyxl_temporaries_in(scratch):
            item.write(buffer)
        return buffer.getvalue()
    path = scratch / item.name
    try:
        item.write(path)
        return path.read_bytes()
    finally:
        wipe(path)


# -- the scratch folder -------------------------------------------------------------------------
def scratch_base() -> Path:
    """Where scratch folders go: RAM (a tmpfs) when there is one with room, otherwise the
    system's temporary folder."""
    shm = Path("/dev/shm")
    if sys.platform.startswith("linux") and shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        with contextlib.suppress(OSError):
            st = os.statvfs(shm)
            if st.f_bavail * st.f_frsize >= SCRATCH_RAM_NEEDED:
                return shm
    return Path(tempfile.gettempdir())


@contextlib.contextmanager
def scratch_folder(base: Path | None = None) -> Iterator[Path]:
    """A private folder (mode 0700) for clear files on their way into the archive; every file
    in it is wiped and the folder removed on the way out, also after an error or a cancel."""
    base = base or scratch_base()
    _remove_stale(base)
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=base))
    try:
        yield folder
    finally:
        _wipe_tree(folder)


def wipe(path: Path) -> None:
    """Overwrite a file with zeros, then delete it. On a RAM folder that is the end of it; on a
    disk it leaves no readable file behind, though an SSD may keep old blocks a while."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            zeros = bytes(1 << 20)
            for start in range(0, size, len(zeros)):
                fh.write(zeros[:min(len(zeros), size - start)])
            fh.flush()
            os.fsync(fh.fileno())
    except FileNotFoundError:
        return
    except OSError:
        pass  # still delete it
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _wipe_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            wipe(path)
    shutil.rmtree(folder, ignore_errors=True)


def _remove_stale(base: Path) -> None:
    """Scratch folders of exports killed mid-way (power cut, task manager): wiped at the next
    export. Only old ones: a folder of an export running now is recent."""
    with contextlib.suppress(OSError):
        for folder in base.glob(SCRATCH_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if folder.is_dir() and not folder.is_symlink() and time.time() - folder.stat().st_mtime > STALE_AFTER:
                    _wipe_tree(folder)


# -- openpyxl's own temporary files ----------------------------------------------------------------
_local = threading.local()
_patch_lock = threading.Lock()
_patched = False


@contextlib.contextmanager
def openpyxl_temporaries_in(folder: Path) -> Iterator[None]:
    """openpyxl writes each sheet's XML (every name and citizen ID, uncompressed) to a file in
    the system's temporary folder before zipping it, and deletes it without overwriting. While
    this is active, in this thread only, those files go to `folder` and are wiped."""
    _redirect_openpyxl()
    previous = getattr(_local, "folder", None)
    _local.folder = folder
    try:
        yield
    finally:
        _local.folder = previous


def _redirect_openpyxl() -> None:
    global _patched
    with _patch_lock:
        if _patched:
            return
        from openpyxl.worksheet import _writer

        original_create = _writer.create_temporary_file
        original_cleanup = _writer.WorksheetWriter.cleanup

        def create_temporary_file(suffix: str = "") -> str:
            folder = getattr(_local, "folder", None)
            if folder is None:
                return original_create(suffix)
            fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=folder)
            os.close(fd)
            _writer.ALL_TEMP_FILES.append(name)  # as the original does: its cleanup removes it from there
            return name

        def cleanup(self: Any) -> None:
            folder = getattr(_local, "folder", None)
            if folder is not None and isinstance(self.out, str) and Path(self.out).parent == folder:
                wipe(Path(self.out))
                with contextlib.suppress(ValueError):
                    _writer.ALL_TEMP_FILES.remove(self.out)
                return
            original_cleanup(self)

        _writer.create_temporary_file = create_temporary_file
        _writer.WorksheetWriter.cleanup = cleanup
        _patched = True


__all__ = ["ENV_PASSPHRASE", "archive_path", "export_archive", "openpyxl_temporaries_in", "passphrase_problems",
           "read_archive", "scratch_folder", "wipe"]
