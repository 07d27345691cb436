"""SQLCipher connections for encrypted profiles (the sqlcipher3 package: SQLite with SQLCipher
4 built in, FTS5 included).

A plain profile keeps Python's own sqlite3; only an encrypted one goes through sqlcipher3,
whose exceptions are classes of their own: `plain_errors` turns them into the sqlite3 ones
that forms.store.errors maps to messages an officer can act on.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlcipher3 import dbapi2

from forms.store import errors

SQLITE_HEADER = b"SQLite format 3\x00"
DatabaseError = dbapi2.DatabaseError


def key_pragma(key: bytes, schema: str = "main") -> str:
    if len(key) != 32:
        raise ValueError("a data key is 32 bytes")
    # A raw key (x'...'): SQLCipher uses it as is, without its own passphrase KDF.
    return f"PRAGMA {schema}.key = \"x'{key.hex()}'\""


def connect(path: str | Path, key: bytes) -> dbapi2.Connection:
    """An encrypted connection, in autocommit mode like the store's sqlite3 one; the key is
    checked at once (a wrong one fails here, not at the first query)."""
    conn = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute(key_pragma(key))
        # Sorts and temporary indexes in memory: a temporary file would be written in clear.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def is_plain_file(path: str | Path) -> bool:
    """True for an unencrypted SQLite file (or an empty one), False for an encrypted one."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return head == SQLITE_HEADER or head == b""


def _as_sqlite_error(exc: dbapi2.Error) -> sqlite3.Error:
    cls = getattr(sqlite3, type(exc).__name__, sqlite3.DatabaseError)
    return cls(*exc.args)


@contextlib.contextmanager
def plain_errors(path: str) -> Iterator[None]:
    """forms.store.errors.plain_errors for both sqlite3 and sqlcipher3 connections."""
    with errors.plain_errors(path):
        try:
            yield
        except dbapi2.DatabaseError as exc:
            raise _as_sqlite_error(exc) from exc


def backup(conn: sqlite3.Connection | dbapi2.Connection, target: Path, key: bytes | None) -> None:
    """Copy a database to `target` with SQLite's backup API; an encrypted one stays encrypted
    under the same key (a backup in clear would undo the encryption)."""
    if key is None:
        dest: sqlite3.Connection | dbapi2.Connection = sqlite3.connect(target)
    else:
        dest = dbapi2.connect(str(target))
        dest.execute(key_pragma(key))
    try:
        with dest:
            conn.backup(dest)  # type: ignore[arg-type]
    finally:
        dest.close()


def shred(path: Path) -> None:
    """Overwrite a file with zeros, fsync, then delete it. Best effort: an SSD or a
    copy-on-write file system may keep the old blocks elsewhere."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    try:
        with open(path, "r+b", buffering=0) as fh:
            chunk = b"\0" * (1 << 20)
            done = 0
            while done < size:
                done += fh.write(chunk[: min(len(chunk), size - done)])
            os.fsync(fh.fileno())
    except OSError:
        pass  # still delete it: an unreadable file is better gone than kept
    path.unlink(missing_ok=True)
