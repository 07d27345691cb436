"""What the province exports for statisticians: the households received, with the
questionnaire versions they were taken with, through the same writer as the laptop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, select

from forms.definition import Definition
from forms.registry import FormRegistry
from sync.server.db import devices, households, officers, reading


def server_selection(engine: Engine, forms: FormRegistry, *, commune: str | None = None,
                     review: str | None = None) -> tuple[list[Definition], Iterator[dict[str, Any]], int]:
    """(definitions, records, count) of the households held (not deleted), in the order a
    statistician reads them; records in the shape the laptop exports."""
    keys = select(households.c.uuid, households.c.form_id, households.c.form_version).where(households.c.deleted.is_(False))
    if commune:
        keys = keys.where(households.c.commune_code == commune)
    if review:
        keys = keys.where(households.c.review_state.is_(None) if review == "none" else households.c.review_state == review)
    keys = keys.order_by(households.c.province_code, households.c.commune_code, households.c.household_code, households.c.uuid)
    with reading(engine) as conn:
        rows = conn.execute(keys).fetchall()
    versions = sorted({(r.form_id, r.form_version) for r in rows})
    definitions = [forms.get(f, v) for f, v in versions] or [forms.current()]
    uuids = [r.uuid for r in rows]

    def records() -> Iterator[dict[str, Any]]:
        query = (select(households, officers.c.username)
                 .select_from(households.outerjoin(devices, devices.c.id == households.c.device_id)
                              .outerjoin(officers, officers.c.id == devices.c.officer_id)))
        for start in range(0, len(uuids), 500):
            chunk = uuids[start:start + 500]
            with reading(engine) as conn:
                found = {r.uuid: r for r in conn.execute(query.where(households.c.uuid.in_(chunk)))}
            for uuid in chunk:
                r = found.get(uuid)
                if r is None or not r.data:
                    continue
                yield {"uuid": r.uuid, "form_id": r.form_id, "form_version": r.form_version, "revision": r.server_revision,
                       "status": r.review_state or "received", "officer": r.username, "created_at": r.updated_at,
                       "updated_at": r.updated_at, **json.loads(r.data)}

    return definitions, records(), len(uuids)
