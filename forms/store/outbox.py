"""What waits to go to the provincial server, the batch on its way, and receipts coming back.

A batch is written to the store (its payload, compressed, and which household revisions it
carries) before it is sent, and sent again unchanged until its receipt is stored, so a cut
link or a killed program never produces a second batch of the same records.
"""

from __future__ import annotations

import gzip
import json
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from forms.i18n import Message, message, tr
from forms.store.store import Store

# Households to send: complete and changed since the server last accepted them, and
# deletions of households the server has.
_WAITING = """revision > coalesce(sent_revision, 0)
      AND ((deleted_at IS NULL AND status = 'complete') OR (deleted_at IS NOT NULL AND server_revision IS NOT NULL))"""
_OUTBOX = f"""
    SELECT uuid, revision, server_revision, form_id, form_version, deleted_at, data FROM households
    WHERE {_WAITING} ORDER BY updated_at, uuid LIMIT ?"""


@dataclass(slots=True)
class Batch:
    batch_id: str
    payload: bytes  # gzip-compressed JSON
    records: list[tuple[str, int]]  # (uuid, revision) it carries
    created_at: str


@dataclass(slots=True)
class ServerProblem:
    """One reason the server gave for not taking a household; `field` is "" for the household
    as a whole. Counted as an error of the household until the server accepts it."""

    field: str
    vi: str
    en: str

    def text(self) -> str:
        return Message(self.vi, self.en).text()


@dataclass(slots=True)
class RefusedHousehold:
    """A household the server refused (or found changed at the province) and that it has not
    accepted since, as the officer knows it."""

    uuid: str
    household_code: str
    head_name: str
    village: str
    status: str
    outcome: str  # rejected or conflict
    problems: list[ServerProblem]

    def reason(self, most: int = 3) -> str:
        """The reasons in one line, in the current language."""
        parts = [f"{p.field}: {p.text()}" if p.field else p.text() for p in self.problems[:most]]
        if len(self.problems) > most:
            parts.append(tr("sync_refused_more", n=len(self.problems) - most))
        return "; ".join(parts)


@dataclass(slots=True)
class ReceiptSummary:
    accepted: int = 0
    rejected: int = 0
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # uuids refused or in conflict, in receipt order


class ReceiptError(ValueError):
    """A receipt that does not answer the batch it claims to answer."""


def waiting(store: Store) -> int:
    return store.conn.execute(f"SELECT count(*) FROM households WHERE {_WAITING}").fetchone()[0]


def pending(store: Store) -> Batch | None:
    """The oldest batch sent (or about to be) whose receipt has not come back."""
    batches = all_pending(store, limit=1)
    return batches[0] if batches else None


def all_pending(store: Store, limit: int = -1) -> list[Batch]:
    """Batches waiting for their receipt, oldest first: the one on its way online, and those
    carried to the province on a USB stick."""
    rows = store.conn.execute(
        "SELECT batch_id, payload, records, created_at FROM sync_batches WHERE state = 'pending' "
        "ORDER BY created_at, rowid LIMIT ?", [limit]).fetchall()
    return [Batch(r[0], r[1], [tuple(x) for x in json.loads(r[2])], r[3]) for r in rows]


def find(store: Store, batch_id: str) -> tuple[Batch, str] | None:
    """A batch by its id, with its state (pending, done, abandoned, split)."""
    r = store.conn.execute("SELECT batch_id, payload, records, created_at, state FROM sync_batches WHERE batch_id = ?",
                           [batch_id]).fetchone()
    return None if r is None else (Batch(r[0], r[1], [tuple(x) for x in json.loads(r[2])], r[3]), r[4])


def next_batch(store: Store, limit: int, *, beside_pending: bool = False, max_bytes: int | None = None) -> Batch | None:
    """Make the next batch of at most `limit` households (and, given `max_bytes`, at most that
    many compressed bytes, though never fewer than one household) and keep it as pending.

    Online, a batch is sent and answered before the next is made; `beside_pending` makes one
    while others wait (a USB bundle), of households none of them carries."""
    with store.transaction():
        waiting_batches = all_pending(store)
        if waiting_batches and not beside_pending:
            raise RuntimeError("a batch is still waiting for its receipt; send it first")
        carried_already = {uuid for b in waiting_batches for uuid, _ in b.records}
        rows = store.conn.execute(_OUTBOX, [limit + len(carried_already)]).fetchall()
        rows = [r for r in rows if r[0] not in carried_already][:limit]
        if not rows:
            return None
        out = []
        for uuid, revision, server_revision, form_id, form_version, deleted_at, data in rows:
            rec: dict[str, Any] = {"uuid": uuid, "revision": revision, "base_revision": server_revision,
                                   "form_id": form_id, "form_version": form_version, "deleted": deleted_at is not None}
            if data is not None:
                rec.update(json.loads(data))
            out.append(rec)
        now = store.clock()
        batch_id, payload, out = _fitting(out, now, max_bytes)
        return _keep(store, batch_id, now, payload, out)


