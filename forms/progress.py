"""Long work: its progress and its cancellation, one type for every layer (the window's worker
threads, the command lines, printing, reports, exports). No Qt: the work is a plain function
`fn(state, ...)` that reports to `state` and stops when asked, testable alone.

Cancelled is the one exception that means "the user cancelled": the window shows "cancelled"
for it, the command lines a plain line, never "unexpected error"."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The user cancelled; the work stops and writes nothing more (what it made is removed)."""


class TaskState:
    """Progress and cancellation shared by a task and whoever watches it (thread-safe).
    `on_progress`, if given, sees every report (a command line prints it)."""

    def __init__(self, on_progress: Callable[[int, int, str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.on_progress = on_progress
        self.done = 0
        self.total = 0
        self.note = ""

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Report progress; raises Cancelled if the user cancelled."""
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if note is not None:
                self.note = note
            seen = (self.done, self.total, self.note)
        if self.on_progress is not None:
            self.on_progress(*seen)
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
