"""The command line where the field goes wrong: output paths that cannot be written, output
piped into `head`, files that are not UTF-8, in the officer's language and never a traceback.
Real processes, as an officer runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories as fx

CMD = [sys.executable, "-m", "desktop.launcher"]


def run(data: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, "--data-dir", str(data), "--lang", lang, *args], capture_output=True, text=True,
                          timeout=120, encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    src = tmp_path / "village.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fx.generated(40)), encoding="utf-8")
    r = run(tmp_path / "data", "households", "import", str(src))
    assert r.returncode == 0, r.stderr
    return tmp_path / "data"


def test_an_output_path_that_cannot_be_written_is_named_in_the_chosen_language(data: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "out.jsonl"
    r = run(data, "households", "export", "-o", str(missing), lang="vi")
    assert r.returncode == 2 and f"Không ghi được {missing}: thư mục chứa nó không tồn tại." in r.stderr
    r = run(data, "households", "export", "-o", str(tmp_path))
    assert r.returncode == 2 and f"Cannot write {tmp_path}: it is a folder, not a file" in r.stderr
    r = run(data, "print", "village", "to dan pho dong son", "-o", str(missing.with_suffix(".pdf")), lang="vi")
    assert r.returncode == 2 and "thư mục chứa nó không tồn tại" in r.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if not os.access(locked, os.W_OK):  # root writes anywhere, whatever the folder's mode
        r = run(data, "households", "export", "-o", str(locked / "out.csv"), "--format", "csv", lang="vi")
        assert r.returncode == 2 and "không có quyền" in r.stderr


def test_no_traceback_anywhere(data: Path, tmp_path: Path) -> None:
    r = run(data, "households", "export", "-o", str(tmp_path / "nope" / "x.jsonl"))
    r2 = run(data, "households", "export", "-o", str(tmp_path))
    for out in (r, r2):
        assert "Traceback" not in out.stderr and "Errno" not in out.stderr


def test_output_piped_into_head_stops_quietly(data: Path) -> None:
    for args in (["households", "export"], ["households", "list"], ["households", "export", "--format", "csv"]):
        cmd = [*CMD, "--data-dir", str(data), "--lang", "en", *args]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
            assert p.stdout is not None and p.stderr is not None
            first = p.stdout.readline()
            p.stdout.close()  # what `head -1` does once it has its line
            err = p.stderr.read().decode("utf-8")
            code = p.wait(timeout=120)
        assert first, err
        assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
        assert code == 0, err


def test_files_that_cannot_be_read_in_the_chosen_language(data: Path, tmp_path: Path) -> None:
    r = run(data, "households", "import", str(tmp_path / "missing.jsonl"), lang="vi")
    assert r.returncode == 2 and "không có tệp hoặc thư mục này" in r.stderr
    assert "No such file" not in r.stderr
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(json.dumps(fx.household(), ensure_ascii=False).encode("utf-8")[:50] + "é\n".encode("latin-1"))
    r = run(data, "households", "import", str(latin1), lang="vi")
    assert r.returncode == 2 and "không phải văn bản UTF-8" in r.stderr and "not UTF-8" not in r.stderr
    r = run(data, "households", "list", "--limit", "mười", lang="vi")
    assert r.returncode == 2 and "cần một số nguyên" in r.stderr and "kiểu int" not in r.stderr


def test_the_list_counts_errors_and_warnings_in_the_chosen_language(data: Path) -> None:
    r = run(data, "households", "list", "--limit", "3", lang="vi")
    assert r.returncode == 0 and " 0L 0CB " in r.stdout and "0E 0W" not in r.stdout
    r = run(data, "households", "list", "--limit", "3", lang="en")
    assert " 0E 0W " in r.stdout


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real file system of 4 MB (tmpfs), to fill to 0 bytes free; root only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    assert os.statvfs(disk).f_bavail == 0


def test_a_full_disk_is_called_full(data: Path, small_disk: Path, tmp_path: Path) -> None:
    import shutil

    profile = small_disk / "data"
    shutil.copytree(data, profile)
    fill(small_disk)
    src = tmp_path / "more.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fx.generated(5, seed=9)), encoding="utf-8")
    for args in (["households", "list"], ["households", "import", str(src)]):
        r = run(profile, *args, lang="vi")
        assert r.returncode == 2 and "Ổ đĩa đã đầy" in r.stderr, r.stderr
        assert "Lỗi đọc/ghi" not in r.stderr and "Traceback" not in r.stderr
    # An output file on the full disk (ENOSPC while writing), the profile elsewhere.
    out = small_disk / "all.csv"
    r = run(data, "households", "export", "--format", "csv", "-o", str(out))
    assert r.returncode == 2 and "the disk is full" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_control_character_in_a_name_is_refused_naming_the_field(data: Path, tmp_path: Path) -> None:
    rec = fx.household(household_code="HT-NUL")
    rec["members"][0]["full_name"] = "Đặng Văn\x00 Hùng"
    tabbed = fx.household(household_code="HT-TAB")
    tabbed["household"]["address"] = "12 Lê Lợi\tphường Hạc Thành"  # a tab pasted from a spreadsheet is fine
    src = tmp_path / "nul.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (rec, tabbed)), encoding="utf-8")
    r = run(data, "households", "import", str(src), lang="vi")
    assert r.returncode == 1, r.stderr
    assert "Dòng 1:" in r.stderr and "Họ, chữ đệm và tên" in r.stderr and "ký tự điều khiển" in r.stderr
    assert "U+0000" in r.stderr and "Dòng 2" not in r.stderr
    r = run(data, "households", "search", "HT-NUL")
    assert r.returncode == 1  # nothing of the refused line was stored
    out = tmp_path / "x"
    r = run(data, "export", "--plain", "--format", "dta", "-o", str(out))
    assert r.returncode == 0, r.stderr


def test_the_engine_reports_a_control_character_in_a_text_answer(engine) -> None:
    rec = fx.household()
    rec["members"][1]["full_name"] = "Nguyễn\x07 Thị Lan"
    errors = [f for f in engine.evaluate(rec).errors if f.ref.field == "full_name"]
    assert errors and errors[0].ref.row == 1 and "U+0007" in errors[0].text()
    assert "\"Full name\" holds an invisible control character" in errors[0].message.en


def test_village_matches_like_search_in_every_command(data: Path, tmp_path: Path) -> None:
    r = run(data, "households", "list", "--limit", "100")
    exact = [line for line in r.stdout.splitlines() if "Tổ dân phố Đông Sơn" in line]
    assert exact
    for wanted in ("to dan pho dong son", "ĐÔNG SƠN", "dong s"):
        r = run(data, "households", "list", "--limit", "100", "--village", wanted)
        assert r.returncode == 0, r.stderr
        rows = r.stdout.splitlines()[1:]
        assert rows == exact, wanted
    r = run(data, "households", "list", "--village", "to dan pho", lang="vi")
    assert r.returncode == 2 and "khớp với nhiều thôn/tổ dân phố" in r.stderr and "Đông Sơn" in r.stderr
    r = run(data, "households", "list", "--village", "Làng Nủ")
    assert r.returncode == 2 and 'No household in the village "Làng Nủ"' in r.stderr and "Hạc Thành" in r.stderr
    r = run(data, "print", "report", "--village", "dong son", "-o", str(tmp_path / "r.pdf"))
    assert r.returncode == 0, r.stderr
    r = run(data, "print", "village", "dong son", "-o", str(tmp_path / "v.pdf"))
    assert r.returncode == 0 and f"{len(exact)} form" in r.stdout, r.stdout + r.stderr


def test_search_shows_which_member_matched(data: Path, tmp_path: Path) -> None:
    rec = fx.household(household_code="HT-XUYEN")
    rec["members"][2]["full_name"] = "Lò Thị Xuyến"
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(data, "households", "import", str(src)).returncode == 0
    r = run(data, "households", "search", "lo thi xuyen", lang="vi")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "HT-XUYEN" in lines[0] and lines[1] == "    ↳ Thành viên 3: Lò Thị Xuyến" and len(lines) == 2


def test_history_names_its_actions_in_the_chosen_language(data: Path) -> None:
    assert run(data, "households", "complete", "HT-000001", "--accept-warnings").returncode == 0
    r = run(data, "households", "history", "HT-000001", lang="vi")
    actions = [line.split()[2:4] for line in r.stdout.splitlines() if line[:1].isdigit()]
    assert actions == [["nhập", "tệp"], ["hoàn", "thành"]], r.stdout
    assert " import " not in r.stdout and " complete " not in r.stdout
