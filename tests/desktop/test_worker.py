"""Long work runs in a worker thread with a progress dialog and cancel; the window stays
responsive; check-all and export are plain functions of a progress/cancel state."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from desktop import tasks
from desktop.worker import Task, TaskState, run_task
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import key_on_dialog, on_next_dialog, wait_for


def slow(state: TaskState, n: int, main_thread: int) -> int:
    assert threading.get_ident() != main_thread  # off the window's thread
    for i in range(n):
        state.progress(i + 1, n)
        time.sleep(0.005)
    return n


def test_a_task_runs_off_the_window_thread_and_reports(qtbot) -> None:
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    task = Task(slow, 60, threading.get_ident())
    with qtbot.waitSignal(task.succeeded, timeout=5000) as got:
        task.start()
    timer.stop()
    assert got.args == [60]
    assert len(ticks) >= 10  # the window kept running its event loop meanwhile


def test_the_progress_dialog_appears_for_long_work_and_cancels_it(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    task = run_task(parent, "Đang làm", slow, 100_000, threading.get_ident())
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(QProgressDialog)), timeout=3000)
    [dialog] = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: dialog.value() > 0)
    assert dialog.maximum() == 100_000
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        dialog.activateWindow()
        wait_for(dialog.isActiveWindow, 1.0)
        button = dialog.focusWidget()
        assert isinstance(button, QPushButton) and button.text() == "Huỷ"
        qtbot.keyClick(button, Qt.Key.Key_Space)  # the dialog's cancel button, with the keyboard
    assert task.state.cancelled and task.state.done < 100_000


def test_a_failing_task_reports_its_exception(qtbot) -> None:
    def broken(_state: TaskState) -> None:
        raise ZeroDivisionError("boom")
    task = Task(broken)
    with qtbot.waitSignal(task.failed, timeout=5000) as got:
        task.start()
    assert isinstance(got.args[0], ZeroDivisionError)


def fill(store: Store, n: int) -> None:
    with store.transaction():
        for rec in fx.generated(n, seed=5):
            store.save_within(rec, actor="lan", action="import")


def test_check_all_from_the_menu(qtbot, start_window, desk_store: Store) -> None:
    fill(desk_store, 30)
    bad = fx.household(household_code="HT-BAD")
    bad["household"].pop("area")
    desk_store.save(bad, actor="lan")
    window = start_window()
    texts: list[str] = []
    seen = on_next_dialog(lambda d: (texts.append(d.text() + "\n" + d.informativeText()), key_on_dialog(Qt.Key.Key_Return)(d)),
                          timeout=20)
    with qtbot.waitSignal(window.check_all().ended, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert "Đã kiểm tra 31 hộ: 1 hộ còn lỗi" in texts[0] and "HT-BAD: 1 lỗi" in texts[0]


def test_check_all_alone(desk_store: Store) -> None:
    fill(desk_store, 10)
    state = TaskState()
    report = tasks.check_all(state, desk_store.path)
    assert report.checked == 10 and state.snapshot()[:2] == (10, 10)
