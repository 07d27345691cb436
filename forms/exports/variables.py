"""The variables of an export: which columns each file has, their names, labels and codes.

Built from one or more versions of a questionnaire, not from the records, so that every file
of an export (and every export of the same versions) has the same columns:

- one file per level: `households`, and one per roster (`members`);
- the join keys first (household_uuid, household_code; member_no and member_id in a roster);
- one column per question, in questionnaire order; a select_multiple question keeps its codes
  as one text column and gets one 0/1 column per choice; a partial date (a birth date that
  may be a year alone) gets a date column and a `_year` column; calculations that have a
  label (age) are included;
- several versions: the union of their columns, in the newest version's order, with columns
  only older versions have placed after their neighbour in that older version. Labels come
  from the newest version that has the question; code lists are the union of the versions'
  codes. A question whose type differs between versions is exported as text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from forms.definition import Definition, Field
from forms.exports.names import NameAllocator
from forms.i18n import Message, message
from forms.registry import version_key

HOUSEHOLDS = "households"
STORAGES = ("string", "int", "float", "date", "infer")
# Numeric codes must fit Stata's long and SPSS's doubles exactly.
_INT_CODE = re.compile(r"^-?\d{1,9}$")


class ExportError(ValueError):
    """An export that cannot be made; `msg` says why in both languages."""

    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


@dataclass(slots=True, eq=False)
class Variable:
    key: tuple[str, ...]  # identity across versions: ("question", id), ("dummy", id, code)...
    level: str
    kind: str  # key, meta, question, year, dummy, calculation
    label: Message
    wanted_name: str
    name: str = ""
    field: str | None = None  # the question it comes from
    field_type: str | None = None  # the question's type; "mixed" when versions differ
    choice: str | None = None  # dummy: the code it flags
    list_name: str | None = None
    list_source: str = ""  # "form", or the national list and its version
    provisional: bool = False
    storage: str = "string"
    codes: dict[str, Message] = dataclasses.field(default_factory=dict)  # stored code -> label, list order
    numeric: dict[str, int] | None = None  # stored code -> number written, when codes are integers
    relevant: str = ""
    required: str = ""
    calculation: str = ""
    section: Message | None = None
    versions: list[str] = dataclasses.field(default_factory=list)

    @property
    def labelled(self) -> bool:
        return self.kind == "dummy" or bool(self.codes)

    def value_labels(self, lang: str) -> dict[Any, str]:
        """Value -> label as the data file holds the value (number or text)."""
        if self.kind == "dummy":
            return {0: message("exports_no").text(lang), 1: message("exports_yes").text(lang)}
        if self.numeric is not None:
            return {self.numeric[c]: m.text(lang) for c, m in self.codes.items()}
        return {c: m.text(lang) for c, m in self.codes.items()}

    def label_of(self, value: Any, lang: str) -> str | None:
        """The label of one stored value (a code), or None."""
        if self.kind == "dummy":
            return None if value is None else message("exports_yes" if value else "exports_no").text(lang)
        if not self.codes or value is None:
            return None
        if self.numeric is not None:
            for code, number in self.numeric.items():
                if number == value:
                    return self.codes[code].text(lang)
            return None
        m = self.codes.get(str(value))
        return m.text(lang) if m else None


@dataclass(slots=True)
class Plan:
    form_id: str
    title: Message
    versions: list[str]  # newest first
    levels: dict[str, list[Variable]]  # level -> variables in column order


def row_word(roster_id: str) -> str:
    """`members` -> `member`: the prefix of a roster's row number and row ID columns."""
    return roster_id[:-1] if roster_id.endswith("s") and len(roster_id) > 1 else roster_id


def build_plan(definitions: Sequence[Definition], *, calculations: bool = True) -> Plan:
    if not definitions:
        raise ExportError(message("exports_no_definition"))
    form_ids = sorted({d.form_id for d in definitions})
    if len(form_ids) > 1:
        raise ExportError(message("exports_several_forms", forms=", ".join(form_ids)))
    newest_first = sorted(definitions, key=lambda d: version_key(d.version), reverse=True)
    merged: dict[str, dict[tuple[str, ...], Variable]] = {}
    order: dict[str, list[tuple[str, ...]]] = {}
    for d in newest_first:
        for level, specs in _specs(d, calculations).items():
            keys = order.setdefault(level, [])
            known = merged.setdefault(level, {})
            last = -1
            for spec in specs:
                existing = known.get(spec.key)
                if existing is None:
                    known[spec.key] = spec
                    keys.insert(last + 1, spec.key)
                    last += 1
                else:
                    _merge(existing, spec)
                    last = keys.index(spec.key)
    levels = {}
    for level, keys in order.items():
        variables = [merged[level][k] for k in keys]
        for v in variables:
            _decide_storage(v)
        names = NameAllocator()
        for v in variables:
            v.name = names.allocate(v.wanted_name, labelled=v.labelled or v.storage == "infer")
        levels[level] = variables
    return Plan(form_ids[0], newest_first[0].title, [d.version for d in newest_first], levels)


def _merge(existing: Variable, old: Variable) -> None:
    """Fold an older version's variable into the one already planned from a newer version."""
    existing.versions.extend(old.versions)
    if existing.field_type != old.field_type:
        pair = {existing.field_type, old.field_type}
        existing.field_type = "partial_date" if pair == {"date", "partial_date"} else "mixed"
    for code, label in old.codes.items():
        existing.codes.setdefault(code, label)
    existing.provisional = existing.provisional or old.provisional


