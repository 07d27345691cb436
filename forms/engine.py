"""The form engine: evaluates a household against its questionnaire definition.

Relevance, calculations, required answers, value types, constraints, rules across members
and uniqueness. A question that is not relevant reads as empty in every expression, as in
XLSForm tools; an answer left in such a question is reported in `irrelevant_answers` and
removed when the household is marked complete.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from forms import values
from forms.definition import Definition, Field
from forms.i18n import Message, message
from forms.xpath_values import to_bool

# (field id, values of the `within` fields, candidate values) -> values already used elsewhere
ElsewhereLookup = Callable[[str, tuple[str, ...], list[str]], set[str]]


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A question in one household: a household question, or a roster question of one row."""

    field: str
    roster: str | None = None
    row: int | None = None  # 0-based

    def __str__(self) -> str:
        return self.field if self.roster is None else f"{self.roster}[{self.row}].{self.field}"


@dataclass(frozen=True, slots=True)
class Finding:
    ref: FieldRef
    severity: str  # "error" blocks completion; "warning" asks for confirmation
    rule: str
    message: Message

    def text(self, lang: str | None = None) -> str:
        return self.message.text(lang)


@dataclass(slots=True)
class Evaluation:
    findings: list[Finding]
    household: dict[str, Any]  # effective values: answers and calculations
    rows: dict[str, list[dict[str, Any]]]
    household_relevant: dict[str, bool]
    rows_relevant: dict[str, list[dict[str, bool]]]
    irrelevant_answers: list[FieldRef] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def is_relevant(self, ref: FieldRef) -> bool:
        if ref.roster is None:
            return self.household_relevant.get(ref.field, True)
        return self.rows_relevant[ref.roster][ref.row or 0].get(ref.field, True)

    def value(self, ref: FieldRef) -> Any:
        if ref.roster is None:
            return self.household.get(ref.field)
        return self.rows[ref.roster][ref.row or 0].get(ref.field)

    def for_ref(self, ref: FieldRef) -> list[Finding]:
        return [f for f in self.findings if f.ref == ref]


class Context:
    """What an expression sees while one household is evaluated."""

    __slots__ = ("_definition", "dot", "hh", "row", "rows", "today")

    def __init__(self, definition: Definition, today: str):
        self._definition = definition
        self.today = today
        self.hh: dict[str, Any] = {}
        self.row: dict[str, Any] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.dot: Any = None

    def code_set(self, name: str) -> frozenset[str]:
        return self._definition.code_set(name)


def _clean(v: Any) -> Any:
    if v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


