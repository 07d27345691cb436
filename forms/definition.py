"""Questionnaire definitions: load a versioned YAML file, check it, compile its expressions.

A broken definition is refused whole, with every problem named by file, field and reason, so
a province that edits its questionnaire learns exactly what to fix.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forms import codelists
from forms.codelists import Choice, ChoiceList
from forms.expressions import Compiled, ExpressionError, compile_expression, uses_dot
from forms.i18n import Message

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DEFAULT_DEFINITION = DEFINITIONS_DIR / "labour_supply-2.yaml"  # the current version; version 1 stays for its records

ANSWER_TYPES = {"text", "integer", "decimal", "date", "partial_date", "select_one", "select_multiple"}
CONTAINER_TYPES = {"group", "roster"}
TYPES = ANSWER_TYPES | CONTAINER_TYPES | {"calculate"}
SEVERITIES = ("error", "warning")
UNIQUE_SCOPES = ("household", "database")
# Columns of the store's household list that a definition fills from its own fields.
SUMMARY_COLUMNS = ("household_code", "province_code", "commune_code", "village", "head_name")


class DefinitionError(ValueError):
    """A definition that cannot be used; `problems` lists (field id or '-', reason)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: field {fid!r}: {why}" if fid != "-" else f"{source}: {why}"
                 for fid, why in problems]
        super().__init__("questionnaire definition refused:\n  " + "\n  ".join(lines))


@dataclass(slots=True)
class Constraint:
    expr: str
    severity: str
    message: Message
    rule: str
    fn: Compiled | None = None


@dataclass(slots=True)
class Unique:
    scope: str
    severity: str
    message: Message
    within: tuple[str, ...] = ()


@dataclass(slots=True, eq=False)
class Field:
    id: str
    type: str
    label: Message | None = None
    hint: Message | None = None
    roster: str | None = None  # the roster this field repeats in, None at household level
    parent: str | None = None  # enclosing group or roster
    list_name: str | None = None
    filter_by: str | None = None
    required: bool = False
    required_expr: str | None = None
    relevant: str | None = None
    calculation: str | None = None
    constraints: list[Constraint] = field(default_factory=list)
    unique: list[Unique] = field(default_factory=list)
    prefill: str | None = None
    search: bool = False
    common: tuple[str, ...] = ()
    min_rows: int = 0
    row_label: Message | None = None
    children: list[Field] = field(default_factory=list)
    # Compiled at load time:
    relevant_fn: Compiled | None = None
    required_fn: Compiled | None = None
    calculation_fn: Compiled | None = None

    @property
    def is_answer(self) -> bool:
        return self.type in ANSWER_TYPES


@dataclass(slots=True, eq=False)
class Definition:
    form_id: str
    version: str
    title: Message
    source: str
    fields: list[Field]
    by_id: dict[str, Field]
    lists: dict[str, ChoiceList]
    order: list[Field]  # every field, dependencies first
    summary: dict[str, str]  # store's list column -> household-level field giving it
    legal_basis: str = ""

    @property
    def search_fields(self) -> list[Field]:
        return [f for f in self.by_id.values() if f.search]

    @property
    def rosters(self) -> list[Field]:
        return [f for f in self.by_id.values() if f.type == "roster"]

    def choices(self, f: Field) -> ChoiceList:
        assert f.list_name is not None
        return self.lists[f.list_name]

    def code_set(self, name: str) -> frozenset[str]:
        cl = self.lists.get(name)
        if cl is None:
            try:
                cl = codelists.load(name)
            except codelists.CodeListError:
                return frozenset()
        return cl.codes

    def answer_fields(self, roster: str | None) -> list[Field]:
        """Answerable fields of the household (roster=None) or of one roster, in form order."""
        return [f for f in self.by_id.values() if f.roster == roster and f.is_answer]


def load_definition(path: str | Path = DEFAULT_DEFINITION) -> Definition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(str(path), [("-", f"cannot read the file: {exc.strerror}")]) from None
    return definition_from_text(text, str(path))


def definition_from_text(text: str, source: str) -> Definition:
    """A definition from YAML text (a file's, or one received from the server), same checks."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(source, [("-", f"not valid YAML: {exc}")]) from None
    return build_definition(raw, source)


def build_definition(raw: Any, source: str = "<definition>") -> Definition:
    return _Builder(source).build(raw)


class _Builder:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[str, str]] = []
        self.by_id: dict[str, Field] = {}
        self.deps: dict[str, set[str]] = {}  # field -> fields its relevance or calculation reads

    def problem(self, fid: str, why: str) -> None:
        self.problems.append((fid, why))

    def fail_if_problems(self) -> None:
        if self.problems:
            raise DefinitionError(self.source, self.problems)

    def build(self, raw: Any) -> Definition:
        if not isinstance(raw, dict):
            raise DefinitionError(self.source, [("-", "the file must hold a mapping with form_id, version, fields")])
        for key in ("form_id", "version", "title", "fields"):
            if key not in raw:
                self.problem("-", f"missing top-level key {key!r}")
        self.fail_if_problems()
        lists = self.load_lists(raw.get("choices") or {}, raw.get("code_lists") or {})
        fields = self.load_fields(raw["fields"], roster=None, parent=None)
        self.fail_if_problems()
        for f in self.by_id.values():
            self.check_field(f, lists)
        self.fail_if_problems()
        for f in self.by_id.values():
            self.compile_field(f)
        self.fail_if_problems()
        order = self.evaluation_order()
        summary = {str(k): str(v) for k, v in (raw.get("summary") or {}).items()}
        for column, fid in summary.items():
            if column not in SUMMARY_COLUMNS:
                self.problem("-", f"summary: unknown column {column!r}; use {', '.join(SUMMARY_COLUMNS)}")
            elif fid not in self.by_id or self.by_id[fid].roster is not None:
                self.problem("-", f"summary: {column} names {fid!r}, which is not a household question or calculation")
        self.fail_if_problems()
        return Definition(
            form_id=str(raw["form_id"]), version=str(raw["version"]),
            title=self.message(raw["title"], "-", "title") or Message("", ""),
            source=self.source, fields=fields, by_id=self.by_id, lists=lists, order=order, summary=summary,
            legal_basis=str(raw.get("legal_basis", "")),
        )

    # -- pieces --------------------------------------------------------------------------
    def message(self, raw: Any, fid: str, what: str) -> Message | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or raw.get("vi") in (None, "") or raw.get("en") in (None, ""):
            self.problem(fid, f"{what} needs both a Vietnamese (vi) and an English (en) text")
            return None
        extra = sorted(str(k) for k in raw if k not in ("vi", "en", "code"))
        if extra:
            self.problem(fid, f"{what} has unexpected parts {extra}: a comma inside {{...}} splits a text, "
                              "so put texts with commas in quotes")
            return None
        for lang in ("vi", "en"):
            if not isinstance(raw[lang], str):
                self.problem(fid, f"{what}: the {lang} text {raw[lang]!r} is not text; put it in quotes "
                                  "(YAML reads a bare No, Yes, On, Off as true/false and digits as numbers)")
                return None
        return Message(str(raw["vi"]), str(raw["en"]))

    def load_lists(self, choices: Any, national: Any) -> dict[str, ChoiceList]:
        lists: dict[str, ChoiceList] = {}
        for name, spec in national.items():
            try:
                lists[name] = codelists.load(str(spec))
            except codelists.CodeListError as exc:
                self.problem("-", f"code list {name!r}: {exc}")
        for name, spec in choices.items():
            if name in lists:
                self.problem("-", f"code list {name!r} is defined twice")
            provisional = False
            items_raw = spec
            if isinstance(spec, dict):
                provisional = bool(spec.get("provisional"))
                items_raw = spec.get("items")
            if not isinstance(items_raw, list) or not items_raw:
                self.problem("-", f"code list {name!r} has no items")
                continue
            items: list[Choice] = []
            seen: set[str] = set()
            for i, item in enumerate(items_raw, 1):
                if not isinstance(item, dict) or "code" not in item:
                    self.problem("-", f"code list {name!r}, item {i}: needs code, vi and en")
                    continue
                code = str(item["code"])
                if code in seen:
                    self.problem("-", f"code list {name!r}: code {code!r} appears twice")
                seen.add(code)
                label = self.message(item, "-", f"code list {name!r}, code {code!r}")
                if label:
                    items.append(Choice(code, label))
            lists[str(name)] = ChoiceList(str(name), items, provisional=provisional)
        return lists

    def load_fields(self, raws: Any, roster: str | None, parent: str | None) -> list[Field]:
        if not isinstance(raws, list):
            self.problem(parent or "-", "`fields` must be a list")
            return []
        out = []
        for raw in raws:
            f = self.load_field(raw, roster, parent)
            if f is not None:
                out.append(f)
        return out

    def load_field(self, raw: Any, roster: str | None, parent: str | None) -> Field | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            self.problem(parent or "-", f"a field without an id: {raw!r:.80}")
            return None
        fid = raw["id"]
        if fid in self.by_id:
            self.problem(fid, "duplicate id: two fields have this id")
            return None
        ftype = raw.get("type")
        if ftype not in TYPES:
            self.problem(fid, f"unknown type {ftype!r}; use one of {', '.join(sorted(TYPES))}")
            return None
        required = raw.get("required", False)
        f = Field(
            id=fid, type=ftype, roster=roster, parent=parent,
            label=self.message(raw.get("label"), fid, "label"),
            hint=self.message(raw.get("hint"), fid, "hint"),
            list_name=raw.get("list"), filter_by=raw.get("filter_by"),
            required=required is True, required_expr=required if isinstance(required, str) else None,
            relevant=raw.get("relevant"), calculation=raw.get("calculation"),
            prefill=raw.get("prefill"), search=bool(raw.get("search")), common=tuple(str(c) for c in raw.get("common", ())),
            min_rows=int(raw.get("min_rows", 0)),
            row_label=self.message(raw.get("row_label"), fid, "row_label"),
        )
        self.by_id[fid] = f
        for i, c in enumerate(raw.get("constraints") or [], 1):
            severity = c.get("severity", "error") if isinstance(c, dict) else None
            if not isinstance(c, dict) or not isinstance(c.get("expr"), str) or severity not in SEVERITIES:
                self.problem(fid, f"constraint {i} needs expr and a severity of error or warning")
                continue
            msg = self.message(c.get("message"), fid, f"constraint {i} message")
            if msg:
                f.constraints.append(Constraint(c["expr"], severity, msg, f"{fid}:constraint:{i}"))
        for i, u in enumerate(raw.get("unique") or [], 1):
            ok = isinstance(u, dict) and u.get("scope") in UNIQUE_SCOPES and u.get("severity", "error") in SEVERITIES
            msg = self.message(u.get("message"), fid, f"unique rule {i} message") if ok else None
            if not ok:
                self.problem(fid, f"unique rule {i} needs a scope of household or database")
            elif msg:
                f.unique.append(Unique(u["scope"], u.get("severity", "error"), msg, tuple(u.get("within", ()))))
        if ftype in CONTAINER_TYPES:
            if ftype == "roster" and roster is not None:
                self.problem(fid, "a roster inside a roster is not supported")
            inner_roster = fid if ftype == "roster" else roster
            f.children = self.load_fields(raw.get("fields"), inner_roster, fid)
        elif "fields" in raw:
            self.problem(fid, f"a {ftype} field cannot hold other fields")
        return f

    def check_field(self, f: Field, lists: dict[str, ChoiceList]) -> None:
        if f.type in ("select_one", "select_multiple"):
            if not f.list_name:
                self.problem(f.id, f"a {f.type} question needs `list`")
            elif f.list_name not in lists:
                self.problem(f.id, f"unknown code list {f.list_name!r}")
        elif f.list_name:
            self.problem(f.id, f"`list` is only for select questions, not {f.type}")
        if f.type == "calculate" and not f.calculation:
            self.problem(f.id, "a calculate field needs `calculation`")
        if f.type != "calculate" and f.calculation:
            self.problem(f.id, "`calculation` is only for calculate fields")
        if f.is_answer and f.label is None:
            self.problem(f.id, "a question needs a label")
        if f.type == "roster" and f.relevant:
            self.problem(f.id, "a roster cannot have `relevant`; put the condition on its fields")
        if f.filter_by:
            other = self.by_id.get(f.filter_by)
            if other is None or (other.roster is not None and other.roster != f.roster):
                self.problem(f.id, f"filter_by names {f.filter_by!r}, which is not a question it can see")
            elif f.list_name in lists and not any(c.parent for c in lists[f.list_name].items):
                self.problem(f.id, f"filter_by needs a code list with a parent column; {f.list_name!r} has none")
        for u in f.unique:
            for w in u.within:
                if w not in self.by_id or self.by_id[w].roster is not None:
                    self.problem(f.id, f"unique rule: `within` names {w!r}, which is not a household question")
            if u.scope == "household" and f.roster is None:
                self.problem(f.id, "unique within the household only makes sense for a roster field")

    def resolver(self, scope: str | None, fid: str, what: str, deps: set[str]):
        def resolve(name: str) -> str:
            target = self.by_id.get(name)
            if target is None:
                raise ExpressionError(f"{what} refers to ${{{name}}}, which is not a field of this form")
            if target.type == "group":
                raise ExpressionError(f"{what} refers to ${{{name}}}, which is a group, not a question")
            deps.add(name)
            if target.type == "roster":
                return f"c.rows[{name!r}]"
            if target.roster is None:
                return f"c.hh.get({name!r})"
            if target.roster == scope:
                return f"c.row.get({name!r})"
            return f"[r.get({name!r}) for r in c.rows[{target.roster!r}]]"
        return resolve

    def compile_field(self, f: Field) -> None:
        deps = self.deps.setdefault(f.id, set())
        scope = f.roster if f.type != "roster" else None
        for attr, src, what in (("relevant_fn", f.relevant, "relevant"),
                                ("required_fn", f.required_expr, "required"),
                                ("calculation_fn", f.calculation, "calculation")):
            if src is None:
                continue
            if not isinstance(src, str):
                self.problem(f.id, f"{what} must be an expression text")
                continue
            try:
                if uses_dot(src):
                    raise ExpressionError(f"{what} cannot use `.`; name the field with ${{...}}")
                # required is checked after the order is fixed, so it adds no dependency
                fn = compile_expression(src, self.resolver(scope, f.id, what, deps if what != "required" else set()))
                setattr(f, attr, fn)
            except ExpressionError as exc:
                self.problem(f.id, f"{what}: {exc}")
        for c in f.constraints:
            try:
                c.fn = compile_expression(c.expr, self.resolver(scope, f.id, "constraint", set()))
            except ExpressionError as exc:
                self.problem(f.id, f"constraint {c.expr!r}: {exc}")

    def evaluation_order(self) -> list[Field]:
        graph: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for f in self.by_id.values():
            deps = set(self.deps.get(f.id, ()))
            if f.parent is not None:
                deps.add(f.parent)
            graph.add(f.id, *deps)
        try:
            ids = list(graph.static_order())
        except graphlib.CycleError as exc:
            cycle = " -> ".join(exc.args[1])
            self.problem(exc.args[1][0], f"calculations and conditions depend on each other in a cycle: {cycle}")
            return []
        return [self.by_id[i] for i in ids]