def _payload(batch_id: str, created_at: str, records: list[dict[str, Any]]) -> bytes:
    body = json.dumps({"batch_id": batch_id, "created_at": created_at, "records": records}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    return gzip.compress(body, compresslevel=9, mtime=0)  # the link is slow, the laptop is not


def _fitting(records: list[dict[str, Any]], created_at: str, max_bytes: int | None) -> tuple[str, bytes, list[dict[str, Any]]]:
    """The longest head of `records` whose compressed batch fits in max_bytes (one at least)."""
    batch_id = str(uuidlib.uuid4())
    payload = _payload(batch_id, created_at, records)
    while max_bytes is not None and len(payload) > max_bytes and len(records) > 1:
        # Households compress alike: shrink in proportion, a little below, and check again.
        keep = min(len(records) - 1, max(1, int(len(records) * max_bytes / len(payload) * 0.95)))
        records = records[:keep]
        payload = _payload(batch_id, created_at, records)
    return batch_id, payload, records


def _keep(store: Store, batch_id: str, created_at: str, payload: bytes, records: list[dict[str, Any]]) -> Batch:
    carried = [(r["uuid"], r["revision"]) for r in records]
    store.conn.execute(
        "INSERT INTO sync_batches (batch_id, created_at, payload, records, state) VALUES (?, ?, ?, ?, 'pending')",
        [batch_id, created_at, payload, json.dumps(carried)])
    return Batch(batch_id, payload, carried, created_at)


def split(store: Store, batch: Batch, households: int, max_bytes: int | None = None) -> list[Batch]:
    """Replace a pending batch that the link keeps cutting by smaller pending batches of at
    most `households` households (and max_bytes) each, oldest first; returns them.

    The pieces carry exactly the records the batch carried: the same household revisions on
    the same base revisions. The server may have applied the batch while its receipt was lost;
    it recognises a revision it already has from this laptop and accepts it again without
    storing it twice, so every household is still stored once, whichever piece reaches it."""
    records = json.loads(gzip.decompress(batch.payload))["records"]
    pieces: list[Batch] = []
    with store.transaction():
        # Written before the batch is given up: a cut in between leaves both (the pieces and the
        # batch hold the same revisions, which the server accepts once), never neither.
        while records:
            batch_id, payload, head = _fitting(records[:max(1, households)], batch.created_at, max_bytes)
            pieces.append(_keep(store, batch_id, batch.created_at, payload, head))
            records = records[len(head):]
        store.conn.execute("UPDATE sync_batches SET state = 'split', done_at = ? WHERE batch_id = ?",
                           [store.clock(), batch.batch_id])
    return pieces


def abandon(store: Store, batch_id: str) -> None:
    """Give up a pending batch (too large for the link); its households go in the next ones.
    Safe even if the server applied it: the server recognises a revision it already has."""
    with store.transaction():
        store.conn.execute("UPDATE sync_batches SET state = 'abandoned', done_at = ? WHERE batch_id = ?",
                           [store.clock(), batch_id])


def apply_receipt(store: Store, batch: Batch, receipt: Any, *, actor: str) -> ReceiptSummary:
    """Record the server's answer for every household of a batch, in one transaction.

    accepted: sent (unless edited since); rejected or conflict: back to draft with the
    server's reasons kept in server_note."""
    entries = _check_receipt(batch, receipt)
    summary = ReceiptSummary()
    with store.transaction():
        for entry in entries:
            uuid, revision, outcome = entry["uuid"], entry["revision"], entry["outcome"]
            h = store._row(uuid, with_record=False)
            if h is None:
                summary.problems.append(f"{uuid}: no longer on this laptop")
                continue
            if outcome == "accepted":
                summary.accepted += 1
                status = "sent" if h.revision == revision and h.status == "complete" else h.status
                store.conn.execute(
                    "UPDATE households SET sent_revision = ?, server_revision = ?, server_note = NULL, status = ? "
                    "WHERE uuid = ?", [revision, entry.get("server_revision"), status, uuid])
                if status != h.status:
                    store._log(uuid, h.revision, actor, "sent", [["status", h.status, status]])
                continue
            if outcome == "rejected":
                summary.rejected += 1
                note = {"outcome": "rejected", "message": entry.get("message"), "findings": entry.get("findings", [])}
            else:
                summary.conflicts += 1
                note = {"outcome": "conflict", "message": _conflict_message(), "findings": []}
            summary.refused.append(uuid)
            status = "draft" if h.revision == revision and h.status == "complete" else h.status
            store.conn.execute("UPDATE households SET server_note = ?, status = ? WHERE uuid = ?",
                               [json.dumps(note, ensure_ascii=False), status, uuid])
            store._log(uuid, h.revision, actor, outcome, [["status", h.status, status]])
        store.conn.execute("UPDATE sync_batches SET state = 'done', receipt = ?, done_at = ? WHERE batch_id = ?",
                           [json.dumps(receipt, ensure_ascii=False), store.clock(), batch.batch_id])
    return summary


def _conflict_message() -> dict[str, str]:
    m = message("sync_conflict")
    return {"vi": m.vi, "en": m.en}


def _check_receipt(batch: Batch, receipt: Any) -> list[dict[str, Any]]:
    if not isinstance(receipt, dict) or receipt.get("batch_id") != batch.batch_id:
        raise ReceiptError("the receipt does not name this batch")
    entries = receipt.get("records")
    if not isinstance(entries, list):
        raise ReceiptError("the receipt has no list of records")
    sent = set(batch.records)
    seen = set()
    for e in entries:
        if not isinstance(e, dict) or e.get("outcome") not in ("accepted", "rejected", "conflict"):
            raise ReceiptError(f"a receipt entry is not understood: {e!r:.80}")
        key = (e.get("uuid"), e.get("revision"))
        if key not in sent:
            raise ReceiptError(f"the receipt answers for a household that was not sent: {key}")
        seen.add(key)
    if seen != sent:
        raise ReceiptError(f"the receipt misses {len(sent - seen)} household(s) of the batch")
    return entries


def _note(server_note: str | None) -> dict[str, Any]:
    try:
        note = json.loads(server_note or "{}")
    except ValueError:
        return {}
    return note if isinstance(note, dict) else {}


def _text(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and (value.get("vi") or value.get("en")):
        return str(value.get("vi") or value.get("en")), str(value.get("en") or value.get("vi"))
    return None


def server_problems(h: Any) -> list[ServerProblem]:
    """The server's reasons for refusing a household (anything with a `server_note`: a
    store Household), each to be counted as one of its errors; [] if the server did not
    refuse it or has accepted it since. A refusal for errors lists them, question by
    question; any other (another commune, a change at the province) is one problem."""
    note = _note(getattr(h, "server_note", None))
    if note.get("outcome") not in ("rejected", "conflict"):
        return []
    problems = []
    for f in note.get("findings") or []:
        text = _text(f) if isinstance(f, dict) else None
        if text is not None:
            problems.append(ServerProblem(str(f.get("field") or ""), *text))
    if not problems:
        text = _text(note.get("message"))
        vi, en = text or (message("sync_refused_no_reason").vi, message("sync_refused_no_reason").en)
        problems.append(ServerProblem("", vi, en))
    return problems


def refused(store: Store, limit: int = 200, uuids: list[str] | None = None) -> list[RefusedHousehold]:
    """Households the server refused or found in conflict and has not accepted since (the
    officer may have fixed them: they stay until the server takes them), newest change
    first; or, given `uuids`, those of them in that order."""
    households, _ = store.with_server_note(("draft", "complete", "returned"), limit if uuids is None else -1)
    found = {}
    for h in households:
        problems = server_problems(h)
        if problems:
            found[h.uuid] = RefusedHousehold(h.uuid, h.household_code or "", h.head_name or "", h.village or "",
                                             h.status, _note(h.server_note)["outcome"], problems)
    if uuids is None:
        return list(found.values())
    return [found[u] for u in uuids if u in found]