class Engine:
    def __init__(self, definition: Definition):
        self.definition = definition
        self._household_answers = definition.answer_fields(None)
        self._checked: dict[str | None, list[Field]] = {
            r: [f for f in definition.by_id.values()
                if f.roster == r and f.type != "roster" and (f.is_answer or f.constraints)]
            for r in [None, *(ro.id for ro in definition.rosters)]
        }

    def evaluate(self, record: dict[str, Any], *, today: str | None = None,
                 elsewhere: ElsewhereLookup | None = None) -> Evaluation:
        d = self.definition
        ctx = Context(d, today or dt.date.today().isoformat())
        hh_raw: dict[str, Any] = record.get("household") or {}
        raw_rows = {r.id: list(record.get(r.id) or []) for r in d.rosters}
        ctx.hh = hh = {}
        ctx.rows = {rid: [{} for _ in rows] for rid, rows in raw_rows.items()}
        hh_rel: dict[str, bool] = {}
        rows_rel = {rid: [{} for _ in rows] for rid, rows in raw_rows.items()}

        for f in d.order:
            if f.roster is None or f.type == "roster":
                rel = hh_rel[f.parent] if f.parent else True
                if rel and f.relevant_fn is not None:
                    rel = to_bool(f.relevant_fn(ctx))
                hh_rel[f.id] = rel
                if f.type == "calculate":
                    hh[f.id] = _clean(f.calculation_fn(ctx)) if rel else None  # type: ignore[misc]
                elif f.is_answer:
                    hh[f.id] = hh_raw.get(f.id) if rel else None
                continue
            rid, fid, parent = f.roster, f.id, f.parent
            raws, effs, rels = raw_rows[rid], ctx.rows[rid], rows_rel[rid]
            roster_rel = hh_rel[rid]
            relevant_fn, calc_fn, is_answer = f.relevant_fn, f.calculation_fn, f.is_answer
            for i in range(len(raws)):
                row_rels = rels[i]
                rel = roster_rel if parent == rid else row_rels[parent]
                ctx.row = effs[i]
                if rel and relevant_fn is not None:
                    rel = to_bool(relevant_fn(ctx))
                row_rels[fid] = rel
                if calc_fn is not None:
                    effs[i][fid] = _clean(calc_fn(ctx)) if rel else None
                elif is_answer:
                    effs[i][fid] = raws[i].get(fid) if rel else None

        ev = Evaluation([], hh, ctx.rows, hh_rel, rows_rel)
        for f in self._checked[None]:
            value = hh.get(f.id) if f.type == "calculate" else hh_raw.get(f.id)
            self._check(ctx, ev, f, FieldRef(f.id), value, hh_rel[f.id])
        for roster in d.rosters:
            self._check_roster(ctx, ev, roster, raw_rows[roster.id], elsewhere)
        if elsewhere is not None:
            self._check_database_unique(ev, hh_raw, raw_rows, elsewhere)
        return ev

    @staticmethod
    def slim(ev: Evaluation) -> Evaluation:
        """The parts of an evaluation a store needs, cheap to send between processes."""
        return Evaluation(ev.findings, ev.household, ev.rows, {}, {}, ev.irrelevant_answers)

    def check_database_unique(self, ev: Evaluation, record: dict[str, Any], elsewhere: ElsewhereLookup) -> None:
        """Add to an evaluation made without a database the findings of database-wide rules."""
        raw_rows = {r.id: list(record.get(r.id) or []) for r in self.definition.rosters}
        self._check_database_unique(ev, record.get("household") or {}, raw_rows, elsewhere)

    def _check(self, ctx: Context, ev: Evaluation, f: Field, ref: FieldRef, value: Any, rel: bool) -> None:
        if values.is_empty(value):
            if rel and (f.required or (f.required_fn is not None and to_bool(f.required_fn(ctx)))):
                ev.findings.append(Finding(ref, "error", "required", message("required")))
            return
        if not rel:
            if f.is_answer:
                ev.irrelevant_answers.append(ref)
            return
        if f.is_answer:
            parent = ctx.hh.get(f.filter_by) if f.filter_by else None
            problem = values.check(self.definition, f, value, parent)
            if problem is not None:
                ev.findings.append(Finding(ref, "error", "type", problem))
                return
        ctx.dot = value
        for c in f.constraints:
            if not to_bool(c.fn(ctx)):  # type: ignore[misc]
                ev.findings.append(Finding(ref, c.severity, c.rule, c.message))

    def _check_roster(self, ctx: Context, ev: Evaluation, roster: Field, raws: list[dict[str, Any]],
                      elsewhere: ElsewhereLookup | None) -> None:
        rid = roster.id
        ref = FieldRef(rid)
        if len(raws) < roster.min_rows:
            label = roster.label or rid
            ev.findings.append(Finding(ref, "error", "min_rows", message("min_rows", roster=label, n=roster.min_rows)))
        ctx.dot = ctx.rows[rid]
        for c in roster.constraints:
            if raws and not to_bool(c.fn(ctx)):  # type: ignore[misc]
                ev.findings.append(Finding(ref, c.severity, c.rule, c.message))
        fields = self._checked[rid]
        effs, rels = ctx.rows[rid], ev.rows_relevant[rid]
        irrelevant = ev.irrelevant_answers
        for i, raw in enumerate(raws):
            eff, rel_i = effs[i], rels[i]
            ctx.row = eff
            for f in fields:
                fid = f.id
                value = eff.get(fid) if f.type == "calculate" else raw.get(fid)
                # Fast path: most questions of a member are unanswered because they do not apply.
                if value is None and not rel_i[fid]:
                    continue
                if not rel_i[fid] and not values.is_empty(value):
                    if f.is_answer:
                        irrelevant.append(FieldRef(fid, rid, i))
                    continue
                self._check(ctx, ev, f, FieldRef(fid, rid, i), value, rel_i[fid])
        for f in fields:
            for u in f.unique:
                if u.scope == "household":
                    self._check_household_unique(ev, f, rid, effs, u.severity, u.message)

    @staticmethod
    def _check_household_unique(ev: Evaluation, f: Field, rid: str, effs: list[dict[str, Any]],
                                severity: str, msg: Message) -> None:
        seen: dict[Any, list[int]] = {}
        for i, row in enumerate(effs):
            v = row.get(f.id)
            if not values.is_empty(v):
                seen.setdefault(v, []).append(i)
        for rows in seen.values():
            if len(rows) > 1:
                for i in rows:
                    ev.findings.append(Finding(FieldRef(f.id, rid, i), severity, f"{f.id}:unique:household", msg))

    def _check_database_unique(self, ev: Evaluation, hh_raw: dict[str, Any],
                               raw_rows: dict[str, list[dict[str, Any]]], elsewhere: ElsewhereLookup) -> None:
        for f in self.definition.by_id.values():
            for u in f.unique:
                if u.scope != "database":
                    continue
                within = tuple(str(hh_raw.get(w) or "") for w in u.within)
                refs = list(self._instances(ev, f))
                candidates = [str(v) for _, v in refs]
                if not candidates:
                    continue
                taken = elsewhere(f.id, within, candidates)
                for ref, v in refs:
                    if str(v) in taken:
                        ev.findings.append(Finding(ref, u.severity, f"{f.id}:unique:database", u.message))

    @staticmethod
    def _instances(ev: Evaluation, f: Field) -> Iterable[tuple[FieldRef, Any]]:
        if f.roster is None:
            v = ev.household.get(f.id)
            if not values.is_empty(v):
                yield FieldRef(f.id), v
            return
        for i, row in enumerate(ev.rows[f.roster]):
            v = row.get(f.id)
            if not values.is_empty(v):
                yield FieldRef(f.id, f.roster, i), v


