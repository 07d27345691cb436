"""Converting a plain profile to an encrypted one, once, so that a crash or a kill at any point
leaves either the old plain profile intact or the new encrypted one complete.

Files (P = households.sqlite):
- P.encrypting: the encrypted copy being written; worthless (its key exists nowhere) until
  the key file is written, and the key file is written only after the copy is verified;
- P.keys.json: the key file; its presence means the profile is encrypted;
- P.plain-old: the plain file moved aside, overwritten and deleted once the copy is in place.

Steps: export -> verify -> key file -> move P aside -> copy in place of P -> remove the plain
leftovers. `finish_interrupted` completes the steps after the key file on the next opening.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlcipher3 import dbapi2

from forms.i18n import message
from forms.store import cipher, profile_lock
from forms.store.errors import StoreError
from forms.store.keys import fsync_dir, is_encrypted

Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Counts:
    user_version: int
    households: int
    change_log: int


def encrypting_path(path: Path) -> Path:
    return path.with_name(path.name + ".encrypting")


def plain_old_path(path: Path) -> Path:
    return path.with_name(path.name + ".plain-old")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def _counts(conn: sqlite3.Connection | dbapi2.Connection, schema: str = "main") -> Counts:
    tables = {r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")}

    def count(table: str) -> int:
        return conn.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()[0] if table in tables else -1

    return Counts(conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0], count("households"), count("change_log"))


def convert(path: Path, key: bytes, write_key_file: Callable[[], None], on_step: Step | None = None) -> Counts:
    """Encrypt the plain database at `path` with `key`; `write_key_file` is called once the
    encrypted copy is verified. `on_step(name)` is called after each durable step (tests kill
    the process there). Returns what was copied."""
    step = on_step or (lambda _name: None)
    if is_encrypted(path):
        raise StoreError(message("security_already_encrypted", path=path))
    target = encrypting_path(path)
    with profile_lock.exclusive(path):  # no Store open on it, in this process or another
        for stale in (target, *_sidecars(target)):
            stale.unlink(missing_ok=True)  # an earlier attempt's copy: its key was never written
        conn = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            counts = _export(conn, path, target, key)
            step("exported")
            _verify(target, key, counts)
            step("verified")
            write_key_file()
            step("key_file")
        finally:
            conn.close()  # the journal mode is DELETE now: no -wal is left behind
        _swap(path, step)
        step("swapped")
        remove_plain_leftovers(path)
        step("cleaned")
    return counts


def _export(conn: dbapi2.Connection, path: Path, target: Path, key: bytes) -> Counts:
    with cipher.plain_errors(str(path)):
        conn.execute("PRAGMA busy_timeout = 2000")
        try:
            # Leaving WAL needs every other connection closed: a desktop still holding the
            # profile would go on writing to the file about to be replaced.
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except dbapi2.OperationalError:
            mode = ""
        if mode != "delete":
            raise StoreError(message("security_open_elsewhere", path=path))
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # the exclusive lock stays until close: nobody writes meanwhile
        # An encrypted copy of a damaged file would pass the comparison and replace the only original.
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreError(message("security_source_damaged", path=path))
        counts = _counts(conn)
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", [str(target)])
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {counts.user_version}")  # sqlcipher_export leaves it out
        conn.execute("DETACH DATABASE enc")
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    return counts


def _verify(target: Path, key: bytes, expected: Counts) -> None:
    try:
        enc = cipher.connect(target, key)
    except dbapi2.DatabaseError:
        raise StoreError(message("security_verify_failed", path=target)) from None
    try:
        ok = enc.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and _counts(enc) == expected
        if ok:
            enc.execute("PRAGMA journal_mode = WAL")  # as the store keeps it
    finally:
        enc.close()
    if not ok:
        raise StoreError(message("security_verify_failed", path=target))


def _swap(path: Path, step: Step | None = None) -> None:
    """The verified copy in place of the plain file: the plain one is moved aside first (not
    replaced) so that it can be overwritten before it is deleted."""
    target, old = encrypting_path(path), plain_old_path(path)
    if path.exists() and cipher.is_plain_file(path):
        os.replace(path, old)
        fsync_dir(path.parent)
        if step is not None:
            step("moved_aside")
    os.replace(target, path)
    fsync_dir(path.parent)


def finish_interrupted(path: Path) -> None:
    """Complete a conversion cut after its key file was written (call when the key file exists)."""
    target = encrypting_path(path)
    if target.exists():
        if not path.exists() or cipher.is_plain_file(path):
            _swap(path)
        else:  # the profile is encrypted already: a leftover copy
            for stale in (target, *_sidecars(target)):
                stale.unlink(missing_ok=True)
    elif path.exists() and cipher.is_plain_file(path) and path.stat().st_size > 0:
        # A key file beside a plain database with no copy to finish: nothing here is safe to guess.
        raise StoreError(message("security_inconsistent", path=path))
    if plain_old_path(path).exists() or any(plain_backups(path)):
        remove_plain_leftovers(path)


def plain_backups(path: Path) -> list[Path]:
    """The store's pre-migration backups (`.schema-N.bak`) and daily ones (`.daily-DATE.bak`,
    forms.store.health) that are in clear."""
    found = [*path.parent.glob(path.name + ".schema-*.bak"), *path.parent.glob(path.name + ".daily-*.bak")]
    return [p for p in sorted(found) if cipher.is_plain_file(p)]


def remove_plain_leftovers(path: Path) -> None:
    old = plain_old_path(path)
    for leftover in (old, *_sidecars(old), *plain_backups(path)):
        cipher.shred(leftover)
    fsync_dir(path.parent)
