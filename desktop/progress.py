"""Progress and cancellation of long work, shared by a worker thread and the window. No Qt:
the work itself is a plain function `fn(state, ...)`, testable alone."""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """Raised inside a task by TaskState.check() once the officer pressed cancel."""


class TaskState:
    """Progress and cancellation shared by a task and the window (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.done = 0
        self.total = 0
        self.note = ""

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Report progress; raises Cancelled if the officer cancelled."""
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if note is not None:
                self.note = note
        self.check()

    def snapshot(self) -> tuple[int, int, str]:
        with self._lock:
            return self.done, self.total, self.note

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled
