"""The export protected by a passphrase: one 7z archive (AES-256, names hidden) that opens with
the passphrase, read back with its value labels, and refuses a wrong one; nothing in clear is
written anywhere but the wiped scratch folder."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest

from forms.definition import Definition
from forms.exports import ExportError
from forms.exports import archive as encrypted
from tests import factories as fx

PASSPHRASE = "district office 2026"
NAME = "Đặng Văn Hùng"
CITIZEN_ID = fx.citizen_id(1975, "1", serial=1)  # Hùng's, 12 digits
ALL_FILES = {"households.csv", "members.csv", "households.xlsx", "members.xlsx", "households.sav", "members.sav",
             "households.dta", "members.dta", "codebook.xlsx"}


def unpack(archive: Path, passphrase: str, folder: Path) -> Path:
    """The archive's files into `folder` (pyreadstat reads from a path)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in encrypted.read_archive(archive, passphrase).items():
        (folder / name).write_bytes(data)
    return folder


def assert_no_personal_data_in_clear(raw: bytes) -> None:
    assert CITIZEN_ID == "038075000001"
    for text in (NAME, CITIZEN_ID, "members.sav"):  # 7z keeps file names in UTF-16: hidden too
        assert text.encode("utf-8") not in raw and text.encode("utf-16-le") not in raw, text


@pytest.fixture
def archive(tmp_path: Path, definition: Definition, records: list[dict[str, Any]]) -> Path:
    written: list[str] = []
    result = encrypted.export_archive([definition], records, tmp_path / "usb" / "lan.7z", PASSPHRASE,
                                      progress=written.append)
    assert result.archive == tmp_path / "usb" / "lan.7z" and result.households == 21
    assert {str(f.path) for f in result.files} == ALL_FILES and written == [str(f.path) for f in result.files]
    assert [p.name for p in (tmp_path / "usb").iterdir()] == ["lan.7z"]  # no .part left, nothing in clear beside
    return result.archive


def test_the_archive_opens_with_the_passphrase_and_holds_every_file_with_labels(archive: Path, tmp_path: Path,
                                                                                records: list[dict[str, Any]]) -> None:
    out = unpack(archive, PASSPHRASE, tmp_path / "opened")
    assert {p.name for p in out.iterdir()} == ALL_FILES
    data, meta = pyreadstat.read_sav(out / "members.sav", output_format="dict")
    assert len(data["full_name"]) == sum(len(r["members"]) for r in records)
    (i,) = [i for i, n in enumerate(data["full_name"]) if n == NAME]
    assert data["citizen_id"][i] == CITIZEN_ID and data["sex"][i] == 1
    assert meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    assert meta.variable_value_labels["priority_groups_4"] == {0: "Không", 1: "Có"}
    data, meta = pyreadstat.read_dta(out / "members.dta", output_format="dict")
    assert meta.variable_value_labels["labour_status"][1] == "Có việc làm"
    households, _ = pyreadstat.read_dta(out / "households.dta", output_format="dict")
    assert len(households["household_uuid"]) == 21
    with open(out / "members.csv", encoding="utf-8-sig", newline="") as fh:
        assert NAME in [row["full_name"] for row in csv.DictReader(fh)]
    wb = openpyxl.load_workbook(out / "members.xlsx", read_only=True)
    assert NAME in [row[4] for row in wb["members"].iter_rows(min_row=2, values_only=True)]
    wb = openpyxl.load_workbook(out / "codebook.xlsx", read_only=True)
    assert {"about", "variables", "values"} <= set(wb.sheetnames)


def test_a_wrong_passphrase_opens_nothing_and_no_name_or_citizen_id_is_in_clear(archive: Path) -> None:
    with pytest.raises(ExportError) as refused:
        encrypted.read_archive(archive, "district office 2027")
    assert str(archive) in refused.value.msg.text("vi") and "sai mật khẩu" in refused.value.msg.text("vi")
    import py7zr

    with pytest.raises(py7zr.PasswordRequired):  # without a passphrase not even the names are listed
        py7zr.SevenZipFile(archive, "r")
    assert_no_personal_data_in_clear(archive.read_bytes())


