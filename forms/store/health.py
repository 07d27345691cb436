"""Is the profile's file whole, and something to go back to when it is not.

A disk or a power cut can overwrite bytes inside the file. SQLite notices only when it reads
the damaged page, so a profile opened without a check fails later, in the middle of a command
(or, in a plain file, returns wrong text without noticing). So every opening first checks the
file, on a separate read-only connection that can never write to it:
- an encrypted profile: `PRAGMA cipher_integrity_check`, which verifies every page's HMAC
  (any byte changed in any page is found);
- a plain profile: `PRAGMA quick_check` (the b-trees' structure; a changed byte inside a
  record is found only if it breaks the structure: plain profiles are for test data).

A profile that passed its check gets a backup once a day (SQLite's backup API, encrypted under
the same key, never in clear), the newest KEEP kept. A damaged profile is never opened for
writing: restore_backup moves it aside (kept, so that `profile salvage` can still read it)
and puts a checked backup in its place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlcipher3 import dbapi2

from forms.i18n import Message, message
from forms.store import cipher, profile_lock
from forms.store.errors import StoreError
from forms.store.keys import fsync_dir

KEEP = 3  # daily backups kept: three days to notice a damage before the last good copy goes
BACKUP_GLOB = ".daily-*.bak"
DAMAGED = ".damaged-"
# Problems listed at most: one is enough to refuse the file, and a wrecked file has thousands.
MOST = 20


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    day: str  # YYYY-MM-DD, from its name
    households: int | None  # None: the backup itself cannot be read


class Damaged(StoreError):
    """The profile's file failed its check: `problems` in SQLite's words, and a message that
    says what happened and what the officer can do."""

    def __init__(self, db: Path, key: bytes | None, found: list[str]):
        super().__init__(damaged_message(db, key))
        self.problems = found


def damaged_message(db: Path, key: bytes | None) -> Message:
    profile = db.parent.name
    whole = [b for b in describe(db, key) if b.households is not None]
    if whole:
        return message("store_damaged", path=db, profile=profile, day=whole[0].day, households=whole[0].households)
    return message("store_damaged_no_backup", path=db, profile=profile)


def backup_path(db: Path, day: dt.date) -> Path:
    return db.with_name(f"{db.name}.daily-{day.isoformat()}.bak")


def backups(db: Path) -> list[Path]:
    """The daily backups, newest first."""
    return sorted(db.parent.glob(db.name + BACKUP_GLOB), reverse=True)


def damaged_copies(db: Path) -> list[Path]:
    return sorted(p for p in db.parent.glob(db.name + DAMAGED + "*") if not p.name.endswith(("-wal", "-shm")))


@contextlib.contextmanager
def read_only(path: Path, key: bytes | None) -> Iterator[sqlite3.Connection | dbapi2.Connection]:
    """A connection that cannot write to `path` (mode=ro): reading a damaged file never makes it
    worse, and closing it never checkpoints a WAL into it."""
    uri = f"file:{path}?mode=ro"
    conn: sqlite3.Connection | dbapi2.Connection
    if key is None:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = dbapi2.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        if key is not None:
            conn.execute(cipher.key_pragma(key))
            conn.execute("PRAGMA temp_store = MEMORY")
        yield conn
    finally:
        conn.close()


def problems(path: Path, key: bytes | None) -> list[str]:
    """What is wrong with the database file at `path` (SQLite's words, for the technical
    officer); [] when it is whole. Nothing is written to the file."""
    try:
        with read_only(path, key) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if key is not None:
                # Every page's HMAC: finds any changed byte. quick_check on top would find nothing
                # more and costs 2.5 times as long (20,000 households: 1.1 s against 2.8 s).
                return [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchmany(MOST)]
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({MOST})")]
            return [] if rows == ["ok"] else rows
    except (sqlite3.DatabaseError, dbapi2.DatabaseError) as exc:
        name = str(getattr(exc, "sqlite_errorname", ""))
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(w in str(exc).lower() for w in _DAMAGE):
            return [str(exc)]
        raise  # a full disk, a lock, a permission: not damage, and forms.store.errors says which


# SQLite's words for a file whose bytes are wrong, as opposed to a disk that cannot be used now.
_DAMAGE = ("malformed", "not a database", "could not decode", "corrupt", "hmac", "unsupported file format")


# Files that passed their check in this process, by path and inode: the window opens the store
# again from its threads (the list's counts, sync, printing), and a second check of a file that
# passed costs a second (20,000 households) for nothing. A restored file is a new inode.
_CHECKED: set[tuple[str, int]] = set()


def _identity(path: Path) -> tuple[str, int]:
    return str(path.resolve()), path.stat().st_ino


def checked_already(path: Path) -> bool:
    return _identity(path) in _CHECKED


def mark_checked(path: Path) -> None:
    _CHECKED.add(_identity(path))


def households_in(path: Path, key: bytes | None) -> int | None:
    try:
        with read_only(path, key) as conn:
            return conn.execute("SELECT count(*) FROM households WHERE deleted_at IS NULL").fetchone()[0]
    except (sqlite3.DatabaseError, dbapi2.DatabaseError):
        return None


def describe(db: Path, key: bytes | None) -> list[Backup]:
    out = []
    for p in backups(db):
        day = p.name[len(db.name) + len(".daily-"):-len(".bak")]
        out.append(Backup(p, day, households_in(p, key)))
    return out


def backup_if_due(conn: sqlite3.Connection | dbapi2.Connection, db: Path, key: bytes | None,
                  today: dt.date | None = None) -> Path | None:
    """Today's backup of a profile that has just passed its check, unless there is one already;
    then only the newest KEEP are kept. Written beside it and renamed, so that a kill midway
    leaves no half backup under a backup's name."""
    today = today or dt.date.today()
    target = backup_path(db, today)
    if target.exists():
        return None
    if conn.execute("SELECT count(*) FROM households").fetchone()[0] == 0:
        return None  # nothing to go back to yet
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    cipher.backup(conn, part, key)
    os.replace(part, target)
    fsync_dir(db.parent)
    for old in backups(db)[KEEP:]:
        # A plain profile's backups are in clear: overwritten, not only unlinked.
        cipher.shred(old) if key is None else old.unlink(missing_ok=True)
    return target


