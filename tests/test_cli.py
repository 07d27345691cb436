"""The command line as an officer or clerk uses it: a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import factories as fx


def run(data: Path, *args: str, lang: str = "en", stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", lang, *args],
                          capture_output=True, text=True, input=stdin, timeout=60, encoding="utf-8")


def test_import_list_search_show_validate_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "village.jsonl"
    recs = fx.generated(6)
    broken = fx.household(household_code="HT-BAD")
    broken["uuid"] = None
    del broken["members"][0]["job"]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [*recs, broken]) + "\n", encoding="utf-8")

    r = run(data, "households", "import", str(src))
    assert r.returncode == 0, r.stderr
    assert "Imported 7 new household(s)" in r.stdout

    r = run(data, "households", "list")
    assert "Draft: 7" in r.stdout and "HT-BAD" in r.stdout

    r = run(data, "households", "search", "dang hung")
    assert r.returncode == 0 and "HT-BAD" in r.stdout

    r = run(data, "households", "show", "HT-BAD", lang="vi")
    assert "Họ, chữ đệm và tên: Đặng Văn Hùng" in r.stdout
    assert "LỖI: Thành viên 1 · Công việc đang làm: Câu hỏi bắt buộc chưa được trả lời." in r.stdout

    r = run(data, "households", "validate")
    assert r.returncode == 1 and "7 household(s): 1 error(s)" in r.stdout

    r = run(data, "households", "complete", "HT-BAD")
    assert r.returncode == 1 and "Cannot mark complete: 1 error(s)" in r.stderr and "Current job" in r.stderr

    out = tmp_path / "all.csv"
    r = run(data, "households", "export", "--format", "csv", "-o", str(out))
    assert r.returncode == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert f"The file {out} holds personal data" in r.stderr and "NOT encrypted" in r.stderr
    r = run(data, "households", "export")
    assert len(r.stdout.splitlines()) == 7


def test_bad_import_reports_line_numbers(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(json.dumps(fx.household(), ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    r = run(tmp_path / "data", "households", "import", "--all-or-nothing", str(src))
    assert r.returncode == 1
    assert "Line 2: not valid JSON" in r.stderr and "Nothing was imported" in r.stderr
    r = run(tmp_path / "data", "households", "import", str(src))
    assert r.returncode == 1 and "Imported 1 new household(s)" in r.stdout and "Line 2" in r.stderr
    r = run(tmp_path / "data", "households", "import", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "Cannot read" in r.stderr and "no such file or folder" in r.stderr


def test_unknown_household_and_newer_database(tmp_path: Path) -> None:
    import sqlite3

    r = run(tmp_path / "data", "--profile", "lna", "households", "show", "HT-404", lang="vi")
    assert r.returncode == 2 and 'Không có hồ sơ "lna" trên máy này' in r.stderr  # a typo makes no profile
    assert not (tmp_path / "data" / "profiles" / "lna").exists()
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(fx.household(), ensure_ascii=False) + "\n", encoding="utf-8")
    r = run(tmp_path / "data", "households", "import", str(src), lang="vi")
    assert r.returncode == 0 and "KHÔNG mã hóa" in r.stderr  # no passphrase at hand: made plain, said loudly
    r = run(tmp_path / "data", "households", "show", "HT-404", lang="vi")
    assert r.returncode == 2 and "Không tìm thấy hộ" in r.stderr and "profile encrypt" in r.stderr
    db = tmp_path / "data" / "profiles" / "default" / "households.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    r = run(tmp_path / "data", "households", "list")
    assert r.returncode == 2 and "newer version of this program" in r.stderr
    assert "Traceback" not in r.stderr


def test_forms_check(tmp_path: Path) -> None:
    r = run(tmp_path, "forms", "check", "forms/definitions/labour_supply-1.yaml")
    assert r.returncode == 0 and "version 1 is valid" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path("forms/definitions/labour_supply-1.yaml").read_text(encoding="utf-8").replace(
        "relevant: ${employment_status} = 4", "relevant: ${employment_state} = 4"), encoding="utf-8")
    r = run(tmp_path, "forms", "check", str(bad))
    assert r.returncode == 1 and "field 'contract'" in r.stderr and "employment_state" in r.stderr


def test_without_a_passphrase_no_profile_is_made_in_clear(tmp_path: Path) -> None:
    import os

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(fx.household(), ensure_ascii=False) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LABOUR_SURVEY_PASSPHRASE", "LABOUR_SURVEY_ALLOW_PLAIN")}
    cmd = [sys.executable, "-m", "desktop.launcher", "--data-dir", str(tmp_path / "data"), "--lang", "en"]
    for args in (["households", "import", str(src)], ["enroll", "http://127.0.0.1:9", "AAAAA-BBBBB"]):
        r = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
        assert r.returncode == 2, r.stderr
        assert "no passphrase to make it encrypted" in r.stderr and "LABOUR_SURVEY_PASSPHRASE" in r.stderr
        assert "Nothing was written" in r.stderr and "Traceback" not in r.stderr
        assert not list((tmp_path / "data").rglob("households.sqlite*"))
    # Asked for explicitly (test data), it is made, and said loudly.
    r = subprocess.run([*cmd, "households", "import", str(src)], capture_output=True, text=True,
                       env={**env, "LABOUR_SURVEY_ALLOW_PLAIN": "1"}, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0 and "UNENCRYPTED" in r.stderr, r.stderr


def test_a_profile_made_by_an_import_is_encrypted_when_a_passphrase_is_given(tmp_path: Path) -> None:
    import os

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(fx.household(), ensure_ascii=False) + "\n", encoding="utf-8")
    env = {**os.environ, "LABOUR_SURVEY_PASSPHRASE": "lúa chín vàng ở Hạc Thành"}
    cmd = [sys.executable, "-m", "desktop.launcher", "--data-dir", str(tmp_path / "data"), "--profile", "lan"]
    r = subprocess.run([*cmd, "households", "import", str(src)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "Created the encrypted profile lan" in r.stderr, r.stderr
    db = tmp_path / "data" / "profiles" / "lan" / "households.sqlite"
    assert not db.read_bytes().startswith(b"SQLite format 3") and b"HT-0001" not in db.read_bytes()
    r = subprocess.run([*cmd, "households", "list"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "HT-0001" in r.stdout and "NOT encrypted" not in r.stderr