def test_the_7z_tool_opens_it_with_the_passphrase_only(archive: Path, tmp_path: Path) -> None:
    """7-Zip is what the district opens it with (p7zip-full, installed by tests/run.sh)."""
    seven = shutil.which("7z")
    if seven is None:
        pytest.skip("the 7z command is not installed (apt-get install p7zip-full)")
    wrong = subprocess.run([seven, "t", "-pdistrict office 2027", str(archive)], capture_output=True, text=True)
    assert wrong.returncode != 0 and "Wrong password" in wrong.stdout + wrong.stderr
    listed = subprocess.run([seven, "l", "-slt", f"-p{PASSPHRASE}", str(archive)], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "7zAES" in listed.stdout and "LZMA2" in listed.stdout
    out = tmp_path / "7z"
    done = subprocess.run([seven, "x", "-y", f"-p{PASSPHRASE}", f"-o{out}", str(archive)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p.name for p in out.iterdir()} == ALL_FILES
    _, meta = pyreadstat.read_sav(out / "members.sav", output_format="dict", metadataonly=True)
    assert meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    ours = encrypted.read_archive(archive, PASSPHRASE)
    assert all((out / name).read_bytes() == data for name, data in ours.items())


@pytest.mark.parametrize(("passphrase", "again", "reason"), [
    ("lan2026", None, "ít nhất 10 ký tự"),
    ("0912345678123", None, "chỉ có chữ số"),
    ("lúa chín vàng 2026", None, "chữ không dấu"),
    ("Lua chin vang 2026", None, "quá dễ đoán"),  # the example in the advice itself
    ("district office 2026", "district office 2062", "không giống nhau"),
])
def test_a_weak_or_mistyped_passphrase_is_refused_with_why(passphrase: str, again: str | None, reason: str) -> None:
    problems = encrypted.passphrase_problems(passphrase, again)
    assert problems and reason in "\n".join(p.text("vi") for p in problems)


def test_the_advice_on_length_has_no_diacritics_to_copy() -> None:
    (problem,) = encrypted.passphrase_problems("short")
    assert '"lua chin vang 2026"' in problem.text("vi") and not encrypted.passphrase_problems(PASSPHRASE, PASSPHRASE)


def test_export_archive_refuses_a_weak_passphrase_and_writes_nothing(tmp_path: Path, definition: Definition,
                                                                    records: list[dict[str, Any]]) -> None:
    with pytest.raises(ExportError) as refused:
        encrypted.export_archive([definition], records, tmp_path / "usb" / "x.7z", "matkhau123")
    assert "dễ đoán" in refused.value.msg.text("vi")
    assert not (tmp_path / "usb").exists()


def test_nothing_in_clear_is_written_outside_the_scratch_folder_which_is_wiped(
        tmp_path: Path, definition: Definition, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file opened for writing during the export is in the scratch folder, or is the
    encrypted archive; openpyxl's own temporary sheets included. The scratch folder is gone
    afterwards, and so is a stale one left by an export that was killed."""
    base = tmp_path / "scratch-base"
    base.mkdir()
    monkeypatch.setattr(encrypted, "scratch_base", lambda: base)
    stale = base / (encrypted.SCRATCH_PREFIX + "killed")
    stale.mkdir()
    (stale / "members.sav").write_bytes(NAME.encode())
    old = time.time() - 2 * encrypted.STALE_AFTER
    os.utime(stale, (old, old))
    recent = base / (encrypted.SCRATCH_PREFIX + "running")
    recent.mkdir()

    written: list[str] = []
    watching = [True]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and watching[0] and isinstance(args[0], str | bytes | os.PathLike):
            mode, flags = args[1], args[2]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if writes:
                written.append(os.fsdecode(args[0]))

    sys.addaudithook(audit)  # cannot be removed: `watching` turns it off
    try:
        destination = tmp_path / "usb" / "lan.7z"
        encrypted.export_archive([definition], records, destination, PASSPHRASE)
    finally:
        watching[0] = False
    assert written, "the audit hook saw nothing: the check itself is broken"
    part = str(destination.with_name(".lan.7z.part"))
    outside = [p for p in written if p != part and base not in Path(p).parents]
    assert outside == []
    assert any("openpyxl." in p for p in written)  # its sheets went to the scratch folder too
    assert sorted(p.name for p in base.iterdir()) == [recent.name]
    assert_no_personal_data_in_clear(destination.read_bytes())


def test_the_openpyxl_redirect_is_for_the_exporting_thread_only(tmp_path: Path) -> None:
    from openpyxl.worksheet import _writer

    encrypted._redirect_openpyxl()
    elsewhere = _writer.create_temporary_file()
    try:
        assert Path(elsewhere).parent != tmp_path
        with encrypted.openpyxl_temporaries_in(tmp_path):
            inside = _writer.create_temporary_file()
        assert Path(inside).parent == tmp_path
    finally:
        os.remove(elsewhere)


def test_a_failed_export_leaves_no_archive_part(tmp_path: Path, definition: Definition,
                                                records: list[dict[str, Any]]) -> None:
    def fail_on_members(name: str) -> None:
        if name == "members.sav":
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        encrypted.export_archive([definition], records, tmp_path / "usb" / "lan.7z", PASSPHRASE,
                                 progress=fail_on_members)
    assert list((tmp_path / "usb").iterdir()) == []


def test_the_archive_name_is_new_in_a_folder_and_as_given_with_7z(tmp_path: Path) -> None:
    import datetime as dt

    at = dt.datetime(2026, 10, 15, 14, 30, 12)
    first = encrypted.archive_path(tmp_path, at)
    assert first == tmp_path / "statistics-20261015-143012.7z"
    first.write_bytes(b"")
    assert encrypted.archive_path(tmp_path, at) == tmp_path / "statistics-20261015-143012-2.7z"
    assert encrypted.archive_path(tmp_path / "xa" / "Lan.7Z", at) == tmp_path / "xa" / "Lan.7Z"


def test_wipe_overwrites_before_deleting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(NAME.encode() * 1000)
    seen: list[bytes] = []
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        seen.append(self.read_bytes())
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    encrypted.wipe(path)
    assert not path.exists() and seen == [bytes(len(NAME.encode()) * 1000)]


def test_csv_to_a_stream_is_the_same_as_to_a_file(tmp_path: Path, definition: Definition,
                                                  records: list[dict[str, Any]]) -> None:
    from forms.exports import build_tables
    from forms.exports.csv_file import write_csv

    table = build_tables([definition], records).tables["members"]
    write_csv(table, tmp_path / "members.csv")
    stream = io.BytesIO()
    write_csv(table, stream)
    assert not stream.closed and stream.getvalue() == (tmp_path / "members.csv").read_bytes()
