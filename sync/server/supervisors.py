"""Supervisors' sign-in to the review pages: a password set with a one-time code, then sessions.

A supervisor account is made like an officer's (`officers add NAME --role supervisor`), which
prints a one-time code. The supervisor's first visit to /review/activate exchanges that code
for a password of their choice; from then on they sign in with username and password. A
forgotten password is replaced the same way with a new code (`officers code NAME`), and that
ends every open session of theirs. `officers revoke NAME` ends them too, at the next request.

Only hashes are stored: scrypt for passwords (they are guessable, so the hash must be slow),
SHA-256 for session tokens (long random strings, nothing to guess).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, func, insert, select, update

from sync.server import audit
from sync.server.accounts import digest, now
from sync.server.db import audit_log, enrollments, officers, reading, supervisor_passwords, web_sessions

SESSION_HOURS = 12  # a working day, then sign in again
IDLE_MINUTES = 120  # a browser left open at lunch in a shared office is signed out
TOUCH_SECONDS = 60  # last_seen is written at most this often, not at every page
MIN_PASSWORD = 10
MAX_PASSWORD = 200
# Refused sign-ins for one username from one address within FAILURE_MINUTES, and that address
# waits until the oldest of them is that old. Per address, so that whoever knows a supervisor's
# username cannot keep the supervisor out from elsewhere; the tries refused while waiting are
# not counted, so that trying on does not put the end further off.
MAX_FAILURES = 10
FAILURE_MINUTES = 15
# About 0.1 s and 32 MiB per try on a small server: slow for a guesser, unnoticed by a person.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SIGNED_IN, REFUSED = "review sign-in", "review sign-in refused"  # audit log actions
DELAYED = "review sign-in delayed"  # refused unchecked: too many failures from that address


@dataclass(slots=True)
class Supervisor:
    officer_id: int
    username: str
    name: str
    communes: list[str]

    @property
    def signature(self) -> str:
        """How the supervisor is named in the review history (the officer sees it too)."""
        return f"{self.name} ({self.username})"


@dataclass(slots=True)
class Session:
    supervisor: Supervisor
    csrf: str
    token_hash: str


class SignInError(ValueError):
    """Refused; `key` is the message (messages-review.yaml) to show."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=2**26, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=2**26,
                             dklen=len(base64.b64decode(key)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


# Checked against when the username is unknown, so that an unknown name takes as long to refuse
# as a wrong password and the timing tells nothing.
_DUMMY = hash_password(secrets.token_urlsafe(16))


def check_new_password(username: str, password: str, again: str) -> None:
    if password != again:
        raise SignInError("review_password_mismatch")
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise SignInError("review_password_short")
    if password.strip().casefold() == username.strip().casefold():
        raise SignInError("review_password_is_username")


def activate(engine: Engine, username: str, code: str, password: str, again: str, *, address: str | None = None) -> Supervisor:
    """Set a supervisor's password with a one-time code from the administrator; ends their sessions."""
    username = username.strip()
    check_new_password(username, password, again)
    raw = code.replace("-", "").replace(" ", "").upper()
    password_hash = hash_password(password)  # before the transaction: it takes a while
    with engine.begin() as conn:
        row = conn.execute(select(enrollments).where(enrollments.c.code_hash == digest(raw))).first()
        officer = None if row is None else conn.execute(
            select(officers).where(officers.c.id == row.officer_id, officers.c.active)).first()
        # An officer's laptop code is left unused: the officer can still enroll with it.
        if (row is None or row.used_at is not None or row.expires_at < now() or officer is None
                or officer.username != username or officer.role != "supervisor"):
            refused = True
        else:
            refused = False
            conn.execute(update(enrollments).where(enrollments.c.code_hash == row.code_hash).values(used_at=now()))
            conn.execute(delete(supervisor_passwords).where(supervisor_passwords.c.officer_id == officer.id))
            conn.execute(insert(supervisor_passwords).values(officer_id=officer.id, password_hash=password_hash, set_at=now()))
            conn.execute(delete(web_sessions).where(web_sessions.c.officer_id == officer.id))
    if refused:
        audit.record(engine, username or "-", "review password refused", username, address=address)
        raise SignInError("review_bad_code")
    audit.record(engine, username, "review password set", username, address=address)
    return Supervisor(officer.id, officer.username, officer.name, json.loads(officer.communes))


def sign_in(engine: Engine, username: str, password: str, *, address: str | None = None) -> tuple[str, Session]:
    """A new session (its cookie token and the session) for a supervisor's username and password."""
    username = username.strip()[:64]
    if _recent_failures(engine, username, address) >= MAX_FAILURES:
        audit.record(engine, username or "-", DELAYED, username, detail={"reason": "too many attempts"},
                     address=address)
        raise SignInError("review_too_many_attempts")
    with reading(engine) as conn:
        row = conn.execute(
            select(officers, supervisor_passwords.c.password_hash)
            .join(supervisor_passwords, supervisor_passwords.c.officer_id == officers.c.id)
            .where(officers.c.username == username, officers.c.active, officers.c.role == "supervisor")).first()
    ok = check_password(password[:MAX_PASSWORD], row.password_hash if row is not None else _DUMMY)
    if row is None or not ok:
        audit.record(engine, username or "-", REFUSED, username, address=address)
        raise SignInError("review_bad_password")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(web_sessions).values(
            token_hash=digest(token), officer_id=row.id, csrf=csrf, created_at=_iso(at), last_seen_at=_iso(at),
            expires_at=_iso(at + dt.timedelta(hours=SESSION_HOURS)), address=(address or "")[:64] or None))
        # Sessions that ran out are forgotten here rather than by a timer.
        conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < _iso(at)))
    audit.record(engine, username, SIGNED_IN, username, address=address)
    supervisor = Supervisor(row.id, row.username, row.name, json.loads(row.communes))
    return token, Session(supervisor, csrf, digest(token))