def _decide_storage(v: Variable) -> None:
    if v.kind in ("key", "meta"):
        return
    if v.kind == "year" or v.kind == "dummy":
        v.storage = "int"
    elif v.kind == "calculation":
        v.storage = "infer"
    else:
        v.storage = {"integer": "int", "decimal": "float", "date": "date", "partial_date": "date",
                     "select_one": "code"}.get(v.field_type or "", "string")
    if v.storage == "code":
        numbers = {c: int(c) for c in v.codes if _INT_CODE.match(c)}
        # "1" and "01" in one list would become the same number: keep such codes as text.
        if len(numbers) == len(v.codes) and len(set(numbers.values())) == len(numbers):
            v.storage, v.numeric = "int", numbers
        else:
            v.storage = "string"


def _specs(d: Definition, calculations: bool) -> dict[str, list[Variable]]:
    """The variables one version gives each level, in its order."""
    key_field = d.summary.get("household_code")
    hh_key = d.by_id.get(key_field) if key_field else None
    uuid_var = Variable(("key", "household_uuid"), HOUSEHOLDS, "key", message("exports_label_household_uuid"),
                        "household_uuid", versions=[d.version])
    out: dict[str, list[Variable]] = {HOUSEHOLDS: [uuid_var]}
    if hh_key is not None:
        out[HOUSEHOLDS].append(_question(d, hh_key, HOUSEHOLDS))
    for name, label_key, storage in (("form_version", "exports_label_form_version", "string"),
                                     ("status", "exports_label_status", "string"),
                                     ("revision", "exports_label_revision", "int"),
                                     ("updated_at", "exports_label_updated_at", "string")):
        out[HOUSEHOLDS].append(Variable(("meta", name), HOUSEHOLDS, "meta", message(label_key), name, storage=storage,
                                        versions=[d.version]))
    for roster in d.rosters:
        word = row_word(roster.id)
        row_label = roster.row_label or roster.label or Message(word, word)
        specs = [Variable(("key", "household_uuid"), roster.id, "key", message("exports_label_household_uuid"),
                          "household_uuid", versions=[d.version])]
        if hh_key is not None:
            key = _question(d, hh_key, roster.id)
            key.key, key.kind = ("key", "household_code"), "key"
            specs.append(key)
        specs.append(Variable(("key", "row_no"), roster.id, "key", message("exports_label_row_no", row=row_label),
                              f"{word}_no", storage="int", versions=[d.version]))
        specs.append(Variable(("key", "row_id"), roster.id, "key", message("exports_label_row_id", row=row_label),
                              f"{word}_id", versions=[d.version]))
        out[roster.id] = specs
    for f in d.by_id.values():
        level = f.roster or HOUSEHOLDS
        if f is hh_key or f.type in ("group", "roster"):
            continue
        if f.is_answer:
            out[level].extend(_question_variables(d, f, level))
        elif f.type == "calculate" and calculations and f.label is not None:
            v = _question(d, f, level)
            v.kind, v.calculation = "calculation", f.calculation or ""
            out[level].append(v)
    return out


def _question(d: Definition, f: Field, level: str) -> Variable:
    v = Variable(("question", f.id), level, "question", f.label or Message(f.id, f.id), f.id, field=f.id,
                 field_type=f.type, relevant=_relevance(d, f), section=_section(d, f), versions=[d.version],
                 required="yes" if f.required else (f.required_expr or ""))
    if f.list_name:
        cl = d.choices(f)
        v.list_name, v.provisional = f.list_name, cl.provisional
        v.list_source = "form" if cl.source == "form" else f"{cl.source} {cl.version}".strip()
        v.codes = {c.code: c.label for c in cl.items}
    return v


def _question_variables(d: Definition, f: Field, level: str) -> list[Variable]:
    main = _question(d, f, level)
    out = [main]
    if f.type == "partial_date":
        out.append(Variable(("year", f.id), level, "year", message("exports_label_year", label=main.label),
                            f"{f.id}_year", field=f.id, field_type=f.type, relevant=main.relevant,
                            section=main.section, versions=[d.version], required=main.required))
    elif f.type == "select_multiple":
        for code, label in main.codes.items():
            out.append(Variable(("dummy", f.id, code), level, "dummy",
                                message("exports_label_choice", label=main.label, choice=label),
                                f"{f.id}_{code}", field=f.id, field_type=f.type, choice=code,
                                list_name=main.list_name, list_source=main.list_source, provisional=main.provisional,
                                relevant=main.relevant, section=main.section, versions=[d.version]))
    return out


def _relevance(d: Definition, f: Field) -> str:
    """The condition under which the question is asked: its groups' and its own, outermost first."""
    parts: list[str] = []
    node: Field | None = f
    while node is not None:
        if node.relevant:
            parts.insert(0, node.relevant)
        node = d.by_id.get(node.parent) if node.parent else None
    if len(parts) > 1:
        parts = [f"({p})" if " or " in p else p for p in parts]
    return " and ".join(parts)


def _section(d: Definition, f: Field) -> Message | None:
    """The label of the nearest group or roster holding the question."""
    node = d.by_id.get(f.parent) if f.parent else None
    return node.label if node is not None else None
