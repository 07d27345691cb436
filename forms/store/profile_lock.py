"""Who has a profile open. Every Store holds a shared lock on `<database>.lock` while it is
open; converting a profile to an encrypted one needs it exclusively, so that a window still
holding the plain file cannot go on writing into a file that is about to be replaced.

SQLite's own locks cannot say this: an idle connection in WAL mode holds no lock on the
database file. A separate file because closing any descriptor of the database itself would
drop SQLite's POSIX locks on it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from forms.i18n import message
from forms.store.errors import StoreError

_SPAN = 1 << 30  # Windows: byte-range locks only; each holder locks one byte of this range


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class ProfileLock:
    def __init__(self, fd: int):
        self.fd: int | None = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock, on every system
            self.fd = None

    def __del__(self) -> None:  # a Store dropped without close(): its lock goes with it
        self.release()

    def __enter__(self) -> ProfileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _open(db_path: Path) -> int | None:
    try:
        return os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # a read-only folder: nothing can convert the profile there either


def shared(db_path: Path) -> ProfileLock | None:
    """Held while a Store is open; StoreError while the profile is being converted."""
    fd = _open(db_path)
    if fd is None:
        return None
    try:
        if os.name == "nt":
            import msvcrt

            for _ in range(8):  # another holder on the same byte: draw again
                os.lseek(fd, 1 + secrets.randbelow(_SPAN - 1), os.SEEK_SET)
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    continue
            else:
                raise BlockingIOError
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(message("security_being_converted", path=db_path)) from None
    return ProfileLock(fd)


def exclusive(db_path: Path) -> ProfileLock:
    """Nobody else has the profile open (StoreError otherwise), until released."""
    fd = _open(db_path)
    if fd is None:
        raise StoreError(message("store_read_only", path=db_path))
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, _SPAN)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(message("security_open_elsewhere", path=db_path)) from None
    return ProfileLock(fd)
