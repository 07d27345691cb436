"""Household records as stored and exchanged.

    {"uuid": "...", "household": {question: value, ...},
     "members": [{"_id": "...", question: value, ...}, ...]}

One key per roster of the definition, each row with a stable `_id` so that an edit,
reordering or removal of a member can be told apart from another member's.
"""

from __future__ import annotations

import copy
import re
import uuid as uuidlib
from typing import Any

from forms import values
from forms.definition import Definition
from forms.i18n import Message, message
from forms.text import fold, nfc

META_KEYS = ("uuid", "form_id", "form_version", "revision", "status", "created_at", "updated_at", "officer")


class RecordError(ValueError):
    """A record whose shape does not fit its questionnaire (not a value problem: those are
    findings of the engine and a draft keeps them)."""

    def __init__(self, problems: list[Message]):
        self.messages = problems
        self.problems = [p.en for p in problems]  # for logs and the engineer
        super().__init__("; ".join(self.problems))

    def message(self, most: int | None = None) -> Message:
        """The problems (the first `most` of them) as one message in both languages."""
        shown = self.messages[:most]
        return Message("; ".join(p.vi for p in shown), "; ".join(p.en for p in shown))


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def normalize(definition: Definition, record: Any) -> dict[str, Any]:
    """NFC text, values in their stored form, empty answers dropped, row ids assigned.

    Raises RecordError for anything that does not fit the definition's shape."""
    if not isinstance(record, dict):
        raise RecordError([message("record_not_object")])
    problems: list[Message] = []
    rosters = {r.id for r in definition.rosters}
    allowed = {"household", *rosters, *META_KEYS}
    for key in record:
        if key not in allowed:
            problems.append(message("record_unknown_key", name=repr(key), rosters=", ".join(sorted(rosters))))
    record = nfc(record)
    out: dict[str, Any] = {"uuid": record.get("uuid") or new_uuid()}
    try:
        out["uuid"] = str(uuidlib.UUID(str(out["uuid"])))
    except ValueError:
        problems.append(message("record_bad_uuid", value=repr(record.get("uuid"))))
    hh = record.get("household") or {}
    if not isinstance(hh, dict):
        problems.append(message("record_household_not_object"))
        hh = {}
    out["household"] = _normalize_answers(definition, None, hh, message("record_household"), problems)
    for rid in sorted(rosters):
        rows = record.get(rid) or []
        if not isinstance(rows, list):
            problems.append(message("record_rows_not_list", roster=rid))
            rows = []
        clean_rows = []
        seen_ids: set[str] = set()
        for i, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                problems.append(message("record_row_not_object", roster=rid, i=i))
                continue
            clean = _normalize_answers(definition, rid, row, message("record_row", roster=rid, i=i), problems)
            row_id = str(row.get("_id") or uuidlib.uuid4().hex)
            if row_id in seen_ids:
                problems.append(message("record_row_id_twice", roster=rid, i=i, row_id=repr(row_id)))
            seen_ids.add(row_id)
            clean_rows.append({"_id": row_id, **clean})
        out[rid] = clean_rows
    if problems:
        raise RecordError(problems)
    return out


