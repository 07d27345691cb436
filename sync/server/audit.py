"""Who read or changed what on the server: one row per action, never the answers themselves."""

from __future__ import annotations

import getpass
import json
import socket
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from sync.server.accounts import now
from sync.server.db import audit_log, reading


def record(db: Engine | Connection, actor: str, action: str, target: str | None = None, *,
           detail: dict[str, Any] | None = None, address: str | None = None) -> None:
    """Append an entry; inside the caller's transaction when given a connection, so the
    entry and the change it describes are stored together or not at all."""
    values = dict(at=now(), actor=actor[:200], action=action, target=(target or "")[:200] or None,
                  detail=json.dumps(detail, ensure_ascii=False) if detail else None, address=address)
    if isinstance(db, Connection):
        db.execute(insert(audit_log).values(**values))
    else:
        with db.begin() as conn:
            conn.execute(insert(audit_log).values(**values))


def admin() -> str:
    """The actor name for the command line: the system user and the machine."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"admin:{user}@{socket.gethostname()}"


def entries(engine: Engine, *, target: str | None = None, actor: str | None = None, limit: int = 200) -> list[Any]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if target:
        query = query.where(audit_log.c.target.like(f"{target}%"))
    if actor:
        query = query.where(audit_log.c.actor == actor)
    with reading(engine) as conn:
        return conn.execute(query).fetchall()