def restore(db: Path, key: bytes | None, chosen: Path | None = None) -> tuple[Backup, Path | None]:
    """Put the newest whole backup (or `chosen`) in place of the profile's file. The file it
    replaces is moved aside as DB.damaged-<time> (with its WAL), never deleted; returns the
    backup restored and where the old file went. Raises LookupError when no backup is whole."""
    candidates = [b for b in describe(db, key) if chosen is None or b.path == chosen]
    good = next((b for b in candidates if b.households is not None and not problems(b.path, key)), None)
    if good is None:
        raise LookupError(str(chosen or db))
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    aside = db.with_name(f"{db.name}{DAMAGED}{stamp}")
    with profile_lock.exclusive(db):  # no window or command has it open
        moved = None
        if db.exists():
            for suffix in ("-wal", "-shm"):
                side = db.with_name(db.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            os.replace(db, aside)
            moved = aside
        part = db.with_name(db.name + ".restoring")
        with read_only(good.path, key) as src:
            cipher.backup(src, part, key)
        os.replace(part, db)
        fsync_dir(db.parent)
    return good, moved


def salvage(path: Path, key: bytes | None, out: IO[str]) -> tuple[int, int]:
    """Write every household that can still be read from a damaged file as JSON Lines (the
    format `households import` reads); returns (written, unreadable). Row by row, so that one
    damaged page costs only the households on it."""
    written = unreadable = 0
    with read_only(path, key) as conn:
        try:
            rowids = [r[0] for r in conn.execute("SELECT rowid FROM households WHERE deleted_at IS NULL")]
        except (sqlite3.DatabaseError, dbapi2.DatabaseError):
            rowids = _rowids_by_probing(conn)
        for rowid in rowids:
            try:
                row = conn.execute("SELECT uuid, form_id, form_version, status, officer, data FROM households "
                                   "WHERE rowid = ? AND deleted_at IS NULL", [rowid]).fetchone()
                if row is None or row[5] is None:
                    continue
                record: dict[str, Any] = {"uuid": row[0], "form_id": row[1], "form_version": row[2],
                                          **json.loads(row[5])}
            except (sqlite3.DatabaseError, dbapi2.DatabaseError, ValueError):
                unreadable += 1
                continue
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            written += 1
    return written, unreadable


def _rowids_by_probing(conn: sqlite3.Connection | dbapi2.Connection) -> list[int]:
    """The table's rowids when a full scan fails on a damaged page: each rowid up to the largest
    the sequence of writes can have reached, looked up one at a time."""
    try:
        top = conn.execute("SELECT max(rowid) FROM households").fetchone()[0] or 0
    except (sqlite3.DatabaseError, dbapi2.DatabaseError):
        top = 1_000_000
    found = []
    for rowid in range(1, top + 1):
        with contextlib.suppress(sqlite3.DatabaseError, dbapi2.DatabaseError):
            if conn.execute("SELECT 1 FROM households WHERE rowid = ?", [rowid]).fetchone():
                found.append(rowid)
    return found
