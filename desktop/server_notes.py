"""What the province said about a household (its server_note): a supervisor's comments when it
was returned for correction, or the server's reasons when it refused it. Shown in the editor
next to the questions they are about."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from forms.engine import FieldRef, Finding
from forms.i18n import Message

_REF = re.compile(r"^(?:(?P<roster>\w+)\[(?P<row>\d+)\]\.)?(?P<field>\w+)$")


@dataclass(slots=True)
class ServerNote:
    outcome: str  # returned, rejected, conflict
    message: Message | None
    by: str | None = None
    round: int | None = None
    findings: list[Finding] = field(default_factory=list)  # on questions
    loose: list[Message] = field(default_factory=list)  # on questions this version does not have


def parse_ref(text: str) -> FieldRef | None:
    m = _REF.match(text.strip())
    if not m:
        return None
    return FieldRef(m["field"], m["roster"], int(m["row"])) if m["roster"] else FieldRef(m["field"])


def read_note(raw: str | None) -> ServerNote | None:
    if not raw:
        return None
    try:
        note = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(note, dict):
        return None
    outcome = str(note.get("outcome") or "")
    note_message = _message(note.get("message"))
    result = ServerNote(outcome, note_message, by=note.get("by") or None,
                        round=note.get("round") if isinstance(note.get("round"), int) else None)
    severity = "comment" if outcome == "returned" else "error"
    for f in note.get("findings") or []:
        if not isinstance(f, dict):
            continue
        text = _message(f)
        if text is None:
            continue
        ref = parse_ref(str(f.get("field") or ""))
        if ref is None:
            result.loose.append(text)
        else:
            result.findings.append(Finding(ref, severity, f"server:{outcome}", text))
    return result


def _message(value: object) -> Message | None:
    if isinstance(value, dict) and (value.get("vi") or value.get("en")):
        return Message(str(value.get("vi") or value.get("en")), str(value.get("en") or value.get("vi")))
    return None
