"""Apply one batch in one transaction and answer with a receipt per household.

The same batch again returns the stored receipt and changes nothing. A household revision
the server already has (its receipt was lost on the way) is accepted again, not doubled.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from forms.i18n import Message, message
from forms.records import RecordError, normalize
from forms.registry import FormRegistry
from sync.protocol import MAX_RECORDS, MAX_REVISION
from sync.server import audit, review
from sync.server.accounts import Device, now
from sync.server.db import batches, households, reading
from sync.server.errors import ServerError


class BatchError(ServerError):
    """The batch as a whole is malformed (HTTP 400/422): nothing was stored."""


def apply_batch(engine: Engine, forms: FormRegistry, device: Device, doc: Any) -> dict[str, Any]:
    batch_id, records = _check_shape(doc)
    # Check every household against its questionnaire before taking the write lock: the
    # rules are most of the work, and need nothing from the database.
    checked = {rec["uuid"]: _validate(forms, device, rec) for rec in records if not rec.get("deleted")}
    try:
        with engine.begin() as conn:
            stored = conn.execute(select(batches.c.receipt, batches.c.device_id)
                                  .where(batches.c.batch_id == batch_id)).first()
            if stored is not None:
                if stored.device_id != device.id:
                    raise BatchError(message("batch_other_laptop"))
                return json.loads(stored.receipt)
            uuids = [rec["uuid"] for rec in records]
            current = {r.uuid: r for r in conn.execute(select(households).where(households.c.uuid.in_(uuids)))}
            new_rows: list[dict[str, Any]] = []
            entries = [_apply_record(conn, device, rec, current.get(rec["uuid"]), checked.get(rec["uuid"]), new_rows)
                       for rec in records]
            if new_rows:
                conn.execute(insert(households), new_rows)
            receipt = {"batch_id": batch_id, "received_at": now(), "records": entries}
            outcomes = {o: sum(1 for e in entries if e["outcome"] == o) for o in ("accepted", "rejected", "conflict")}
            audit.record(conn, f"{device.username}/device {device.id}", "upload", batch_id, detail=outcomes)
            conn.execute(insert(batches).values(batch_id=batch_id, device_id=device.id, received_at=receipt["received_at"],
                                                record_count=len(entries), receipt=json.dumps(receipt, ensure_ascii=False)))
            return receipt
    except IntegrityError:
        # The same batch arrived twice at once and the other copy won: answer with its receipt.
        with reading(engine) as conn:
            stored = conn.execute(select(batches.c.receipt).where(batches.c.batch_id == batch_id)).first()
        if stored is None:
            raise
        return json.loads(stored.receipt)


def _check_shape(doc: Any) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(doc, dict):
        raise BatchError(message("batch_not_object"))
    batch_id = doc.get("batch_id")
    try:
        batch_id = str(uuidlib.UUID(str(batch_id)))
    except ValueError:
        raise BatchError(message("batch_bad_id")) from None
    records = doc.get("records")
    if not isinstance(records, list) or not records:
        raise BatchError(message("batch_no_records"))
    if len(records) > MAX_RECORDS:
        raise BatchError(message("batch_too_many", n=MAX_RECORDS))
    seen = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise BatchError(message("batch_record_not_object", i=i))
        try:
            rec["uuid"] = str(uuidlib.UUID(str(rec.get("uuid"))))
        except ValueError:
            raise BatchError(message("batch_record_bad_uuid", i=i)) from None
        revision, base = rec.get("revision"), rec.get("base_revision")
        # Bounded by the database's INTEGER: 2**70 would fail in the INSERT, as a 500.
        if not isinstance(revision, int) or isinstance(revision, bool) or not 1 <= revision <= MAX_REVISION:
            raise BatchError(message("batch_record_bad_revision", i=i, max=MAX_REVISION))
        if base is not None and (not isinstance(base, int) or isinstance(base, bool) or not 0 <= base <= MAX_REVISION):
            raise BatchError(message("batch_record_bad_base", i=i, max=MAX_REVISION))
        if rec["uuid"] in seen:
            raise BatchError(message("batch_record_twice", i=i, uuid=rec["uuid"]))
        seen.add(rec["uuid"])
    return batch_id, records


def _entry(rec: dict[str, Any], outcome: str, server_revision: int | None, msg: Message | None = None,
           findings: list[dict[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"uuid": rec["uuid"], "revision": rec["revision"], "outcome": outcome,
                           "server_revision": server_revision}
    if msg is not None:
        out["message"] = {"vi": msg.vi, "en": msg.en}
    if findings:
        out["findings"] = findings
    return out


@dataclass(slots=True)
class Checked:
    """A household checked against its questionnaire: its clean values, or why it is refused."""

    refusal: dict[str, Any] | None = None
    values: dict[str, Any] | None = None


def _validate(forms: FormRegistry, device: Device, rec: dict[str, Any]) -> Checked:
    try:
        definition = forms.get(str(rec.get("form_id")), str(rec.get("form_version")))
    except KeyError:
        # A record without them says "-", not Python's None.
        return Checked(_entry(rec, "rejected", None, message("server_unknown_form", form_id=rec.get("form_id") or "-",
                                                               version=rec.get("form_version") or "-")))
    try:
        clean = normalize(definition, {k: rec.get(k) for k in ("uuid", "household", "members") if k in rec})
    except RecordError as exc:
        return Checked(_entry(rec, "rejected", None, message("server_bad_record", problems=exc.message(5))))
    hh = clean["household"]
    commune = str(hh.get("commune_code") or "")
    if commune not in device.communes:
        return Checked(_entry(rec, "rejected", None, message("server_not_your_commune", commune=commune or "-")))
    evaluation = forms.engine(definition).evaluate(clean)
    if evaluation.errors:
        findings = [{"field": str(f.ref), "severity": f.severity, "vi": f.message.vi, "en": f.message.en}
                    for f in evaluation.errors]
        return Checked(_entry(rec, "rejected", None, message("server_has_errors", n=len(findings)), findings))
    return Checked(values=dict(
        province_code=hh.get("province_code"), commune_code=commune, household_code=hh.get("household_code"),
        form_id=definition.form_id, form_version=definition.version, deleted=False,
        data=json.dumps({k: clean[k] for k in ("household", "members")}, ensure_ascii=False),
        warning_count=len(evaluation.warnings)))


def _apply_record(conn: Any, device: Device, rec: dict[str, Any], current: Any, checked: Checked | None,
                  new_rows: list[dict[str, Any]]) -> dict[str, Any]:
    if current is not None and current.device_id == device.id and current.client_revision == rec["revision"]:
        return _entry(rec, "accepted", current.server_revision)  # already here: its receipt was lost
    if current is not None and current.commune_code not in device.communes:
        # Not which commune: a UUID guessed or copied must not tell where a household lives.
        return _entry(rec, "rejected", None, message("hardening_not_your_household"))
    if current is not None and current.server_revision != rec.get("base_revision"):
        return _entry(rec, "conflict", current.server_revision, message("sync_conflict"))
    next_revision = (current.server_revision if current is not None else 0) + 1
    if rec.get("deleted"):
        if current is None:
            return _entry(rec, "accepted", None)  # never here: nothing to delete
        conn.execute(update(households).where(households.c.uuid == rec["uuid"]).values(
            deleted=True, data=None, server_revision=next_revision, client_revision=rec["revision"],
            device_id=device.id, updated_at=now()))
        return _entry(rec, "accepted", next_revision)
    assert checked is not None
    if checked.refusal is not None:
        return checked.refusal
    values = {**(checked.values or {}), "server_revision": next_revision, "client_revision": rec["revision"],
              "device_id": device.id, "updated_at": now()}
    if current is None:
        new_rows.append({"uuid": rec["uuid"], "review_state": None, "review_round": 0, **values})
    else:
        if current.review_state == "returned":  # the correction the province asked for
            values["review_state"] = "resubmitted"
            review.resubmitted(conn, rec["uuid"], current.review_round, next_revision, by=device.username)
        conn.execute(update(households).where(households.c.uuid == rec["uuid"]).values(**values))
    return _entry(rec, "accepted", next_revision)