def _normalize_answers(definition: Definition, roster: str | None, answers: dict[str, Any],
                       where: Message, problems: list[Message]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in answers.items():
        if key == "_id" and roster is not None:
            continue
        f = definition.by_id.get(key)
        if f is None or f.roster != roster or not f.is_answer:
            kind = "record_not_a_question" if f is None or not f.is_answer else "record_wrong_section"
            problems.append(message(kind, where=where, name=repr(key)))
            continue
        if isinstance(raw, (dict,)) or (isinstance(raw, list) and f.type != "select_multiple"):
            problems.append(message("record_wrong_shape", where=where, name=repr(key), value=f"{raw!r:.60}"))
            continue
        value = values.coerce(definition, f, raw)
        bad = values.control_character(value) if f.type == "text" and isinstance(value, str) else None
        if bad:
            # Refused at input, not kept as a draft's error: the file holds the character, and
            # a household stored with it would reach the exports.
            problems.append(message("record_control_character", where=where, field=f.label or f.id, code=bad))
            continue
        if value is not None:
            out[key] = value
    return out


def answers_only(record: dict[str, Any], definition: Definition) -> dict[str, Any]:
    return {k: record[k] for k in ("household", *(r.id for r in definition.rosters)) if k in record}


def search_text(definition: Definition, record: dict[str, Any]) -> str:
    """Folded text of the questions marked `search: true`, for diacritic-free search."""
    parts: list[str] = []
    for f in definition.search_fields:
        rows = [record.get("household") or {}] if f.roster is None else record.get(f.roster) or []
        for row in rows:
            v = row.get(f.id)
            if isinstance(v, str) and v:
                parts.append(v)
    return fold(" ".join(parts))


def matching_rows(definition: Definition, record: dict[str, Any], words: list[str]) -> list[tuple[str, int, str]]:
    """The roster rows whose searched answers hold a word of a search (folded words, each a
    word start): (roster id, row index, the row's first searched answer, a name). What shows
    an officer which member a search found."""
    every: list[tuple[str, int, str]] = []
    some: list[tuple[str, int, str]] = []
    for roster in definition.rosters:
        fields = [f for f in definition.search_fields if f.roster == roster.id]
        for i, row in enumerate(record.get(roster.id) or []):
            texts = [row.get(f.id) for f in fields if isinstance(row.get(f.id), str) and row.get(f.id)]
            theirs = re.findall(r"\w+", fold(" ".join(texts)))
            hits = [any(t.startswith(w) for t in theirs) for w in words]
            if texts and all(hits):
                every.append((roster.id, i, texts[0]))
            elif texts and any(hits):
                some.append((roster.id, i, texts[0]))
    # "dang hung": the member named Đặng … Hùng, not every Đặng of the household; when the words
    # are spread over several members (or the village), each member that holds one of them.
    return every or some


def diff(definition: Definition, old: dict[str, Any] | None, new: dict[str, Any]) -> list[list[Any]]:
    """[[path, old value, new value], ...] between two records; rows matched by _id."""
    changes: list[list[Any]] = []
    old = old or {}
    _diff_answers("household", old.get("household") or {}, new.get("household") or {}, changes)
    for r in definition.rosters:
        before = {row["_id"]: row for row in old.get(r.id) or []}
        after = {row["_id"]: row for row in new.get(r.id) or []}
        for row_id, row in after.items():
            if row_id not in before:
                changes.append([f"{r.id}/{row_id}", None, "added"])
            _diff_answers(f"{r.id}/{row_id}", before.get(row_id, {}), row, changes)
        for row_id, row in before.items():
            if row_id not in after:
                _diff_answers(f"{r.id}/{row_id}", row, {}, changes)
                changes.append([f"{r.id}/{row_id}", "removed", None])
        order_before = [i for i in before if i in after]
        order_after = [i for i in after if i in before]
        if order_before != order_after:
            changes.append([f"{r.id}/order", order_before, order_after])
    return changes


def _diff_answers(prefix: str, old: dict[str, Any], new: dict[str, Any], out: list[list[Any]]) -> None:
    for key in sorted(set(old) | set(new)):
        if key == "_id":
            continue
        a, b = old.get(key), new.get(key)
        if a != b:
            out.append([f"{prefix}/{key}", a, b])


def clear_irrelevant(record: dict[str, Any], refs: list[Any]) -> dict[str, Any]:
    """A copy of the record without the answers at `refs` (FieldRefs of the engine)."""
    out = copy.deepcopy(record)
    for ref in refs:
        target = out["household"] if ref.roster is None else out[ref.roster][ref.row]
        target.pop(ref.field, None)
    return out
