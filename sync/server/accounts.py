"""Officers, one-time enrollment codes and device tokens. Only hashes are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from forms.i18n import message
from sync.server.db import devices, enrollments, officers, reading
from sync.server.errors import ServerError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_DAYS = 14


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def digest(secret: str) -> str:
    # Tokens and codes are long random strings, so a plain SHA-256 is enough: nothing to
    # guess, and a stolen server database holds no usable token.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(slots=True)
class Device:
    id: int
    officer_id: int
    username: str
    name: str
    communes: list[str]
    role: str = "officer"


class AccountError(ServerError):
    pass


def add_officer(engine: Engine, username: str, name: str, communes: list[str], role: str = "officer") -> str:
    """Create an officer (or a supervisor) for some communes; returns their first enrollment code."""
    communes = [c for c in communes if c]
    bad = [c for c in communes if not (len(c) == 5 and c.isdigit())]
    if not communes:
        raise AccountError(message("admin_no_communes"))
    if bad:
        raise AccountError(message("admin_bad_communes", codes=", ".join(bad)))
    with engine.begin() as conn:
        if conn.execute(select(officers.c.id).where(officers.c.username == username)).first():
            raise AccountError(message("admin_officer_exists", username=username))
        officer_id = conn.execute(insert(officers).values(
            username=username, name=name, communes=json.dumps(sorted(set(communes))), role=role, active=True,
            created_at=now())).inserted_primary_key[0]
    return new_code(engine, username, _officer_id=officer_id)


def new_code(engine: Engine, username: str, _officer_id: int | None = None) -> str:
    """A new one-time enrollment code for an officer's laptop, valid CODE_DAYS days."""
    with engine.begin() as conn:
        officer_id = _officer_id or conn.execute(
            select(officers.c.id).where(officers.c.username == username, officers.c.active)).scalar()
        if officer_id is None:
            raise AccountError(message("admin_no_active_officer", username=username))
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=CODE_DAYS)).isoformat(timespec="seconds")
        conn.execute(insert(enrollments).values(code_hash=digest(raw), officer_id=officer_id, expires_at=expires))
    return f"{raw[:5]}-{raw[5:]}"


def enroll(engine: Engine, code: str, device_name: str) -> tuple[str, Device]:
    """Exchange a one-time code for a device token. Raises AccountError."""
    raw = code.replace("-", "").replace(" ", "").upper()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        row = conn.execute(select(enrollments).where(enrollments.c.code_hash == digest(raw))).first()
        if row is None or row.used_at is not None or row.expires_at < now():
            raise AccountError(message("server_bad_code"))
        officer = conn.execute(select(officers).where(officers.c.id == row.officer_id, officers.c.active)).first()
        if officer is None:
            raise AccountError(message("server_bad_code"))
        conn.execute(update(enrollments).where(enrollments.c.code_hash == row.code_hash).values(used_at=now()))
        device_id = conn.execute(insert(devices).values(
            officer_id=officer.id, token_hash=digest(token), name=device_name[:200] or "laptop",
            created_at=now())).inserted_primary_key[0]
    return token, Device(device_id, officer.id, officer.username, device_name, json.loads(officer.communes), officer.role)


def active_devices(engine: Engine) -> dict[str, Device]:
    """Every laptop that may sync now, by the hash of its token."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(devices.c.id, devices.c.officer_id, devices.c.name, devices.c.token_hash, officers.c.username,
                   officers.c.communes, officers.c.role)
            .join(officers, officers.c.id == devices.c.officer_id)
            .where(devices.c.revoked_at.is_(None), officers.c.active)).fetchall()
    return {r.token_hash: Device(r.id, r.officer_id, r.username, r.name, json.loads(r.communes), r.role) for r in rows}


def device_for(engine: Engine, token: str) -> Device | None:
    """The device a token belongs to, if neither it nor its officer was revoked."""
    if not token or len(token) > 200:
        return None
    with reading(engine) as conn:
        row = conn.execute(
            select(devices.c.id, devices.c.officer_id, devices.c.name, officers.c.username, officers.c.communes,
                   officers.c.role)
            .join(officers, officers.c.id == devices.c.officer_id)
            .where(devices.c.token_hash == digest(token), devices.c.revoked_at.is_(None), officers.c.active)
        ).first()
    if row is None:
        return None
    return Device(row.id, row.officer_id, row.username, row.name, json.loads(row.communes), row.role)


def revoke_officer(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        n = conn.execute(update(officers).where(officers.c.username == username).values(active=False)).rowcount
    if not n:
        raise AccountError(message("admin_no_officer", username=username))


def revoke_device(engine: Engine, device_id: int) -> None:
    with engine.begin() as conn:
        n = conn.execute(update(devices).where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                         .values(revoked_at=now())).rowcount
    if not n:
        raise AccountError(message("admin_no_device", id=device_id))
