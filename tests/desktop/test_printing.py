"""Printing from the window: the PDF is made in a worker, then opened or sent to the printer."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from unittest.mock import create_autospec

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton

from desktop import errors, main_window, printer
from desktop.text import t
from desktop.worker import ProgressDialog, Task
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import on_next_dialog


def press_button(label: str):
    def click(dialog) -> None:
        [button] = [b for b in dialog.findChildren(QPushButton) if b.text() == label]
        button.click()
    return click


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def household(desk_store: Store) -> str:
    return desk_store.save(fx.household(), actor="lan").household.uuid


def test_print_the_open_household_and_open_the_pdf(qtbot, start_window, household: str, data_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    opened = create_autospec(printer.open_pdf, return_value=True)
    monkeypatch.setattr(printer, "open_pdf", opened)
    window = start_window()
    window.open_household(household)
    seen = on_next_dialog(press_button(t("open_pdf")), timeout=30)
    with qtbot.waitSignal(window.print_household().succeeded, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: opened.called, timeout=10_000)
    assert seen and t("task_print_done", path="")[:10] in seen[0].text()
    [pdf] = (data_dir / "exports").glob("phieu-HT-0001-*.pdf")
    assert str(pdf) in seen[0].text() and "thông tin cá nhân" in seen[0].text()  # where, and what it holds
    opened.assert_called_once_with(pdf)
    text = pdf_text(pdf)
    assert "HT-0001" in text and "Đặng Văn Hùng" in text and "Thất nghiệp" in text
    assert not list((data_dir / "exports").glob("*.part"))


def test_send_to_printer_or_say_how_to_print(qtbot, start_window, household: str, data_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sent = create_autospec(printer.send_to_printer, return_value=False)  # no printer on this computer
    monkeypatch.setattr(printer, "send_to_printer", sent)
    window = start_window()
    warned: list = []

    def choose_printer(dialog) -> None:
        # The warning opens from inside this choice: be ready for it before choosing.
        warned.append(on_next_dialog(press_button(t("ok")), timeout=20))
        press_button(t("send_to_printer"))(dialog)

    on_next_dialog(choose_printer, timeout=30)
    with qtbot.waitSignal(window.print_blank().succeeded, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: bool(warned and warned[0]), timeout=20_000)
    sent.assert_called_once()
    warned = warned[0]
    [pdf] = (data_dir / "exports").glob("phieu-trang-*.pdf")
    assert str(pdf) in warned[0].text() and "máy in mặc định" in warned[0].text()
    assert "Họ, chữ đệm và tên" in pdf_text(pdf)


@pytest.mark.parametrize(("answer", "counted"), [("report_complete_only", "Số hộ đã hoàn thành: 0 (phiếu nháp không tính: 1)"),
                                               ("report_with_drafts", "Số hộ: 1, TÍNH CẢ 1 PHIẾU NHÁP")])
def test_report_from_the_menu_asks_whether_to_count_drafts(qtbot, start_window, household: str, data_dir: Path,
                                                           answer: str, counted: str) -> None:
    window = start_window()
    asked = on_next_dialog(press_button(t(answer)), timeout=30)
    task = window.print_report()
    assert asked and "1 hộ còn là phiếu nháp" in asked[0].text()
    on_next_dialog(press_button(t("close")), timeout=30)
    with qtbot.waitSignal(task.succeeded, timeout=30_000):
        pass
    [pdf] = (data_dir / "exports").glob("bao-cao-*.pdf")
    text = " ".join(pdf_text(pdf).split())
    assert "Báo cáo tổng hợp" in text and counted in text


def test_report_cancelled_at_the_drafts_question_prints_nothing(qtbot, start_window, household: str, data_dir: Path) -> None:
    window = start_window()
    on_next_dialog(press_button(t("cancel")), timeout=30)
    assert window.print_report() is None
    assert not list((data_dir / "exports").glob("bao-cao-*.pdf"))


def test_send_to_printer_runs_the_system_print_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    lp = tmp_path / "bin" / "lp"
    lp.parent.mkdir()
    lp.write_text(f'#!/bin/sh\ncp "$1" "{spool}/"\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{lp.parent}{os.pathsep}{os.environ['PATH']}")
    pdf = tmp_path / "phieu.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    assert printer.send_to_printer(pdf)
    assert (spool / "phieu.pdf").read_bytes() == b"%PDF-1.4 test"
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert not printer.send_to_printer(pdf)


@pytest.mark.parametrize("what", ["blank", "report"])
def test_cancelling_a_print_says_cancelled_not_unexpected_error(qtbot, start_window, household: str, data_dir: Path,
                                                               what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Printing and the report raise the one Cancelled the worker knows (issue 19): before,
    printing had its own, and a cancel was reported as an unexpected error."""
    window = start_window()
    reported = []
    monkeypatch.setattr(errors, "report", reported.append)
    started = []

    def run_and_cancel(parent, title, fn, *args):  # desktop.worker.run_task, cancelled before it starts
        task = Task(fn, *args, parent=parent)
        ProgressDialog(task, title, parent)
        task.cancel()  # what the progress dialog's Cancel button does
        started.append(task)
        return task.start()

    monkeypatch.setattr(main_window, "run_task", run_and_cancel)
    if what == "report":
        on_next_dialog(press_button(t("report_with_drafts")), timeout=30)
        window.print_report()
    else:
        window.print_blank()
    [task] = started
    with qtbot.waitSignal(task.ended, timeout=30_000):
        pass
    assert reported == []
    assert window.statusBar().currentMessage() == t("task_cancelled")
    assert not list((data_dir / "exports").glob("*.pdf*"))
