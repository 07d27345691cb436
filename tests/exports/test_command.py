"""`labour-survey export` as a clerk runs it: a real process on a real store."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyreadstat

from tests.exports.conftest import survey_households


def run(data: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", lang, *args],
                          capture_output=True, text=True, timeout=120, encoding="utf-8")


def test_export_every_format_then_only_complete_households(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "village.jsonl"
    households = survey_households()
    src.write_text("\n".join(json.dumps(h, ensure_ascii=False) for h in households), encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    assert run(data, "households", "complete", "HT-0001", "--accept-warnings").returncode == 0
    members = sum(len(h["members"]) for h in households)

    out = tmp_path / "export"
    r = run(data, "export", "--format", "all", "-o", str(out), lang="vi")
    assert r.returncode == 0, r.stderr
    for ext in ("csv", "xlsx", "sav", "dta"):
        assert f"{out / ('households.' + ext)}: 21 dòng" in r.stdout
        assert f"{out / ('members.' + ext)}: {members} dòng" in r.stdout
    assert f"{out / 'codebook.xlsx'}: sổ tay biến" in r.stdout
    assert "Đã xuất 21 hộ" in r.stdout
    data_, meta = pyreadstat.read_dta(out / "members.dta", output_format="dict")
    assert len(data_["full_name"]) == members and meta.variable_value_labels["sex"][2] == "Nữ"

    only = tmp_path / "complete"
    r = run(data, "export", "--format", "csv", "--format", "sav", "--status", "complete", "--lang", "en", "-o", str(only),
            lang="vi")
    assert r.returncode == 0, r.stderr
    assert "Đã xuất 1 hộ" in r.stdout and f"{only / 'members.csv'}: 5 dòng" in r.stdout
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
    r = run(data, "export", "--format", "dta", "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "1 value(s) did not fit" in r.stderr and "HT-0001 members 1 birth_date: '31/02/1975'" in r.stderr
    assert (tmp_path / "out" / "members.dta").exists()


def test_export_into_a_file_path_is_refused_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    r = run(tmp_path / "data", "export", "--format", "csv", "-o", str(blocker / "out"))
    assert r.returncode == 2 and "Cannot write" in r.stderr and "Traceback" not in r.stderr
