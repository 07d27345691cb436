"""Errors: the ones an officer can act on (disk full, database locked, newer database) are
shown as plain messages saying what to do; programming errors are written with their
traceback to a log file in the data folder and shown with that file's path.

The log and the error dialog hold exception types and code locations only, never an
exception's message or variables: a message can quote an answer (`KeyError: '038075000001'`,
`ValueError: ... 'Đặng Văn Hùng'`), and the log lies unencrypted beside the encrypted profile
and gets sent to the district's support."""

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
        text = scrubbed_traceback(exc, tb)
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
                           details=f"{type(exc).__name__} {_where(exc, tb)}", error=True)
        finally:
            self._reporting = False


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _where(exc: BaseException, tb: TracebackType | None) -> str:
    frames = traceback.extract_tb(tb or exc.__traceback__)
    return f"({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""


def scrubbed_traceback(exc: BaseException, tb: TracebackType | None = None, _seen: set[int] | None = None) -> str:
    """The traceback as Python prints it (chained exceptions too), without the messages."""
    seen = _seen if _seen is not None else set()
    seen.add(id(exc))
    out = ""
    if exc.__cause__ is not None and id(exc.__cause__) not in seen:
        out = scrubbed_traceback(exc.__cause__, None, seen)
        out += "\nThe above exception was the direct cause of the following exception:\n\n"
    elif exc.__context__ is not None and not exc.__suppress_context__ and id(exc.__context__) not in seen:
        out = scrubbed_traceback(exc.__context__, None, seen)
        out += "\nDuring handling of the above exception, another exception occurred:\n\n"
    lines = ["Traceback (most recent call last):"]
    for frame in traceback.extract_tb(tb or exc.__traceback__):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")  # the program's source, not data
    lines.append(f"{_type_name(exc)} (its message is not logged: it may quote survey answers)")
    return out + "\n".join(lines) + "\n"


_current: ErrorReporter | None = None


def report(exc: BaseException) -> None:
    """Report an error caught by the program (e.g. from a worker thread)."""
    if _current is None:
        raise exc
    _current.report(exc)
