"""An officer's encrypted profile: create, unlock (with a growing wait after a wrong
passphrase), change the passphrase, convert a plain profile, recover with the province's
key. Used by the command line (forms/cli.py) and the desktop (desktop/unlock_dialog.py).

The wait after wrong passphrases (1, 2, 4, 8 ... s, at most 15 min) is kept in a file beside
the key file, so that restarting the program does not reset it. It slows down someone trying
passphrases at the laptop; against a copied file, what counts is the KDF's cost per guess
(forms/store/keys.py) and the passphrase's length.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from forms import paths
from forms.i18n import Message, message
from forms.registry import FormRegistry
from forms.store import NewerDatabaseError, Store, StoreError, cipher, encryption, keys, schema
from forms.store.encryption import Counts
from forms.store.keys import (
    KeyFile,
    MustWait,
    WrongPassphrase,
    WrongRecoveryKey,
    add_recovery_key,
    database_of,
    is_encrypted,
)

__all__ = [
    "MIN_LENGTH", "MustWait", "ProfileStatus", "WeakPassphrase", "WrongPassphrase", "WrongRecoveryKey",
    "add_recovery_key", "change_passphrase", "create", "encrypt", "passphrase_problems", "recover", "status", "unlock",
]

MIN_LENGTH = 10
ENV_PASSPHRASE = "LABOUR_SURVEY_PASSPHRASE"  # the passphrase for scripts and tests, instead of asking
MAX_WAIT = 15 * 60
Clock = Callable[[], float]
# Passphrases people pick first; a thief tries them first too (compared without diacritics,
# case or spaces).
# Easily guessed, and the examples our own messages give (the first ones people copy).
_COMMON = {"matkhau", "matkhau123", "matkhau1234", "password", "password1", "password123", "123456789",
           "1234567890", "qwertyuiop", "abc123456", "abcd12345", "abcdefghij", "iloveyou", "laodong", "vietnam",
           "anhyeuem", "emyeuanh", "admin12345", "thanhhoa", "hanoi", "12345678910", "a123456789", "123456789a",
           "0123456789", "1111111111", "qwerty123", "asdfghjkl", "zxcvbnm123", "luachinvang2026", "ripericefield2026"}


class WeakPassphrase(StoreError):
    pass


def _folded(text: str) -> str:
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return re.sub(r"[\W_]+", "", "".join(c for c in base if not unicodedata.combining(c)))


def passphrase_problems(passphrase: str, repeated: str | None = None) -> list[Message]:
    """Why a new passphrase is refused (empty if it is accepted). `repeated`: the second
    typing, when asked twice."""
    out: list[Message] = []
    p = unicodedata.normalize("NFC", passphrase)
    folded = _folded(p)
    if len(p) < MIN_LENGTH:
        out.append(message("security_weak_short", n=MIN_LENGTH))
    elif p.isdigit():
        out.append(message("security_weak_digits"))
    elif len(set(p)) < 5 or folded in _COMMON or folded in "abcdefghijklmnopqrstuvwxyz0123456789" * 2:
        out.append(message("security_weak_common"))
    if repeated is not None and unicodedata.normalize("NFC", repeated) != p:
        out.append(message("security_mismatch"))
    return out


def _check_new(passphrase: str) -> None:
    problems = passphrase_problems(passphrase)
    if problems:
        raise WeakPassphrase(problems[0])


# -- waiting after wrong passphrases ---------------------------------------------------------
def delay_after(failures: int) -> float:
    return 0.0 if failures <= 0 else float(min(2 ** min(failures - 1, 20), MAX_WAIT))


def duration(seconds: float) -> Message:
    """'8 giây', '4 phút': how long to wait, rounded up."""
    s = max(1, math.ceil(seconds))
    if s < 90:
        return message("security_seconds", n=s)
    return message("security_minutes", n=math.ceil(s / 60))


def attempts_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".attempts.json")


@dataclass(slots=True)
class Attempts:
    failures: int = 0
    last_failure: float = 0.0

    @classmethod
    def load(cls, db_path: Path) -> Attempts:
        try:
            raw = json.loads(attempts_path(db_path).read_text(encoding="utf-8"))
            return cls(int(raw["failures"]), float(raw["last_failure"]))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, db_path: Path) -> None:
        if not self.failures:
            attempts_path(db_path).unlink(missing_ok=True)
            return
        body = json.dumps({"failures": self.failures, "last_failure": self.last_failure})
        keys.atomic_write(attempts_path(db_path), body.encode("ascii"))

    def wait(self, now: float) -> float:
        # A clock set back counts as no time passed, never as a longer wait than the delay.
        elapsed = max(0.0, now - self.last_failure)
        return max(0.0, delay_after(self.failures) - elapsed)


def wait_before_next_try(path: str | Path, clock: Clock = time.time) -> float:
    return Attempts.load(database_of(path)).wait(clock())


# -- the operations --------------------------------------------------------------------------
def if_forgotten(key_file: KeyFile) -> Message:
    """What a forgotten passphrase means for this profile: recoverable at the district office
    only if the province's recovery key was added (at enrollment); never promise it otherwise."""
    return message("security_if_forgotten" if key_file.recovery else "security_if_forgotten_lost")


