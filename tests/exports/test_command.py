"""`labour-survey export` as a clerk runs it: a real process on a real store. By default into
one archive encrypted with a passphrase; --plain writes the files in clear, with a warning."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyreadstat
import pytest

from forms import cli, profile_cli
from forms.exports import ExportError
from forms.exports import archive as encrypted
from tests.exports.conftest import survey_households
from tests.exports.test_archive import CITIZEN_ID, NAME, PASSPHRASE, assert_no_personal_data_in_clear, unpack


def run(data: Path, *args: str, lang: str = "en", passphrase: str | None = PASSPHRASE,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != encrypted.ENV_PASSPHRASE}
    if passphrase is not None:
        env[encrypted.ENV_PASSPHRASE] = passphrase
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", lang, *args],
                          capture_output=True, text=True, timeout=120, encoding="utf-8", env=env,
                          stdin=subprocess.DEVNULL, cwd=cwd)


def store_with_households(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    src = tmp_path / "village.jsonl"
    src.write_text("\n".join(json.dumps(h, ensure_ascii=False) for h in survey_households()), encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    return data


def test_export_is_one_encrypted_archive_and_says_where_it_is(tmp_path: Path) -> None:
    data = store_with_households(tmp_path)
    out = tmp_path / "usb"
    r = run(data, "export", "-o", str(out), lang="vi")
    assert r.returncode == 0, r.stderr
    (archive,) = out.iterdir()
    assert re.fullmatch(r"statistics-\d{8}-\d{6}\.7z", archive.name)
    said = "Dữ liệu cá nhân (họ tên, ngày sinh, số CCCD) đã ghi vào tệp mã hóa AES-256, cần mật khẩu để mở: "
    assert f"{said}{archive}\n" in r.stdout
    assert "  members.sav: 113 dòng" in r.stdout and "Đã xuất 21 hộ" in r.stdout and "7-Zip" in r.stdout
    assert_no_personal_data_in_clear(archive.read_bytes())
    opened = unpack(archive, PASSPHRASE, tmp_path / "opened")
    data_, meta = pyreadstat.read_dta(opened / "members.dta", output_format="dict")
    assert NAME in data_["full_name"] and CITIZEN_ID in data_["citizen_id"]
    assert meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    with pytest.raises(ExportError):
        encrypted.read_archive(archive, "district office 2062")

    r = run(data, "export", "--format", "csv", "-o", "named.7z", cwd=tmp_path)  # a name, relative to where it runs
    assert r.returncode == 0, r.stderr
    named = tmp_path / "named.7z"
    assert f"written to a file encrypted with AES-256 that needs the passphrase to open: {named}\n" in r.stdout
    assert set(encrypted.read_archive(named, PASSPHRASE)) == {"households.csv", "members.csv", "codebook.xlsx"}


def test_a_weak_passphrase_is_refused_with_the_reason_and_nothing_is_written(tmp_path: Path) -> None:
    data = store_with_households(tmp_path)
    r = run(data, "export", "-o", str(tmp_path / "usb"), lang="vi", passphrase="đồng lúa xanh mướt 77")
    assert r.returncode == 2 and "chữ không dấu" in r.stderr and "Traceback" not in r.stderr
    r = run(data, "export", "-o", str(tmp_path / "usb"), passphrase="lua chin vang 2026")  # the advice's example
    assert r.returncode == 2 and "too easy to guess" in r.stderr
    r = run(data, "export", "-o", str(tmp_path / "usb"), passphrase="123456789012")
    assert r.returncode == 2 and "digits only" in r.stderr
    r = run(data, "export", "-o", str(tmp_path / "usb"), passphrase=None)  # no terminal to ask in either
    assert r.returncode == 2 and encrypted.ENV_PASSPHRASE in r.stderr
    assert not (tmp_path / "usb").exists()


def test_at_the_terminal_the_passphrase_is_typed_twice_with_three_tries(monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import forms.i18n

    monkeypatch.setattr(forms.i18n, "_language", [])  # English, whatever an earlier test chose
    forms.i18n.set_language("en")
    monkeypatch.delenv(encrypted.ENV_PASSPHRASE, raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    typed = iter(["lan2026", "lan2026", PASSPHRASE, PASSPHRASE + "!", PASSPHRASE, PASSPHRASE])
    prompts: list[str] = []
    monkeypatch.setattr(profile_cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(typed))
    assert cli._export_passphrase() == PASSPHRASE
    assert len(prompts) == 6 and prompts[0].startswith("Passphrase for the export") and prompts[1].startswith("The export")
    err = capsys.readouterr().err
    assert "at least 10 characters" in err and "are not the same" in err

    typed = iter(["lan2026"] * 6)
    with pytest.raises(ExportError) as refused:
        cli._export_passphrase()
    assert "at least 10 characters" in refused.value.msg.text("en")


def test_plain_export_every_format_then_only_complete_households_with_a_warning(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "village.jsonl"
    households = survey_households()
    src.write_text("\n".join(json.dumps(h, ensure_ascii=False) for h in households), encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    assert run(data, "households", "complete", "HT-0001", "--accept-warnings").returncode == 0
    members = sum(len(h["members"]) for h in households)

    out = tmp_path / "export"
    r = run(data, "export", "--plain", "--format", "all", "-o", str(out), lang="vi")
    assert r.returncode == 0, r.stderr
    for ext in ("csv", "xlsx", "sav", "dta"):
        assert f"{out / ('households.' + ext)}: 21 dòng" in r.stdout
        assert f"{out / ('members.' + ext)}: {members} dòng" in r.stdout
    assert f"{out / 'codebook.xlsx'}: sổ tay biến" in r.stdout
    assert "Đã xuất 21 hộ" in r.stdout
    assert f"CẢNH BÁO: các tệp trên chứa dữ liệu cá nhân (họ tên, ngày sinh, số CCCD) KHÔNG mã hóa, ở thư mục {out}." in r.stderr
    data_, meta = pyreadstat.read_dta(out / "members.dta", output_format="dict")
    assert len(data_["full_name"]) == members and meta.variable_value_labels["sex"][2] == "Nữ"

    only = tmp_path / "complete"
    r = run(data, "export", "--format", "csv", "--format", "sav", "--status", "complete", "--lang", "en", "-o", str(only),
            "--plain", lang="en", passphrase=None)
    assert r.returncode == 0, r.stderr
    assert "Exported 1 household(s)" in r.stdout and f"{only / 'members.csv'}: 5 row(s)" in r.stdout
    assert ("WARNING: the files above hold personal data (names, birth dates, citizen IDs) NOT encrypted, in the folder "
            f"{only}.") in r.stderr
    assert sorted(p.name for p in only.iterdir()) == ["codebook.xlsx", "households.csv", "households.sav", "members.csv",
                                                      "members.sav"]
    with open(only / "members.csv", encoding="utf-8-sig", newline="") as fh:
        assert [row["full_name"] for row in csv.DictReader(fh)][:2] == ["Đặng Văn Hùng", "Lê Thị Hoà"]
    _, meta = pyreadstat.read_sav(only / "members.sav", output_format="dict", metadataonly=True)
    assert meta.variable_value_labels["sex"] == {1: "Male", 2: "Female"}
    wb = openpyxl.load_workbook(only / "codebook.xlsx", read_only=True)
    assert next(wb["variables"].iter_rows(values_only=True))[1] == "name"  # the codebook in English too


def test_export_reports_values_it_could_not_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = survey_households()[0]
    bad["members"][0]["birth_date"] = "31/02/1975"
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    r = run(data, "export", "--format", "dta", "-o", str(tmp_path / "out" / "x.7z"))
    assert r.returncode == 1
    assert "1 value(s) did not fit" in r.stderr and "HT-0001 members 1 birth_date: '31/02/1975'" in r.stderr
    assert "members.dta" in encrypted.read_archive(tmp_path / "out" / "x.7z", PASSPHRASE)
    r = run(data, "export", "--plain", "--format", "dta", "-o", str(tmp_path / "plain"))
    assert r.returncode == 1 and "1 value(s) did not fit" in r.stderr and (tmp_path / "plain" / "members.dta").exists()


def test_export_into_a_file_path_is_refused_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    data = store_with_households(tmp_path)
    for plain in ([], ["--plain"]):
        r = run(data, "export", "--format", "csv", "-o", str(blocker / "out"), *plain)
        assert r.returncode == 2 and "Cannot write" in r.stderr and "Traceback" not in r.stderr