def session_for(engine: Engine, token: str | None) -> Session | None:
    """The signed-in supervisor of a cookie, if the session is neither expired, idle, ended nor
    its account revoked (or no longer a supervisor's)."""
    if not token or len(token) > 200:
        return None
    at = dt.datetime.now(dt.UTC)
    with reading(engine) as conn:
        row = conn.execute(
            select(web_sessions.c.token_hash, web_sessions.c.csrf, web_sessions.c.last_seen_at, officers.c.id,
                   officers.c.username, officers.c.name, officers.c.communes)
            .join(officers, officers.c.id == web_sessions.c.officer_id)
            .where(web_sessions.c.token_hash == digest(token), web_sessions.c.expires_at > _iso(at),
                   web_sessions.c.last_seen_at > _iso(at - dt.timedelta(minutes=IDLE_MINUTES)),
                   officers.c.active, officers.c.role == "supervisor")).first()
    if row is None:
        return None
    if row.last_seen_at < _iso(at - dt.timedelta(seconds=TOUCH_SECONDS)):
        with engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.token_hash == row.token_hash).values(last_seen_at=_iso(at)))
    return Session(Supervisor(row.id, row.username, row.name, json.loads(row.communes)), row.csrf, row.token_hash)


def sign_out(engine: Engine, session: Session) -> None:
    with engine.begin() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == session.token_hash))


def _recent_failures(engine: Engine, username: str, address: str | None) -> int:
    """Refused sign-ins for this username from this address since the last good one from there,
    within FAILURE_MINUTES (read from the audit log, so the count survives a restart)."""
    since = _iso(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=FAILURE_MINUTES))
    here = audit_log.c.address.is_(None) if address is None else audit_log.c.address == address
    with reading(engine) as conn:
        last_ok = conn.execute(select(func.max(audit_log.c.at)).where(
            audit_log.c.action == SIGNED_IN, audit_log.c.target == username, here)).scalar()
        return conn.execute(select(func.count()).select_from(audit_log).where(and_(
            audit_log.c.action == REFUSED, audit_log.c.target == username, here,
            audit_log.c.at >= max(since, last_ok or "")))).scalar() or 0


def _iso(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")