def forgot_text(path: str | Path) -> Message:
    """The unlock screens' footer: what to do if the passphrase is forgotten."""
    try:
        recoverable = bool(KeyFile.load(database_of(path)).recovery)
    except StoreError:
        recoverable = False
    return message("security_forgot" if recoverable else "security_forgot_lost")


def unlock(path: str | Path, passphrase: str, *, clock: Clock = time.time) -> bytes:
    """The profile's data key, remembered for this process (so Store(path) opens it); raises
    MustWait (nothing tried) or WrongPassphrase (with the new wait)."""
    db = database_of(path)
    key_file = KeyFile.load(db)
    attempts = Attempts.load(db)
    wait = attempts.wait(clock())
    if wait > 0:
        raise MustWait(message("security_must_wait", failures=attempts.failures, wait=duration(wait),
                               recovery=if_forgotten(key_file)), wait)
    data_key = key_file.unwrap(passphrase)
    if data_key is None:
        attempts.failures += 1
        attempts.last_failure = clock()
        attempts.save(db)
        wait = delay_after(attempts.failures)
        raise WrongPassphrase(message("security_wrong_passphrase", wait=duration(wait),
                                      recovery=if_forgotten(key_file)), wait)
    if attempts.failures:
        Attempts().save(db)
    keys.remember(db, data_key)
    return data_key


def _recovery_pems(db: Path, given: Iterable[bytes]) -> list[bytes]:
    pending = keys.pending_recovery_key(db)
    return [*given, *([pending] if pending else [])]


def create(path: str | Path, passphrase: str, *, recovery_public_keys: Iterable[bytes] = (),
           forms: FormRegistry | None = None, kdf: keys.Kdf | None = None) -> bytes:
    """A new encrypted profile; returns its data key (also remembered for this process)."""
    db = database_of(path)
    if is_encrypted(db) or (db.exists() and db.stat().st_size > 0):
        raise StoreError(message("security_profile_exists", path=db))
    _check_new(passphrase)
    data_key = keys.new_data_key()
    key_file = KeyFile.new(data_key, passphrase, kdf)
    for pem in _recovery_pems(db, recovery_public_keys):
        key_file.add_recovery(data_key, pem)
    db.parent.mkdir(parents=True, exist_ok=True)
    key_file.save(db)  # first: a database without its key file would look plain, and unreadable
    Store(db, forms, key=data_key).close()
    keys.pending_recovery_path(db).unlink(missing_ok=True)
    keys.remember(db, data_key)
    return data_key


def refuse_newer(path: str | Path) -> None:
    """NewerDatabaseError for a plain profile written by a newer program: it is neither
    opened nor converted (the newer program's own conversion is the one to use)."""
    db = database_of(path)
    if not db.exists() or is_encrypted(db) or not cipher.is_plain_file(db):
        return
    conn = sqlite3.connect(db)
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return  # what is wrong with it is said when it is opened
    finally:
        conn.close()
    if found > schema.LATEST:
        raise NewerDatabaseError(message("store_newer_schema", path=db, found=found, known=schema.LATEST))


