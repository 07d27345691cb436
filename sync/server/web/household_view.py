"""What the review pages show of one household: its answers grouped as the questionnaire
groups them, with code labels, warnings and review comments beside each question."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from forms.definition import Definition, Field
from forms.engine import Evaluation, FieldRef
from forms.values import is_empty

BRIEF = 4  # answers of each member in the summary table (name, relation, birth date, sex), and the calculated ones
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is exact


@dataclass(slots=True)
class Note:
    kind: str  # error, warning, comment (from the supervisor)
    text: str


@dataclass(slots=True)
class Answer:
    ref: str  # as review.return_household takes it: head_name, members[2].general_education
    anchor: str
    label: str
    parts: list[tuple[str | None, str]]  # (code, text) pieces of the value; empty when unanswered
    calculated: bool = False
    notes: list[Note] = field(default_factory=list)
    before: list[tuple[str | None, str]] | None = None  # the value when last returned, if it changed since
    typed: str = ""  # a comment being written, kept when the page is shown again


@dataclass(slots=True)
class Section:
    label: str
    answers: list[Answer] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass(slots=True)
class Member:
    number: int  # from 1, as on paper
    title: str
    sections: list[Section]
    added: bool = False  # not there when the household was last returned
    warnings: int = 0
    brief: list[list[tuple[str | None, str]]] = field(default_factory=list)  # its first answers, for the summary table


@dataclass(slots=True)
class Problem:
    """A warning (or error) in the list at the top of the page, linking to its question."""

    kind: str
    where: str
    anchor: str
    text: str


@dataclass(slots=True)
class HouseholdView:
    sections: list[Section]
    roster_label: str
    columns: list[str]  # of the members' summary table
    members: list[Member]
    roster_notes: list[Note]
    problems: list[Problem]
    removed_members: list[str]
    changes: list[tuple[str, str]]  # (where, anchor) of the answers changed since the return


def anchor(ref: str) -> str:
    return "q-" + re.sub(r"[^A-Za-z0-9_]+", "-", ref).strip("-")


def local_time(iso: str | None) -> str:
    """A stored UTC time as a supervisor in Viet Nam reads it: 15/10/2026 14:05."""
    if not iso:
        return ""
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def value_parts(definition: Definition, f: Field, value: Any, lang: str) -> list[tuple[str | None, str]]:
    if is_empty(value):
        return []
    if f.type in ("select_one", "select_multiple") and f.list_name in definition.lists:
        choices = definition.lists[f.list_name]
        codes = value if isinstance(value, list) else [value]
        return [(str(c), choices.label(str(c), lang)) for c in codes]
    if f.type == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [(None, f"{value[8:10]}/{value[5:7]}/{value[:4]}")]
    if f.type == "partial_date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        return [(None, f"{value[5:7]}/{value[:4]}")]
    if f.type == "partial_date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [(None, f"{value[8:10]}/{value[5:7]}/{value[:4]}")]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [(None, str(value))]


def code_label(definition: Definition, field_id: str, code: str | None, lang: str) -> str:
    """The label of a code of a household question (the commune's name), or the code itself."""
    f = definition.by_id.get(field_id)
    if not code or f is None or f.list_name not in definition.lists:
        return code or ""
    return definition.lists[f.list_name].label(code, lang) or code


def summary_value(definition: Definition, ev: Evaluation, column: str) -> str:
    """A column of the household list (village, head_name ...) as the definition defines it."""
    fid = definition.summary.get(column)
    value = ev.household.get(fid) if fid else None
    return "" if is_empty(value) else str(value)


def build(definition: Definition, record: dict[str, Any], ev: Evaluation, lang: str, *,
          comments: dict[str, str] | None = None, before: dict[str, Any] | None = None,
          typed: dict[str, str] | None = None) -> HouseholdView:
    """The page of a household. `comments`: the supervisor's comments of the last return, by
    question; `before`: the household as it was returned, to show what the officer changed."""
    comments, typed = comments or {}, typed or {}
    findings: dict[str, list[Note]] = {}
    for f in ev.findings:
        findings.setdefault(str(f.ref), []).append(Note(f.severity, f.message.text(lang)))
    shown: set[str] = set()
    changes: list[tuple[str, str]] = []
    hh_raw = record.get("household") or {}
    hh_before = (before or {}).get("household") if before is not None else None

    def answer(f: Field, ref: FieldRef, raw: dict[str, Any], old: dict[str, Any] | None, effective: dict[str, Any]) -> Answer:
        key = str(ref)
        shown.add(key)
        calculated = f.type == "calculate"
        value = effective.get(f.id) if calculated else raw.get(f.id)
        a = Answer(key, anchor(key), f.label.text(lang) if f.label else f.id, value_parts(definition, f, value, lang),
                   calculated=calculated, typed=typed.get(key, ""))
        a.notes = list(findings.get(key, []))
        if comments.get(key):
            a.notes.append(Note("comment", comments[key]))
        if old is not None and not calculated and _norm(old.get(f.id)) != _norm(value):
            a.before = value_parts(definition, f, old.get(f.id), lang)
            changes.append((_where(definition, ref, record, lang), a.anchor))
        return a

    def walk(children: list[Field], relevant: dict[str, bool], raw: dict[str, Any], old: dict[str, Any] | None,
             effective: dict[str, Any], row: int | None, roster: str | None) -> tuple[list[Answer], list[Section]]:
        answers, sections = [], []
        for f in children:
            if not relevant.get(f.id, True) and not (f.is_answer and not is_empty(raw.get(f.id))):
                continue  # does not apply to this household or member
            if f.type == "group":
                inner = walk(f.children, relevant, raw, old, effective, row, roster)
                if inner[0] or inner[1]:
                    sections.append(Section(f.label.text(lang) if f.label else f.id, *inner))
            elif f.is_answer or (f.type == "calculate" and f.label is not None):
                answers.append(answer(f, FieldRef(f.id, roster, row), raw, old, effective))
        return answers, sections

    sections: list[Section] = []
    members: list[Member] = []
    roster_label, roster_notes, removed, columns = "", [], [], []
    loose: list[Answer] = []
    for top in definition.fields:
        if top.type == "roster":
            roster_label = top.label.text(lang) if top.label else top.id
            roster_notes = findings.get(top.id, [])
            shown.add(top.id)
            rows = record.get(top.id) or []
            old_rows = {r.get("_id"): r for r in (before or {}).get(top.id) or []} if before is not None else None
            row_label = top.row_label.text(lang) if top.row_label else ""
            for i, raw in enumerate(rows):
                # A member added since the return is marked as a whole, not answer by answer.
                old = old_rows.get(raw.get("_id")) if old_rows is not None else None
                answers, subs = walk(top.children, ev.rows_relevant[top.id][i], raw, old, ev.rows[top.id][i], i, top.id)
                name = str(raw.get("full_name") or "")
                title = f"{row_label} {i + 1}" + (f": {name}" if name else "")
                warnings = sum(1 for k, notes in findings.items() if k.startswith(f"{top.id}[{i}].") for n in notes
                               if n.kind == "warning")
                brief = [a for a in answers if not a.calculated][:BRIEF] + [a for a in answers if a.calculated]
                columns = columns or [a.label for a in brief]
                members.append(Member(i + 1, title, [Section("", answers), *subs] if answers else subs,
                                      added=old_rows is not None and raw.get("_id") not in old_rows, warnings=warnings,
                                      brief=[a.parts for a in brief]))
            if old_rows is not None:
                now_ids = {r.get("_id") for r in rows}
                removed = [str(r.get("full_name") or "?") for rid, r in old_rows.items() if rid not in now_ids]
        elif top.type == "group":
            answers, subs = walk(top.children, ev.household_relevant, hh_raw, hh_before, ev.household, None, None)
            sections.append(Section(top.label.text(lang) if top.label else top.id, answers, subs))
        elif (top.is_answer or (top.type == "calculate" and top.label is not None)) and ev.household_relevant.get(top.id, True):
            loose.append(answer(top, FieldRef(top.id), hh_raw, hh_before, ev.household))
    if loose:
        sections.insert(0, Section("", loose))

    problems = []
    for f in ev.findings:
        key = str(f.ref)
        target = key if key in shown else ""
        problems.append(Problem(f.severity, _where(definition, f.ref, record, lang), anchor(target) if target else "",
                                f.message.text(lang)))
    problems.sort(key=lambda p: p.kind != "error")
    for member in members:
        if member.added:
            changes.append((f"{member.title}", f"member-{member.number}"))
    return HouseholdView(sections, roster_label, columns, members, roster_notes, problems, removed, changes)


def ref_label(definition: Definition, record: dict[str, Any], ref: str, lang: str) -> str:
    """A question reference (members[2].general_education) as a person reads it."""
    m = _REF.match(ref)
    if not m:
        return ref
    roster, row, fid = m.groups()
    return _where(definition, FieldRef(fid, roster, int(row) if row is not None else None), record, lang)


_REF = re.compile(r"^(?:(\w+)\[(\d+)\]\.)?(\w+)$")


def _where(definition: Definition, ref: FieldRef, record: dict[str, Any], lang: str) -> str:
    f = definition.by_id.get(ref.field)
    label = f.label.text(lang) if f is not None and f.label else ref.field
    if ref.roster is None or ref.row is None:
        return label
    roster = definition.by_id.get(ref.roster)
    row_label = roster.row_label.text(lang) if roster is not None and roster.row_label else ref.roster
    rows = record.get(ref.roster) or []
    name = str(rows[ref.row].get("full_name") or "") if ref.row < len(rows) else ""
    return f"{row_label} {ref.row + 1}" + (f" ({name})" if name else "") + f" · {label}"


def _norm(value: Any) -> Any:
    return None if is_empty(value) else value
