"""Households to visit, given to the officers of a commune with what is known already
(address, head of household, members from the last census...)."""

from __future__ import annotations

import json
import uuid as uuidlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from forms.exchange import json_problem
from forms.i18n import message
from forms.records import RecordError, normalize
from forms.registry import FormRegistry
from sync.server import feed
from sync.server.accounts import now
from sync.server.db import assignments, households
from sync.server.errors import ServerError

NAMESPACE = uuidlib.UUID("5d2f0c1e-8a57-4c43-9a8e-3f0b7c1d2e64")  # for household codes without a UUID


class AssignmentError(ServerError):
    pass


def add_from_file(engine: Engine, forms: FormRegistry, path: Path) -> int:
    """Add the households of a JSON Lines file (one {"household": {...}, "members": [...]} a
    line, optionally with its "uuid"); all or nothing. Returns how many were new."""
    definition = forms.current()
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssignmentError(message("admin_file_line", file=path.name, line=number,
                                          reason=json_problem(exc, line))) from None
        if not isinstance(doc, dict):
            raise AssignmentError(message("admin_file_line", file=path.name, line=number,
                                          reason=message("import_line_not_object")))
        try:
            hh = doc.get("household") if isinstance(doc.get("household"), dict) else {}
            if not doc.get("uuid"):
                # The same list given twice gives the same households, not a second copy.
                code = hh.get("household_code")
                doc["uuid"] = str(uuidlib.uuid5(NAMESPACE, f"{hh.get('commune_code')}/{code}") if code else uuidlib.uuid4())
            clean = normalize(definition, doc)
        except RecordError as exc:
            raise AssignmentError(message("admin_file_line", file=path.name, line=number,
                                          reason=exc.message(3))) from None
        commune = str(clean["household"].get("commune_code") or "")
        if not (len(commune) == 5 and commune.isdigit()):
            raise AssignmentError(message("admin_file_line", file=path.name, line=number,
                                          reason=message("admin_commune_needed")))
        entries.append((clean, commune))
    added = 0
    with engine.begin() as conn:
        for clean, commune in entries:
            uuid, code = clean["uuid"], clean["household"].get("household_code")
            if conn.execute(select(assignments.c.uuid).where(assignments.c.uuid == uuid)).first() or \
                    conn.execute(select(households.c.uuid).where(households.c.uuid == uuid)).first() or \
                    (code and conn.execute(select(households.c.uuid).where(
                        households.c.commune_code == commune, households.c.household_code == code)).first()):
                continue  # given before, or the household came in already
            data: dict[str, Any] = {k: clean[k] for k in clean if k != "uuid"}
            conn.execute(insert(assignments).values(
                uuid=uuid, commune_code=commune, household_code=clean["household"].get("household_code"),
                form_id=definition.form_id, form_version=definition.version,
                data=json.dumps(data, ensure_ascii=False), created_at=now()))
            feed.publish(conn, "assignment", {"uuid": uuid, "form_id": definition.form_id,
                                              "form_version": definition.version, **data},
                         commune=commune, uuid=uuid)
            added += 1
    return added