def encrypt(path: str | Path, passphrase: str, *, recovery_public_keys: Iterable[bytes] = (),
            kdf: keys.Kdf | None = None, on_step: encryption.Step | None = None) -> tuple[bytes, Counts]:
    """Convert a plain profile (see forms/store/encryption.py); returns the data key and what
    was copied. The plain file, its journal files and plain backups are overwritten and deleted."""
    db = database_of(path)
    if is_encrypted(db):
        raise StoreError(message("security_already_encrypted", path=db))
    if not db.exists():
        raise StoreError(message("security_no_profile", path=db))
    refuse_newer(db)
    _check_new(passphrase)
    data_key = keys.new_data_key()
    key_file = KeyFile.new(data_key, passphrase, kdf)
    for pem in _recovery_pems(db, recovery_public_keys):
        key_file.add_recovery(data_key, pem)
    counts = encryption.convert(db, data_key, lambda: key_file.save(db), on_step)
    keys.pending_recovery_path(db).unlink(missing_ok=True)
    keys.remember(db, data_key)
    return data_key, counts


def _check_key(db: Path, data_key: bytes) -> None:
    """The data key opens the database (StoreError if not)."""
    encryption.finish_interrupted(db)  # a conversion cut short: the encrypted copy takes its place first
    if db.exists():
        with cipher.plain_errors(str(db)):
            cipher.connect(db, data_key).close()


def change_passphrase(path: str | Path, old: str, new: str, *, clock: Clock = time.time,
                      kdf: keys.Kdf | None = None) -> None:
    _check_new(new)
    set_passphrase(path, unlock(path, old, clock=clock), new, kdf=kdf)


def set_passphrase(path: str | Path, data_key: bytes, new: str, *, kdf: keys.Kdf | None = None) -> None:
    """Wrap the (unlocked) data key under a new passphrase; the database is not rewritten."""
    db = database_of(path)
    _check_new(new)
    key_file = KeyFile.load(db)
    _check_key(db, data_key)  # a wrong key wrapped would lock the officer out for good
    key_file.rewrap(data_key, new, kdf)
    key_file.save(db)


def recover(path: str | Path, private_pem: bytes, new_passphrase: str, *, pem_password: bytes | None = None,
            kdf: keys.Kdf | None = None) -> str:
    """Re-wrap the data key under a new passphrase with the province's recovery private key
    (offline). Returns the recovery key's fingerprint. Clears the wait after wrong passphrases."""
    db = database_of(path)
    key_file = KeyFile.load(db)
    _check_new(new_passphrase)
    private = keys.load_recovery_private_key(private_pem, pem_password)
    fp = keys.fingerprint(private.public_key())
    data_key = key_file.recover(private)
    if data_key is None:
        known = ", ".join(r.get("fingerprint", "?") for r in key_file.recovery)
        raise WrongRecoveryKey(message("security_wrong_recovery_key", path=db, fingerprint=fp,
                                       known=known or message("security_none")))
    _check_key(db, data_key)
    key_file.rewrap(data_key, new_passphrase, kdf)
    key_file.save(db)
    Attempts().save(db)
    return fp


@dataclass(slots=True)
class ProfileStatus:
    path: Path
    exists: bool
    encrypted: bool
    recovery: list[str] = field(default_factory=list)  # fingerprints of the recovery keys
    pending_recovery: bool = False  # a plain profile holding a recovery public key for later
    failures: int = 0
    wait: float = 0.0


def status(path: str | Path, *, clock: Clock = time.time) -> ProfileStatus:
    db = database_of(path)
    encrypted = is_encrypted(db)
    st = ProfileStatus(db, db.exists() or encrypted, encrypted, pending_recovery=keys.pending_recovery_key(db) is not None)
    if encrypted:
        st.recovery = [str(r.get("fingerprint")) for r in KeyFile.load(db).recovery]
        attempts = Attempts.load(db)
        st.failures, st.wait = attempts.failures, attempts.wait(clock())
    return st


def profile_names(data_dir: str | Path | None = None) -> list[str]:
    folder = paths.data_dir(data_dir) / "profiles"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / paths.DB_NAME).exists() or is_encrypted(p / paths.DB_NAME))
