"""What the provincial server sends down: questionnaire versions, households to visit, and
households returned for correction with the supervisor's comments.

Entries come numbered; a page of them is applied in one transaction together with the
number of the last one, so a cut link or a killed program never skips or repeats one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forms import codelists
from forms.definition import DefinitionError, definition_from_text
from forms.store.errors import StoreError
from forms.store.store import Store

CURSOR = "sync.feed_after"


@dataclass(slots=True)
class InboxSummary:
    forms: int = 0
    code_lists: int = 0
    assigned: int = 0
    returned: int = 0
    problems: list[str] = field(default_factory=list)


def cursor(store: Store) -> int:
    return int(store.get_setting(CURSOR) or 0)


def apply_page(store: Store, items: list[dict[str, Any]], last: int, *, actor: str) -> InboxSummary:
    summary = InboxSummary()
    # Questionnaires first, outside the transaction: a household below may need one, and a
    # file written twice (the transaction rolled back) is the same file.
    for item in items:
        if item.get("kind") == "code_list":
            _code_list(store, item.get("payload") or {}, summary)
        elif item.get("kind") == "form":
            _form(store, item.get("payload") or {}, summary)
    with store.transaction():
        for item in items:
            kind, payload = item.get("kind"), item.get("payload") or {}
            try:
                if kind == "assignment":
                    _assignment(store, payload, actor, summary)
                elif kind == "returned":
                    _returned(store, payload, actor, summary)
                elif kind not in ("form", "code_list"):
                    summary.problems.append(f"entry {item.get('seq')}: unknown kind {kind!r}, skipped")
            except (StoreError, KeyError, ValueError) as exc:
                # One bad entry must not stop every later one from arriving.
                summary.problems.append(f"entry {item.get('seq')} ({kind}): {exc}")
        store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [CURSOR, str(last)])
    return summary


def _code_list(store: Store, payload: dict[str, Any], summary: InboxSummary) -> None:
    name, version, text = str(payload.get("name")), str(payload.get("version", "")), payload.get("csv")
    try:
        if not isinstance(text, str):
            raise codelists.CodeListError("no CSV")
        codelists.publish(name, version, text, str(payload.get("source", "")))
    except codelists.CodeListError as exc:
        summary.problems.append(f"code list {name} refused: {exc}")
        return
    store.code_lists_dir.mkdir(parents=True, exist_ok=True)
    _write(store.code_lists_dir / f"{name}.csv", text)
    _write(store.code_lists_dir / f"{name}.yaml", yaml.safe_dump({"version": version, "source": payload.get("source", "")},
                                                                allow_unicode=True))
    summary.code_lists += 1


def _write(target: Path, text: str) -> None:
    part = target.with_name(target.name + ".part")
    with open(part, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, target)


def _form(store: Store, payload: dict[str, Any], summary: InboxSummary) -> None:
    form_id, version, text = str(payload.get("form_id")), str(payload.get("version")), payload.get("definition")
    name = f"{form_id}-{version}.yaml"
    if not isinstance(text, str) or "/" in name or "\\" in name or name.startswith("."):
        summary.problems.append(f"questionnaire {form_id} {version}: not understood, skipped")
        return
    try:
        definition = definition_from_text(text, name)
    except DefinitionError as exc:
        summary.problems.append(f"questionnaire {form_id} {version} refused: {exc}")
        return
    store.forms_dir.mkdir(parents=True, exist_ok=True)
    _write(store.forms_dir / name, text)
    store.forms.add(definition)
    summary.forms += 1


def _record(payload: dict[str, Any]) -> dict[str, Any]:
    skip = {"server_revision", "comment", "round", "by", "at"}
    return {k: v for k, v in payload.items() if k not in skip}


def _assignment(store: Store, payload: dict[str, Any], actor: str, summary: InboxSummary) -> None:
    if store._row(str(payload["uuid"]), with_record=False) is not None:
        return  # here already: whatever the officer has typed stays
    store.save_within(_record(payload), actor=actor, action="assigned", status="draft")
    summary.assigned += 1


def _returned(store: Store, payload: dict[str, Any], actor: str, summary: InboxSummary) -> None:
    uuid, revision = str(payload["uuid"]), int(payload["server_revision"])
    h = store._row(uuid, with_record=False)
    if h is not None and h.server_revision is not None and h.server_revision >= revision:
        return  # an older round: the household went back to the server since
    comment = payload.get("comment") or {}
    text = str(comment.get("household") or "")
    fields = {str(k): str(v) for k, v in (comment.get("fields") or {}).items()}
    note = {"outcome": "returned", "message": {"vi": text, "en": text}, "round": payload.get("round"),
            "by": payload.get("by"), "at": payload.get("at"),
            "findings": [{"field": ref, "severity": "comment", "vi": c, "en": c} for ref, c in fields.items()]}
    by = str(payload.get("by") or "province")
    if h is None or (h.deleted_at is None and h.revision <= (h.sent_revision or 0)):
        # Nothing typed here since it was sent: take the server's copy, as returned.
        saved = store.save_within(_record(payload), actor=by, action="returned", status="returned")
        local_revision = saved.household.revision
        store.conn.execute("UPDATE households SET sent_revision = ? WHERE uuid = ?", [local_revision, uuid])
    else:
        local_revision = h.revision  # the officer's newer edits stay; the comment is added
        note["findings"] += _earlier_note(h.server_note)
        if h.deleted_at is None and h.status == "draft":
            # A draft here (often one a conflict sent back just before) is now what the
            # province asked to correct: it shows and goes back as returned.
            store.conn.execute("UPDATE households SET status = 'returned' WHERE uuid = ?", [uuid])
            store._log(uuid, local_revision, by, "returned", [["status", h.status, "returned"]])
    store.conn.execute("UPDATE households SET server_revision = ?, server_note = ? WHERE uuid = ?",
                       [revision, json.dumps(note, ensure_ascii=False), uuid])
    store._log(uuid, local_revision, by, "comment",
               [["comment", None, text], *[[ref, None, c] for ref, c in fields.items()]])
    summary.returned += 1


def _earlier_note(server_note: str | None) -> list[dict[str, Any]]:
    """What the server said before the return (a conflict, a refusal), kept beside the
    supervisor's comments as findings on the household, so neither note is lost."""
    try:
        earlier = json.loads(server_note or "{}")
    except ValueError:
        return []
    if not isinstance(earlier, dict) or earlier.get("outcome") not in ("conflict", "rejected"):
        return []
    kept = [f for f in earlier.get("findings") or [] if isinstance(f, dict)]
    msg = earlier.get("message")
    if isinstance(msg, dict) and (msg.get("vi") or msg.get("en")):
        kept.insert(0, {"field": "", "severity": str(earlier["outcome"]), "vi": str(msg.get("vi") or msg.get("en")),
                        "en": str(msg.get("en") or msg.get("vi"))})
    return kept