_REFERENCE = re.compile(r"\$\{(\w+)\}")


def fix_target(definition: Definition, ev: Evaluation, finding: Finding) -> tuple[str, list[int]] | None:
    """For a rule across a roster's rows ("exactly one head"): the roster question that fixes
    it and the rows concerned, as (question id, rows). The question is the first of the
    roster's answers the rule depends on (through calculations); the rows are those whose own
    calculations on the way count for the rule (the two heads), or every row when none does
    (no head at all). None for any other finding, or a rule that depends on no row answer."""
    roster = definition.by_id.get(finding.ref.field)
    if finding.ref.roster is not None or roster is None or roster.type != "roster":
        return None
    rule = next((c for c in roster.constraints if c.rule == finding.rule), None)
    if rule is None:
        return None
    answers, row_calcs = _row_dependencies(definition, roster.id, rule.expr)
    if not answers:
        return None
    field = min(answers, key=[f.id for f in definition.answer_fields(roster.id)].index)  # form order
    rows = ev.rows.get(roster.id, [])
    counted = [i for i, row in enumerate(rows) if any(row.get(c) not in (None, "", 0, "0", False) for c in row_calcs)]
    return field, counted or list(range(len(rows)))


def _row_dependencies(definition: Definition, roster_id: str, expr: str) -> tuple[set[str], set[str]]:
    """(answers, calculations) of the roster's rows that an expression depends on."""
    answers: set[str] = set()
    calcs: set[str] = set()
    todo, seen = _REFERENCE.findall(expr), set()
    while todo:
        name = todo.pop()
        f = definition.by_id.get(name)
        if f is None or name in seen:
            continue
        seen.add(name)
        if f.type == "calculate" and f.calculation:
            todo += _REFERENCE.findall(f.calculation)
            if f.roster == roster_id:
                calcs.add(name)
        elif f.is_answer and f.roster == roster_id:
            answers.add(name)
    return answers, calcs


def unique_keys(definition: Definition, record: dict[str, Any]) -> list[tuple[str, tuple[str, ...], str]]:
    """(field, within-values, value) of every answer under a database-wide unique rule: what
    the store indexes so that other households can be checked against this one."""
    out = []
    hh = record.get("household") or {}
    for f in definition.by_id.values():
        for u in f.unique:
            if u.scope != "database":
                continue
            within = tuple(str(hh.get(w) or "") for w in u.within)
            rows = [hh] if f.roster is None else (record.get(f.roster) or [])
            for row in rows:
                v = row.get(f.id)
                if not values.is_empty(v):
                    out.append((f.id, within, str(v)))
    return out
