"""Records to columns: one table per level, values already in the type each file writes.

Records are plain dicts as the store and the server keep them (`Household.export()`, the JSON
Lines shape): uuid, status, form_id, form_version, revision, updated_at, `household` and one
list per roster. Empty answers stay None (system missing). A value that cannot be written in
its column's type (a draft may hold "31/02/1990" in a date, a letter in a numeric code) is
left empty and reported as an Unwritable, never silently changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.definition import Definition
from forms.engine import Engine, FieldRef
from forms.exports.variables import HOUSEHOLDS, ExportError, Plan, Variable, build_plan
from forms.functions import parse_partial_date
from forms.i18n import message
from forms.registry import version_key

# Statuses of households being edited: they may hold answers whose question no longer applies
# (completing removes them; the server only receives completed households).
UNSETTLED = ("draft", "returned")
_BAD = object()  # a converter's answer for a value that does not fit the column
INT32 = (-2_147_483_647, 2_147_483_620)  # Stata's long without its missing codes
Getter = Callable[[dict[str, Any], dict[str, Any], int, dict[str, Any] | None], Any]


@dataclass(slots=True)
class Table:
    level: str
    variables: list[Variable]
    columns: list[list[Any]]

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def row(self, i: int) -> list[Any]:
        return [c[i] for c in self.columns]


@dataclass(slots=True)
class Unwritable:
    """A stored value left out of a column because it does not fit its type."""

    level: str
    household_uuid: str
    household_code: str
    row: int | None  # 1-based row of the roster, None at household level
    variable: str
    value: Any


@dataclass(slots=True)
class Tables:
    plan: Plan
    tables: dict[str, Table]
    households: int = 0
    problems: list[Unwritable] = field(default_factory=list)


def build_tables(definitions: Sequence[Definition], records: Iterable[dict[str, Any]], *,
                 calculations: bool = True, plan: Plan | None = None) -> Tables:
    """Every record of `records` as rows of the plan's levels (one household row each, one
    row per roster row). `definitions` are the questionnaire versions the records were taken
    with; a record of another version is refused with ExportError."""
    plan = plan or build_plan(definitions, calculations=calculations)
    by_version = {d.version: d for d in definitions}
    newest = max(definitions, key=lambda d: version_key(d.version))
    tables = {level: Table(level, variables, [[] for _ in variables]) for level, variables in plan.levels.items()}
    out = Tables(plan, tables)
    getters: dict[str, dict[str, tuple[list[tuple[int, Variable, Getter]], list[int]]]] = {}
    engines: dict[str, Engine] = {}
    wants_calc: dict[str, bool] = {}
    for rec in records:
        version = str(rec.get("form_version") or newest.version)
        d = by_version.get(version)
        if d is None or str(rec.get("form_id") or d.form_id) != d.form_id:
            raise ExportError(message("exports_unknown_version", form=rec.get("form_id") or plan.form_id,
                                      version=version, uuid=rec.get("uuid", "")))
        if version not in getters:
            getters[version] = {level: _getters(d, t.variables) for level, t in tables.items()}
            wants_calc[version] = any(v.kind == "calculation" and version in v.versions
                                      for t in tables.values() for v in t.variables)
            engines[version] = Engine(d)
        # A completed household had its answers without a question removed; a draft may
        # still hold some (a member keyed under 15 after the labour answers): left out.
        unsettled = rec.get("status") in UNSETTLED
        evaluation = engines[version].evaluate(rec) if wants_calc[version] or unsettled else None
        if evaluation is not None and unsettled and evaluation.irrelevant_answers:
            rec = _without(rec, evaluation.irrelevant_answers)
        hh = rec.get("household") or {}
        code_field = d.summary.get("household_code")
        code = str(hh.get(code_field) or "") if code_field else ""
        calc = evaluation.household if evaluation else None
        _append(out, tables[HOUSEHOLDS], getters[version][HOUSEHOLDS], rec, hh, 0, calc, code)
        for roster in d.rosters:
            table = tables[roster.id]
            calc_rows = evaluation.rows[roster.id] if evaluation else None
            for i, row in enumerate(rec.get(roster.id) or [], 1):
                _append(out, table, getters[version][roster.id], rec, row, i,
                        calc_rows[i - 1] if calc_rows else None, code)
        out.households += 1
    for table in tables.values():
        for variable, column in zip(table.variables, table.columns):
            _settle_storage(variable, column)
    return out


def _without(rec: dict[str, Any], refs: list[FieldRef]) -> dict[str, Any]:
    """A copy of the record without the answers at `refs` (the stored one is left alone)."""
    out = dict(rec)
    out["household"] = dict(rec.get("household") or {})
    for ref in refs:
        if ref.roster is None:
            out["household"].pop(ref.field, None)
            continue
        if out.get(ref.roster) is rec.get(ref.roster):
            out[ref.roster] = [dict(row) for row in rec.get(ref.roster) or []]
        if ref.row is not None and ref.row < len(out[ref.roster]):
            out[ref.roster][ref.row].pop(ref.field, None)
    return out


def _append(out: Tables, table: Table, getters: tuple[list[tuple[int, Variable, Getter]], list[int]],
            rec: dict[str, Any], answers: dict[str, Any], row_no: int, calc: dict[str, Any] | None, code: str) -> None:
    columns = table.columns
    present, absent = getters
    for index, variable, get in present:
        value = get(rec, answers, row_no, calc)
        if value is _BAD:
            raw = answers.get(variable.field or "")
            out.problems.append(Unwritable(table.level, str(rec.get("uuid", "")), code, row_no or None, variable.name, raw))
            value = None
        columns[index].append(value)
    for index in absent:  # columns of another questionnaire version
        columns[index].append(None)


def _getters(d: Definition, variables: list[Variable]) -> tuple[list[tuple[int, Variable, Getter]], list[int]]:
    present, absent = [], []
    for i, v in enumerate(variables):
        get = _getter(d, v) if d.version in v.versions else None
        if get is None:
            absent.append(i)
        else:
            present.append((i, v, get))
    return present, absent


def _getter(d: Definition, v: Variable) -> Getter | None:
    if v.key == ("key", "household_uuid"):
        return lambda rec, a, n, c: str(rec["uuid"]) if rec.get("uuid") else None
    if v.key == ("key", "household_code"):
        fid = d.summary.get("household_code")
        return lambda rec, a, n, c: _text((rec.get("household") or {}).get(fid))
    if v.key == ("key", "row_no"):
        return lambda rec, a, n, c: n
    if v.key == ("key", "row_id"):
        return lambda rec, a, n, c: _text(a.get("_id"))
    if v.kind == "meta":
        name = v.key[1]
        if v.storage == "int":
            return lambda rec, a, n, c: _integer(rec.get(name))
        return lambda rec, a, n, c: _text(rec.get(name))
    fid = v.field
    assert fid is not None
    if v.kind == "calculation":
        return lambda rec, a, n, c: _calculated(c.get(fid)) if c is not None else None
    f = d.by_id[fid]
    if v.kind == "dummy":
        if f.type != "select_multiple":
            return None
        choice = v.choice
        return lambda rec, a, n, c: _flag(a.get(fid), choice)
    if v.kind == "year":
        return lambda rec, a, n, c: _year(a.get(fid))
    convert = _converter(v)
    return lambda rec, a, n, c: convert(a.get(fid))


def _converter(v: Variable) -> Callable[[Any], Any]:
    if v.storage == "int" and v.numeric is not None:
        numeric = v.numeric

        def code(value: Any) -> Any:
            if value is None:
                return None
            number = numeric.get(value) if isinstance(value, str) else None
            return number if number is not None else _integer(value, bad=_BAD)
        return code
    if v.storage == "int":
        return lambda value: _integer(value, bad=_BAD)
    if v.storage == "float":
        return _decimal
    if v.storage == "date":
        return _date
    return _text


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return " ".join(str(x) for x in value)
    return value if isinstance(value, str) else str(value)


def _integer(value: Any, bad: Any = None) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return bad
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return bad
    return bad


def _decimal(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return _BAD
    return _BAD


def _date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if len(value) == 4 and value.isdigit():
            return None  # a year alone: the _year column holds it
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else _BAD
        except ValueError:
            return _BAD
    return _BAD


def _year(value: Any) -> int | None:
    parsed = parse_partial_date(value) if value not in (None, "") else None
    return parsed[0] if parsed else None


def _flag(value: Any, choice: str | None) -> int | None:
    if value is None or value == "" or value == []:
        return None
    chosen = value if isinstance(value, list) else str(value).split()
    return 1 if choice in chosen else 0


def _calculated(value: Any) -> Any:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return value


def _settle_storage(v: Variable, column: list[Any]) -> None:
    """Calculations take the type their values have; integers too large for Stata's long
    become doubles."""
    if v.storage == "infer":
        values = [x for x in column if x is not None]
        if all(isinstance(x, int) and not isinstance(x, bool) for x in values):
            v.storage = "int"
        elif all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
            v.storage = "float"
        else:
            v.storage = "string"
            column[:] = [_text(x) for x in column]
    if v.storage == "int" and any(x is not None and not INT32[0] <= x <= INT32[1] for x in column):
        v.storage = "float"
