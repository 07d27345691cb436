"""Errors: the ones an officer can act on (disk full, database locked, newer database) are
shown as plain messages saying what to do; programming errors are written with their
traceback to a log file in the data folder and shown with that file's path."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path
from types import TracebackType

from desktop import dialogs
from desktop.text import t
from forms.store import StoreError


class ErrorReporter:
    def __init__(self, log_path: Path):
        self.log_path = log_path
        self._reporting = False

    def install(self) -> None:
        global _current
        _current = self
        sys.excepthook = self.hook

    def hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc, tb)

    def log(self, exc: BaseException, tb: TracebackType | None = None) -> Path:
        """Append the error with its traceback to the log file; return the file's path."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n{text}\n")
        return self.log_path

    def report(self, exc: BaseException, tb: TracebackType | None = None) -> None:
        if self._reporting:  # an error while showing an error: only log it
            self.log(exc, tb)
            return
        self._reporting = True
        try:
            if isinstance(exc, StoreError):
                dialogs.warn(None, t("error_title"), exc.msg.text())
                return
            path = self.log(exc, tb)
            dialogs.inform(None, t("error_title"), t("error_unexpected", path=str(path)),
                           details=f"{type(exc).__name__}: {exc}"[:500], error=True)
        finally:
            self._reporting = False


_current: ErrorReporter | None = None


def report(exc: BaseException) -> None:
    """Report an error caught by the program (e.g. from a worker thread)."""
    if _current is None:
        raise exc
    _current.report(exc)
