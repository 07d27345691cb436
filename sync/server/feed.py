"""What laptops download: new questionnaire versions, assignments, returned households.

Each entry has a sequence number; a laptop asks for what came after the last one it applied.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, exists, insert, or_, select

from sync.server.accounts import Device, now
from sync.server.db import devices, feed, households, reading

PAGE = 200


def publish(conn: Connection, kind: str, payload: dict[str, Any], *, commune: str | None = None,
            uuid: str | None = None) -> int:
    """Add an entry inside the caller's transaction; returns its seq."""
    if conn.dialect.name == "postgresql":
        # Sequence numbers are taken in commit order: a laptop that has read seq n+1 must
        # never later find a seq n that committed after it.
        conn.exec_driver_sql("LOCK TABLE feed IN EXCLUSIVE MODE")
    return conn.execute(insert(feed).values(commune_code=commune, kind=kind, uuid=uuid, created_at=now(),
                                            payload=json.dumps(payload, ensure_ascii=False))).inserted_primary_key[0]


def read(engine: Engine, device: Device, after: int, limit: int = PAGE) -> dict[str, Any]:
    """Entries for this laptop's communes (and for everyone) after seq `after`.

    A returned household carries its members' personal data: it goes only to the laptops of
    the officer who holds it (whose laptop last sent it), not to every officer of its commune.
    One that no laptop sent (stored at the province) still goes to the commune's laptops."""
    limit = max(1, min(limit, PAGE))
    holders = select(devices.c.id).where(devices.c.officer_id == device.officer_id)
    held_elsewhere = exists().where(households.c.uuid == feed.c.uuid, households.c.device_id.is_not(None),
                                    households.c.device_id.not_in(holders))
    query = (select(feed).where(feed.c.seq > after, or_(feed.c.commune_code.is_(None), feed.c.commune_code.in_(device.communes)),
                                or_(feed.c.kind != "returned", ~held_elsewhere))
             .order_by(feed.c.seq).limit(limit + 1))
    with reading(engine) as conn:
        rows = conn.execute(query).fetchall()
    items = [{"seq": r.seq, "kind": r.kind, "uuid": r.uuid, "payload": json.loads(r.payload)} for r in rows[:limit]]
    return {"items": items, "last": items[-1]["seq"] if items else after, "more": len(rows) > limit}
