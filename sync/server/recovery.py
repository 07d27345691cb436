"""The province's recovery keys: X25519 key pairs whose PUBLIC half every laptop gets (at
enrollment, and at each sync for laptops enrolled earlier) and wraps its profile's data key
for (forms/store/keys.py). The PRIVATE half is written once, to a file protected by a
passphrase, and never stored here: a stolen server database must not open every laptop's
profile. The district office recovers a profile offline with that file
(`labour-survey profile recover --recovery-key FILE`).

Several keys may be active at once, and none is ever deleted, because of what a province
does with them:
- a second office (another district, a backup custodian) gets its own key pair: `--add`,
  laptops get both, either private key recovers them;
- the custodian leaves or the private key file is lost or exposed: `--replace` (or
  `retire`) stops handing the old key out; laptops enrolled earlier keep their wrap for it
  (a laptop never removes one), so its private key file, if still at hand, keeps recovering
  them until they have synced and got the new one.
A second `create` without either is refused with these two choices: an administrator
repeating a step from the manual should not silently hand laptops a key nobody meant to keep.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from forms.i18n import Message, message
from forms.store import keys
from sync.server.accounts import now
from sync.server.db import reading, recovery_keys


class RecoveryKeyError(Exception):
    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


@dataclass(frozen=True, slots=True)
class RecoveryKey:
    fingerprint: str
    public_pem: str
    origin: str  # created or imported
    created_at: str
    retired_at: str | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None


def _row(r) -> RecoveryKey:  # type: ignore[no-untyped-def]
    return RecoveryKey(r.fingerprint, r.public_pem, r.origin, r.created_at, r.retired_at)


def all_keys(engine: Engine) -> list[RecoveryKey]:
    """Every key the province ever had, oldest first."""
    with reading(engine) as conn:
        rows = conn.execute(select(recovery_keys).order_by(recovery_keys.c.created_at, recovery_keys.c.fingerprint))
        return [_row(r) for r in rows]


def active(engine: Engine) -> list[RecoveryKey]:
    """The keys laptops get, oldest first (the newest last)."""
    return [k for k in all_keys(engine) if k.active]


def check_choice(engine: Engine, fingerprint: str = "", *, add: bool, replace: bool) -> None:
    """With an active key other than `fingerprint`, a new one needs `add` or `replace`."""
    current = [k for k in active(engine) if k.fingerprint != fingerprint]
    if current and not (add or replace):
        raise RecoveryKeyError(message("recovery_key_exists", fingerprints=", ".join(k.fingerprint for k in current)))


def store_public_key(engine: Engine, public_pem: bytes, origin: str, *, add: bool = False,
                     replace: bool = False) -> RecoveryKey:
    """Keep a recovery public key and hand it to laptops from now on. `replace` retires the
    other active keys; `add` keeps them; with active keys and neither, RecoveryKeyError.
    The same key again is no error (and makes it active again if it was retired)."""
    fp = keys.fingerprint(keys.load_recovery_public_key(public_pem))  # KeyFileError for anything but X25519
    pem = public_pem.decode("ascii").strip() + "\n"
    check_choice(engine, fp, add=add, replace=replace)
    at = now()
    with engine.begin() as conn:
        if replace:
            conn.execute(update(recovery_keys).where(recovery_keys.c.fingerprint != fp, recovery_keys.c.retired_at.is_(None))
                         .values(retired_at=at))
        if conn.execute(select(recovery_keys.c.fingerprint).where(recovery_keys.c.fingerprint == fp)).first():
            conn.execute(update(recovery_keys).where(recovery_keys.c.fingerprint == fp).values(retired_at=None))
        else:
            conn.execute(insert(recovery_keys).values(fingerprint=fp, public_pem=pem, origin=origin, created_at=at))
    return next(k for k in all_keys(engine) if k.fingerprint == fp)


def public_path_for(private_path: Path) -> Path:
    """province-recovery.pem -> province-recovery.pub.pem"""
    stem = private_path.name[:-4] if private_path.name.lower().endswith(".pem") else private_path.name
    return private_path.with_name(stem + ".pub.pem")


def create(engine: Engine, private_path: Path, passphrase: bytes, *, add: bool = False,
           replace: bool = False) -> tuple[RecoveryKey, Path]:
    """Make a key pair: the private key (encrypted with `passphrase`) to `private_path` only,
    the public key beside it and into the database. Returns the key and the public file."""
    if not passphrase:
        raise RecoveryKeyError(message("recovery_key_needs_passphrase"))
    # Refuse before writing anything: a private key file without its public key in use would
    # look valid and recover nothing.
    check_choice(engine, "", add=add, replace=replace)
    public_path = public_path_for(private_path)
    for p in (private_path, public_path):
        if p.exists():
            raise RecoveryKeyError(message("recovery_key_file_exists", path=p.resolve()))
    private_pem, public_pem = keys.make_recovery_keypair(passphrase)
    _write_new(private_path, private_pem)
    try:
        _write_new(public_path, public_pem)
        key = store_public_key(engine, public_pem, "created", add=add, replace=replace)
    except BaseException:
        # Nothing half done: without its public key on the server this private key would
        # recover no profile, and an administrator might keep it believing it does.
        private_path.unlink(missing_ok=True)
        public_path.unlink(missing_ok=True)
        raise
    return key, public_path


def _write_new(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over another key file
    except FileExistsError:
        raise RecoveryKeyError(message("recovery_key_file_exists", path=path.resolve())) from None
    except OSError as exc:
        raise RecoveryKeyError(message("recovery_key_cannot_write", path=path, reason=exc.strerror or str(exc))) from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())  # the only copy of the private key: on the stick before we say so


def retire(engine: Engine, fingerprint: str) -> RecoveryKey:
    """Stop handing a key to laptops (its first characters will do, when they name one key)."""
    wanted = fingerprint.strip().lower()
    found = [k for k in all_keys(engine) if k.fingerprint.startswith(wanted)] if len(wanted) >= 4 else []
    if len(found) != 1:
        raise RecoveryKeyError(message("recovery_key_unknown", fingerprint=fingerprint))
    key = found[0]
    if key.active:
        with engine.begin() as conn:
            conn.execute(update(recovery_keys).where(recovery_keys.c.fingerprint == key.fingerprint).values(retired_at=now()))
    return next(k for k in all_keys(engine) if k.fingerprint == key.fingerprint)
