"""The province's review of a household: return it to its officer with comments, or approve it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, insert, select, update

from forms.i18n import message
from forms.registry import FormRegistry
from sync.server import audit, feed
from sync.server.accounts import now
from sync.server.db import households, reading, reviews
from sync.server.errors import ServerError


class ReviewError(ServerError):
    pass


def find(conn: Any, uuid_prefix: str) -> Any:
    """A household by its UUID or the first characters of it (as `households list` shows)."""
    rows = conn.execute(select(households).where(households.c.uuid.like(f"{uuid_prefix}%")).limit(2)).fetchall()
    if not rows:
        raise ReviewError(message("admin_no_household", uuid=uuid_prefix))
    if len(rows) > 1:
        raise ReviewError(message("admin_household_ambiguous", uuid=uuid_prefix))
    return rows[0]


def return_household(engine: Engine, forms: FormRegistry, uuid: str, comment: str, *, by: str,
                     fields: dict[str, str] | None = None) -> dict[str, Any]:
    """Send a household back to its commune's laptops for correction; returns the feed payload."""
    fields = fields or {}
    if not comment.strip() and not fields:
        raise ReviewError(message("admin_say_what"))
    with engine.begin() as conn:
        row = find(conn, uuid)
        if row.deleted:
            raise ReviewError(message("admin_household_was_deleted", uuid=row.uuid))
        definition = forms.get(row.form_id, row.form_version)
        for ref in fields:
            _check_ref(definition, ref)
        revision, round_ = row.server_revision + 1, row.review_round + 1
        at = now()
        conn.execute(update(households).where(households.c.uuid == row.uuid).values(
            server_revision=revision, review_state="returned", review_round=round_, updated_at=at))
        note = {"household": comment.strip(), "fields": fields}
        conn.execute(insert(reviews).values(uuid=row.uuid, round=round_, action="returned", by=by, at=at,
                                            comment=json.dumps(note, ensure_ascii=False), server_revision=revision))
        payload = {"uuid": row.uuid, "server_revision": revision, "form_id": row.form_id,
                   "form_version": row.form_version, **json.loads(row.data), "comment": note, "round": round_,
                   "by": by, "at": at}
        feed.publish(conn, "returned", payload, commune=row.commune_code, uuid=row.uuid)
        audit.record(conn, by, "return", row.uuid, detail={"round": round_, "fields": sorted(fields)})
        return payload


def approve(engine: Engine, uuid: str, *, by: str) -> None:
    with engine.begin() as conn:
        row = find(conn, uuid)
        conn.execute(update(households).where(households.c.uuid == row.uuid).values(review_state="approved"))
        conn.execute(insert(reviews).values(uuid=row.uuid, round=row.review_round, action="approved", by=by, at=now(),
                                            server_revision=row.server_revision))
        audit.record(conn, by, "approve", row.uuid)


def resubmitted(conn: Any, uuid: str, round_: int, revision: int, by: str) -> None:
    """Called by ingest when a returned household comes back corrected."""
    conn.execute(insert(reviews).values(uuid=uuid, round=round_, action="resubmitted", by=by, at=now(),
                                        server_revision=revision))


def history(engine: Engine, uuid: str) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        row = find(conn, uuid)
        rows = conn.execute(select(reviews).where(reviews.c.uuid == row.uuid).order_by(reviews.c.id)).fetchall()
    return [{"round": r.round, "action": r.action, "by": r.by, "at": r.at, "server_revision": r.server_revision,
             "comment": json.loads(r.comment) if r.comment else None} for r in rows]


def _check_ref(definition: Any, ref: str) -> None:
    """Accept 'field' or 'roster[i].field' (i from 0) naming a question of the questionnaire."""
    prefix, _, name = ref.rpartition(".")
    roster = prefix.split("[", 1)[0] or None
    if prefix and not (prefix.endswith("]") and prefix[len(roster or ""):][1:-1].isdigit()):
        raise ReviewError(message("admin_member_ref", ref=ref, example=f"{roster}[0].{name}"))
    field = definition.by_id.get(name)
    if field is None or not field.is_answer or field.roster != roster:
        raise ReviewError(message("admin_no_question", ref=ref, form_id=definition.form_id, version=definition.version))
