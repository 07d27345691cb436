"""`labour-survey print ...` through a parser built as the launcher builds it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from forms import cli
from forms.printing import cli as print_cli
from forms.store import Store
from tests import factories
from tests.printing.pdf import Pdf


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="labour-survey")
    cli.add_common_options(parser)
    sub = parser.add_subparsers(dest="command")
    cli.register(sub)
    print_cli.register(sub)
    return cli.run(parser.parse_args(list(argv)))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Store(folder / "profiles" / "default" / "households.sqlite") as store:
        for rec in factories.generated(6, seed=5):
            store.save(rec, actor="lan")
    return folder


def test_print_commands(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data)]
    assert run(*d, "print", "blank", "--members", "2", "-o", str(tmp_path / "b.pdf")) == 0
    assert "1 form(s)" in capsys.readouterr().out
    with Store(data / "profiles" / "default" / "households.sqlite") as store:
        code = store.list(limit=1)[0].household_code
        village = store.list(limit=1)[0].village
    assert run(*d, "print", "household", code, "-o", str(tmp_path / "h.pdf")) == 0
    assert code in Pdf((tmp_path / "h.pdf").read_bytes()).text()
    said = capsys.readouterr().err
    assert str(tmp_path / "h.pdf") in said and "NOT encrypted" in said  # where the personal data is
    assert run(*d, "print", "village", village.upper(), "-o", str(tmp_path / "v.pdf")) == 0
    assert run(*d, "--lang", "vi", "print", "report", "-o", str(tmp_path / "r.pdf")) == 0
    assert "Đã lập báo cáo" in capsys.readouterr().out
    assert all((tmp_path / f).stat().st_size > 10_000 for f in ("b.pdf", "h.pdf", "v.pdf", "r.pdf"))
    text = " ".join(Pdf((tmp_path / "r.pdf").read_bytes()).text().split())
    assert "Số hộ đã hoàn thành: 0 (phiếu nháp không tính: 6)" in text  # the six are drafts
    assert run(*d, "--lang", "vi", "print", "report", "--drafts", "-o", str(tmp_path / "r2.pdf")) == 0
    assert "Số hộ: 6, TÍNH CẢ 6 PHIẾU NHÁP" in " ".join(Pdf((tmp_path / "r2.pdf").read_bytes()).text().split())


def test_print_mistakes(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data)]
    assert run(*d, "print", "household", "NO-SUCH", "-o", str(tmp_path / "x.pdf")) == 2
    assert run(*d, "print", "village", "Nowhere", "-o", str(tmp_path / "x.pdf")) == 2
    assert "Nowhere" in capsys.readouterr().err
    assert run(*d, "print", "blank", "--assignments", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.pdf")) == 2
    assert run(*d, "print", "blank", "-o", str(tmp_path / "no-folder" / "x.pdf")) == 2
    assert "no-folder" in capsys.readouterr().err
    assert not list(tmp_path.glob("**/x.pdf*"))


def test_blank_forms_for_an_assignment_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("HT-0101\nHT-0102\n", encoding="utf-8")
    assert run("print", "blank", "--assignments", str(tmp_path / "a.txt"), "--members", "1", "-o", str(tmp_path / "a.pdf")) == 0
    text = Pdf((tmp_path / "a.pdf").read_bytes()).text()
    assert "HT-0101" in text and "HT-0102" in text
