"""Long work off the window's thread.

The work itself is a plain function `fn(state, *args)` that reports progress and checks for
cancellation through a TaskState (no Qt: testable alone). A Task runs it in a QThread; a
progress dialog with a cancel button appears only if it takes longer than half a second."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShortcut
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from desktop.text import t
from forms.progress import Cancelled, TaskState

__all__ = ["Cancelled", "ProgressDialog", "Task", "TaskState", "run_task", "wait_for_all"]


class _Thread(QThread):
    def __init__(self, fn: Callable[..., Any], state: TaskState, args: tuple[Any, ...]):
        super().__init__()
        self.fn, self.state, self.args = fn, state, args
        self.result: Any = None
        self.error: BaseException | None = None
        self.was_cancelled = False

    def run(self) -> None:
        try:
            self.result = self.fn(self.state, *self.args)
        except Cancelled:
            self.was_cancelled = True
        except BaseException as exc:  # handed to the window's thread, which reports it
            self.error = exc


class Task(QObject):
    """One run of `fn(state, *args)` in its own thread. Emits succeeded(result),
    failed(exception) or cancelled(), then ended()."""

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    ended = Signal()
    stopped = Signal()  # first of all, before the outcome: the progress dialog goes away

    def __init__(self, fn: Callable[..., Any], *args: Any, parent: QObject | None = None):
        # No Qt parent: a thread destroyed while running aborts the process, so a task lives
        # (in _RUNNING) until its thread has finished, whatever happens to the window.
        super().__init__()
        self.state = TaskState()
        self._thread = _Thread(fn, self.state, args)
        self._thread.finished.connect(self._finished)
        self.running = False

    def start(self) -> Task:
        self.running = True
        _RUNNING.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.state.cancel()

    def wait(self, ms: int = 30_000) -> bool:
        return self._thread.wait(ms)

    def _finished(self) -> None:
        self.running = False
        _RUNNING.discard(self)
        th = self._thread
        self.stopped.emit()
        if th.error is not None:
            self.failed.emit(th.error)
        elif th.was_cancelled or self.state.cancelled:
            self.cancelled.emit()
        else:
            self.succeeded.emit(th.result)
        self.ended.emit()


_RUNNING: set[Task] = set()


def wait_for_all(ms: int = 30_000) -> None:
    """Before the program ends: let running tasks finish (after asking them to stop)."""
    for task in list(_RUNNING):
        task.cancel()
        task.wait(ms)


class ProgressDialog(QProgressDialog):
    """Shows a task's progress after half a second; its button cancels the task."""

    def __init__(self, task: Task, title: str, parent: QWidget | None):
        super().__init__(parent)
        self.task = task
        self.setWindowTitle(title)
        self.setLabelText(title)
        button = QPushButton(t("cancel"))
        self.setCancelButton(button)
        self.setMinimumDuration(500)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setRange(0, 0)
        self.setMinimumWidth(420)
        self.canceled.connect(self._cancel)
        for shortcut in self.findChildren(QShortcut):  # Qt's Escape shortcut hides the dialog without canceled()
            shortcut.activated.connect(self._cancel)
        self._timer = QTimer(self, interval=100)
        self._timer.timeout.connect(self._poll)
        # Closed before the outcome is handled: a message saying where the PDF is must not
        # open under a finished progress dialog that hides it.
        task.stopped.connect(self._end)
        task.ended.connect(self.deleteLater)
        self._timer.start()
        self.setValue(0)

    def _cancel(self) -> None:
        self.task.cancel()
        self.setLabelText(t("task_cancelling"))

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() == Qt.Key.Key_Escape:
            self.reject()
            e.accept()
            return
        super().keyPressEvent(e)

    def reject(self) -> None:
        """Escape or closing the dialog cancels the work; the dialog goes when the work stops."""
        if self.task.running:
            self._cancel()
        else:
            super().reject()

    def _poll(self) -> None:
        done, total, note = self.task.state.snapshot()
        if total > 0:
            if self.maximum() != total:
                self.setRange(0, total)
            self.setValue(min(done, total))
        if note and not self.task.state.cancelled:
            self.setLabelText(note)

    def _end(self) -> None:
        self._timer.stop()
        self.reset()
        self.hide()  # deleted once the outcome is handled (its message may still be open)


def run_task(parent: QWidget, title: str, fn: Callable[..., Any], *args: Any) -> Task:
    """Start `fn(state, *args)` in a worker with a progress dialog; connect to the returned
    Task's signals for the outcome."""
    task = Task(fn, *args, parent=parent)
    ProgressDialog(task, title, parent)
    return task.start()
