"""Errors of the store that an officer can act on, each with a message in both languages."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from forms.i18n import Message, message

if TYPE_CHECKING:
    from forms.engine import Evaluation


class StoreError(Exception):
    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


class NewerDatabaseError(StoreError):
    pass


class NotFound(StoreError):
    pass


class ConflictError(StoreError):
    """The household changed since the caller read it (another window, an import)."""


class OutsideCommunes(StoreError):
    """The household's commune is not one the officer is enrolled for."""


class NotCompletable(StoreError):
    """Errors remain; `evaluation` says which."""

    def __init__(self, msg: Message, evaluation: Evaluation):
        super().__init__(msg)
        self.evaluation = evaluation


class NeedsConfirmation(NotCompletable):
    """Only warnings remain: the officer must confirm them to complete."""


_SQLITE_MESSAGES = (
    ("disk is full", "store_disk_full"),
    ("database is locked", "store_locked"),
    ("readonly database", "store_read_only"),
    ("not a database", "store_not_a_database"),
    ("unable to open database", "store_cannot_open"),
    ("disk i/o error", "store_io_error"),
    ("malformed", "store_damaged_now"),
    ("could not decode to utf-8", "store_damaged_now"),
)
# Below this much free space an I/O error is the full disk: SQLite says SQLITE_FULL only when a
# page write fails, but with 0 bytes free it fails earlier, growing its WAL index (-shm) or
# syncing, and reports a plain I/O error.
NEARLY_FULL = 8 << 20


def _disk_nearly_full(path: str) -> bool:
    folder = Path(path).parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL
    except OSError:
        return False


@contextlib.contextmanager
def plain_errors(path: str) -> Iterator[None]:
    """Turn SQLite's errors that a person can act on into StoreError with a plain message."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        for needle, key in _SQLITE_MESSAGES:
            if needle in text:
                if key == "store_io_error" and _disk_nearly_full(path):
                    key = "store_disk_full"
                raise StoreError(message(key, path=path)) from exc
        raise
