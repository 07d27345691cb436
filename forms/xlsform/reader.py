"""An XLSForm workbook read back into the project's definition structure.

Every problem is named by sheet, row and reason. The reader checks what only the workbook
knows (sheets, columns, types, names, both languages, begin/end pairs, choice lists); the
definition loader then checks the rest (expressions, unknown fields, cycles...) and its
problems are brought back to the row of the question, constraint or list they are about.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.definition import Definition, DefinitionError, build_definition
from forms.i18n import Message, message, tr
from forms.xlsform.columns import (
    CHOICES,
    CODE_LISTS,
    CONSTRAINTS,
    NO,
    SELECT_TYPES,
    SETTINGS,
    SHEET_COLUMNS,
    SIMPLE_TYPES,
    SURVEY,
    UNIQUE,
    YES,
    header,
    parse_header,
)

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CHOICE_FILTER = re.compile(r"^parent\s*=\s*\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
TYPE_NAMES = [*sorted(SIMPLE_TYPES), "select_one LIST", "select_multiple LIST", "begin group", "end group",
              "begin repeat", "end repeat"]
Key = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int  # the Excel row number; 0 for the sheet (or workbook) as a whole
    reason: Message

    def text(self, lang: str | None = None) -> str:
        if not self.sheet:
            return self.reason.text(lang)
        if not self.row:
            return tr("xlsform_at_sheet", lang, sheet=self.sheet, reason=self.reason)
        return tr("xlsform_at_row", lang, sheet=self.sheet, row=self.row, reason=self.reason)


class WorkbookError(ValueError):
    """A workbook that cannot become a definition; `problems` says where and why."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(self.text("en"))

    def text(self, lang: str | None = None) -> str:
        lines = [tr("xlsform_refused", lang, path=self.source)]
        return "\n  ".join(lines + [p.text(lang) for p in self.problems])


@dataclass(slots=True)
class ImportedForm:
    raw: dict[str, Any]  # the definition structure, as a YAML file holds it
    definition: Definition
    warnings: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class _Sheet:
    name: str
    columns: dict[Key, int]
    rows: list[tuple[int, list[str]]]

    def get(self, cells: list[str], base: str, lang: str | None = None) -> str:
        i = self.columns.get((base, lang))
        return cells[i] if i is not None and i < len(cells) else ""


@dataclass(slots=True)
class _Where:
    """Rows the definition's parts came from, to place the loader's problems."""

    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    constraints: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # id -> [(expr, sheet, row)]
    unique: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    lists: dict[str, tuple[str, int]] = field(default_factory=dict)
    summary: dict[str, tuple[str, int]] = field(default_factory=dict)
    settings: int = 2


def read_workbook(path: str | Path, *, version: str | None = None) -> ImportedForm:
    """The definition a workbook holds, checked by the normal loader. `version` replaces the
    version of its settings sheet. Raises WorkbookError."""
    return _Reader(Path(path)).read(version)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.source = str(path)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.where = _Where()
        self.listed: set[str] = set()  # lists with choices rows, good or not: not "missing" as well

    def problem(self, sheet: str, row: int, key: str, **params: object) -> None:
        self.problems.append(Problem(sheet, row, message(key, **params)))

    def fail_if_problems(self) -> None:
        if self.problems:
            raise WorkbookError(self.source, self.problems)

    # -- the workbook ------------------------------------------------------------------------
    def read(self, version: str | None) -> ImportedForm:
        sheets = self.load_sheets()
        self.fail_if_problems()
        fields, summary = self.survey(sheets[SURVEY])
        self.extra_constraints(sheets.get(CONSTRAINTS), fields)
        self.unique_rules(sheets.get(UNIQUE), fields)
        national, provisional = self.code_lists(sheets.get(CODE_LISTS))
        choices = self.choices(sheets.get(CHOICES), national, provisional)
        self.check_lists(fields, choices, national)
        settings = self.settings(sheets[SETTINGS], version)
        self.fail_if_problems()
        raw: dict[str, Any] = {"form_id": settings["form_id"], "version": settings["version"], "title": settings["title"]}
        if settings.get("legal_basis"):
            raw["legal_basis"] = settings["legal_basis"]
        if national:
            raw["code_lists"] = national
        if choices:
            raw["choices"] = choices
        if summary:
            raw["summary"] = summary
        raw["fields"] = fields["_top"]
        try:
            definition = build_definition(raw, self.source)
        except DefinitionError as exc:
            raise WorkbookError(self.source, [self.place(fid, why) for fid, why in exc.problems]) from None
        return ImportedForm(raw, definition, self.warnings)

    def load_sheets(self) -> dict[str, _Sheet]:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            self.problems.append(Problem("", 0, message("xlsform_not_workbook", path=self.source, reason=reason)))
            return {}
        by_name = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        out: dict[str, _Sheet] = {}
        for name in (SURVEY, SETTINGS):
            if name not in by_name:
                self.problem(name, 0, "xlsform_missing_sheet", name=name)
        for name, known in SHEET_COLUMNS.items():
            ws = by_name.get(name)
            if ws is None:
                continue
            rows = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            columns: dict[Key, int] = {}
            for i, title in enumerate(rows[0] if rows else []):
                if not title:
                    continue
                key = parse_header(title)
                if key in columns:
                    self.problem(name, 1, "xlsform_duplicate_column", column=title)
                elif key not in known:
                    self.warnings.append(Problem(name, 1, message("xlsform_unused_column", column=title)))
                else:
                    columns[key] = i
            needed = {SURVEY: ("type", "name"), CHOICES: ("list_name", "name"), SETTINGS: ("form_id",),
                      CONSTRAINTS: ("name", "constraint"), UNIQUE: ("name", "scope"), CODE_LISTS: ("list_name",)}[name]
            for base in needed:
                if (base, None) not in columns:
                    self.problem(name, 1, "xlsform_missing_column", column=base)
            body = [(n, cells) for n, cells in enumerate(rows[1:], 2) if any(cells)]
            out[name] = _Sheet(name, columns, body)
        wb.close()
        return out

    def pair(self, sheet: _Sheet, row: int, cells: list[str], base: str) -> dict[str, str] | None:
        """A text in both languages, or None when neither is written; one alone is a problem."""
        vi, en = sheet.get(cells, base, "vi"), sheet.get(cells, base, "en")
        if vi and en:
            return {"vi": vi, "en": en}
        if vi or en:
            have, missing = (base, "vi"), (base, "en")
            if en:
                have, missing = missing, have
            self.problem(sheet.name, row, "xlsform_missing_language", have=header(*have), missing=header(*missing))
        return None

    def yes_no(self, sheet: _Sheet, row: int, cells: list[str], base: str) -> bool:
        value = sheet.get(cells, base).lower()
        if value in YES:
            return True
        if value not in NO:
            self.problem(sheet.name, row, "xlsform_bad_yes_no", column=base, value=value)
        return False

    # -- survey ------------------------------------------------------------------------------
    def survey(self, sheet: _Sheet) -> tuple[dict[str, Any], dict[str, str]]:
        top: list[dict[str, Any]] = []
        by_id: dict[str, Any] = {"_top": top}
        stack: list[tuple[str, str, int, list[dict[str, Any]]]] = []  # (group|repeat, name, row, children)
        summary: dict[str, str] = {}
        for row, cells in sheet.rows:
            kind = sheet.get(cells, "type")
            if not kind:
                self.problem(SURVEY, row, "xlsform_no_type")
                continue
            tokens = kind.replace("_", " ", 1).split() if kind.lower().startswith(("begin_", "end_")) else kind.split()
            head = tokens[0].lower()
            if head in ("begin", "end"):
                what = tokens[1].lower() if len(tokens) > 1 else ""
                if what not in ("group", "repeat") or len(tokens) > 2:
                    self.problem(SURVEY, row, "xlsform_unknown_type", type=kind, types=", ".join(TYPE_NAMES))
                    continue
                if head == "end":
                    self.close(stack, what, sheet.get(cells, "name"), row)
                    continue
            name = sheet.get(cells, "name")
            if not name:
                self.problem(SURVEY, row, "xlsform_missing_name")
                continue
            if not NAME.match(name):
                self.problem(SURVEY, row, "xlsform_bad_name", name=name)
                continue
            if name in self.where.fields:
                self.problem(SURVEY, row, "xlsform_duplicate_name", name=name, other=self.where.fields[name][1])
                continue
            if head == "begin":
                ftype = "group" if tokens[1].lower() == "group" else "roster"
            elif head in SELECT_TYPES:
                if len(tokens) != 2:
                    self.problem(SURVEY, row, "xlsform_select_needs_list", type=kind)
                    continue
                ftype = head
            elif head in SIMPLE_TYPES and len(tokens) == 1:
                ftype = head
            else:
                self.problem(SURVEY, row, "xlsform_unknown_type", type=kind, types=", ".join(TYPE_NAMES))
                continue
            self.where.fields[name] = (SURVEY, row)
            f = self.field(sheet, row, cells, name, ftype, summary)
            if ftype in SELECT_TYPES:
                f["list"] = tokens[1]
            (stack[-1][3] if stack else top).append(f)
            by_id[name] = f
            if ftype in ("group", "roster"):
                f["fields"] = []
                stack.append(("group" if ftype == "group" else "repeat", name, row, f["fields"]))
        for what, name, row, _children in stack:
            self.problem(SURVEY, row, "xlsform_unclosed", kind=what, name=name)
        return by_id, summary

    def close(self, stack: list[tuple[str, str, int, list[dict[str, Any]]]], what: str, name: str, row: int) -> None:
        if not stack:
            self.problem(SURVEY, row, "xlsform_unmatched_end", end=f"end {what}")
            return
        open_what, open_name, open_row, _ = stack.pop()
        if open_what != what:
            self.problem(SURVEY, row, "xlsform_wrong_end", end=f"end {what}", begin=f"begin {open_what} {open_name}",
                         other=open_row)
        elif name and name != open_name:
            self.problem(SURVEY, row, "xlsform_wrong_end", end=f"end {what} {name}", begin=f"begin {open_what} {open_name}",
                         other=open_row)

    def field(self, sheet: _Sheet, row: int, cells: list[str], name: str, ftype: str,
              summary: dict[str, str]) -> dict[str, Any]:
        f: dict[str, Any] = {"id": name, "type": ftype}
        choice_filter = sheet.get(cells, "choice_filter")
        if choice_filter:
            m = CHOICE_FILTER.match(choice_filter)
            if m:
                f["filter_by"] = m.group(1)
            else:
                self.problem(SURVEY, row, "xlsform_bad_choice_filter", value=choice_filter)
        required = sheet.get(cells, "required")
        if required.lower() in YES:
            f["required"] = True
        elif required.lower() not in NO:
            f["required"] = required
        for key in ("relevant", "calculation", "prefill"):
            if sheet.get(cells, key):
                f[key] = sheet.get(cells, key)
        if self.yes_no(sheet, row, cells, "search"):
            f["search"] = True
        common = sheet.get(cells, "common")
        if common:
            f["common"] = [c for c in re.split(r"[\s,;]+", common) if c]
        min_rows = sheet.get(cells, "min_rows")
        if min_rows:
            if min_rows.isdigit():
                f["min_rows"] = int(min_rows)
            else:
                self.problem(SURVEY, row, "xlsform_bad_number", column="min_rows", value=min_rows)
        for key in ("label", "row_label", "hint"):
            texts = self.pair(sheet, row, cells, key)
            if texts:
                f[key] = texts
        constraint = self.constraint(sheet, row, cells, name)
        if constraint:
            f["constraints"] = [constraint]
        for column in sheet.get(cells, "summary").split():
            if column in summary:
                self.problem(SURVEY, row, "xlsform_duplicate_summary", column=column, other=self.where.summary[column][1])
            summary[column] = name
            self.where.summary[column] = (SURVEY, row)
        return f

    def constraint(self, sheet: _Sheet, row: int, cells: list[str], name: str) -> dict[str, Any] | None:
        expr = sheet.get(cells, "constraint")
        texts = self.pair(sheet, row, cells, "constraint_message")
        severity = sheet.get(cells, "constraint_severity").lower() or "error"
        if severity not in ("error", "warning"):
            self.problem(sheet.name, row, "xlsform_bad_severity", value=severity)
        if not expr:
            if texts or sheet.get(cells, "constraint_severity"):
                self.problem(sheet.name, row, "xlsform_message_without_constraint")
            return None
        if texts is None and not (sheet.get(cells, "constraint_message", "vi") or sheet.get(cells, "constraint_message", "en")):
            self.problem(sheet.name, row, "xlsform_constraint_needs_message")
        self.where.constraints.setdefault(name, []).append((expr, sheet.name, row))
        return {"expr": expr, "severity": severity, "message": texts}

    # -- the program's own sheets --------------------------------------------------------------
    def target(self, sheet: _Sheet, row: int, cells: list[str], fields: dict[str, Any]) -> dict[str, Any] | None:
        name = sheet.get(cells, "name")
        if name not in fields or name == "_top":
            self.problem(sheet.name, row, "xlsform_unknown_name", name=name)
            return None
        return fields[name]

    def extra_constraints(self, sheet: _Sheet | None, fields: dict[str, Any]) -> None:
        if sheet is None:
            return
        for row, cells in sheet.rows:
            f = self.target(sheet, row, cells, fields)
            if f is None:
                continue
            constraint = self.constraint(sheet, row, cells, f["id"])
            if constraint:
                f.setdefault("constraints", []).append(constraint)

    def unique_rules(self, sheet: _Sheet | None, fields: dict[str, Any]) -> None:
        if sheet is None:
            return
        for row, cells in sheet.rows:
            f = self.target(sheet, row, cells, fields)
            if f is None:
                continue
            rule: dict[str, Any] = {"scope": sheet.get(cells, "scope").lower(),
                                    "severity": sheet.get(cells, "severity").lower() or "error"}
            within = sheet.get(cells, "within").split()
            if within:
                rule["within"] = within
            texts = self.pair(sheet, row, cells, "message")
            if texts is None and not self.problems_at(sheet.name, row):
                self.problem(sheet.name, row, "xlsform_missing_value", column="message")
            rule["message"] = texts
            f.setdefault("unique", []).append(rule)
            self.where.unique.setdefault(f["id"], []).append((UNIQUE, row))

    def problems_at(self, sheet: str, row: int) -> bool:
        return any(p.sheet == sheet and p.row == row for p in self.problems)

    def code_lists(self, sheet: _Sheet | None) -> tuple[dict[str, str], set[str]]:
        national: dict[str, str] = {}
        provisional: set[str] = set()
        if sheet is None:
            return national, provisional
        for row, cells in sheet.rows:
            name = sheet.get(cells, "list_name")
            if not name:
                self.problem(CODE_LISTS, row, "xlsform_missing_value", column="list_name")
                continue
            if name in national or name in provisional:
                self.problem(CODE_LISTS, row, "xlsform_duplicate_list", list=name, other=self.where.lists[name][1])
                continue
            self.where.lists[name] = (CODE_LISTS, row)
            source = sheet.get(cells, "national_list")
            marked = self.yes_no(sheet, row, cells, "provisional")
            if source:
                national[name] = source
                if marked:
                    self.problem(CODE_LISTS, row, "xlsform_national_provisional", list=name)
            elif marked:
                provisional.add(name)
            else:
                self.warnings.append(Problem(CODE_LISTS, row, message("xlsform_list_row_unused", list=name)))
        return national, provisional

    def choices(self, sheet: _Sheet | None, national: dict[str, str], provisional: set[str]) -> dict[str, Any]:
        items: dict[str, list[dict[str, str]]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row, cells in sheet.rows if sheet is not None else []:
            list_name, code = sheet.get(cells, "list_name"), sheet.get(cells, "name")
            if not list_name or not code:
                self.problem(CHOICES, row, "xlsform_missing_value", column="list_name" if not list_name else "name")
                continue
            self.listed.add(list_name)
            if list_name in national:
                self.problem(CHOICES, row, "xlsform_national_choices", list=list_name)
                continue
            if (list_name, code) in seen:
                self.problem(CHOICES, row, "xlsform_duplicate_choice", code=code, list=list_name,
                             other=seen[(list_name, code)])
                continue
            seen[(list_name, code)] = row
            texts = self.pair(sheet, row, cells, "label")
            if texts is None:
                if not self.problems_at(CHOICES, row):
                    self.problem(CHOICES, row, "xlsform_choice_needs_label", code=code, list=list_name)
                continue
            if list_name not in items:
                items[list_name] = []
                if list_name not in self.where.lists or self.where.lists[list_name][0] != CODE_LISTS:
                    self.where.lists[list_name] = (CHOICES, row)
            items[list_name].append({"code": code, **texts})
        for name in provisional - set(items):
            self.problem(CODE_LISTS, self.where.lists[name][1], "xlsform_list_without_choices", list=name)
        return {name: {"provisional": True, "items": rows} if name in provisional else rows for name, rows in items.items()}

    def check_lists(self, fields: dict[str, Any], choices: dict[str, Any], national: dict[str, str]) -> None:
        for fid, f in fields.items():
            if fid != "_top" and "list" in f and f["list"] not in self.listed and f["list"] not in national:
                self.problem(SURVEY, self.where.fields[fid][1], "xlsform_missing_list", list=f["list"])

    def settings(self, sheet: _Sheet, version: str | None) -> dict[str, Any]:
        if not sheet.rows:
            self.problem(SETTINGS, 2, "xlsform_missing_value", column="form_id")
            return {}
        row, cells = sheet.rows[0]
        self.where.settings = row
        out: dict[str, Any] = {"form_id": sheet.get(cells, "form_id"),
                               "version": version or sheet.get(cells, "version"),
                               "legal_basis": sheet.get(cells, "legal_basis")}
        for key in ("form_id", "version"):
            if not out[key]:
                self.problem(SETTINGS, row, "xlsform_missing_value", column=key)
        title = self.pair(sheet, row, cells, "form_title")
        if title is None and not self.problems_at(SETTINGS, row):
            self.problem(SETTINGS, row, "xlsform_missing_value", column=header("form_title", "vi"))
        out["title"] = title
        return out

    # -- the loader's problems, placed -------------------------------------------------------
    def place(self, fid: str, why: str) -> Problem:
        reason = Message(why, why)  # the loader's reasons are in English only
        where = self.where
        if fid in where.fields:
            sheet, row = where.fields[fid]
            if why.startswith("constraint"):
                m = re.match(r"constraint (\d+)", why)
                rows = where.constraints.get(fid, [])
                for i, (expr, c_sheet, c_row) in enumerate(rows, 1):
                    if why.startswith(f"constraint {expr!r}") or (m and int(m.group(1)) == i):
                        return Problem(c_sheet, c_row, message("xlsform_about", name=fid, reason=reason))
            if why.startswith("unique rule") and where.unique.get(fid):
                m = re.match(r"unique rule (\d+)", why)
                index = int(m.group(1)) - 1 if m else 0
                sheet, row = where.unique[fid][min(index, len(where.unique[fid]) - 1)]
            return Problem(sheet, row, message("xlsform_about", name=fid, reason=reason))
        m = re.search(r"code list '([^']+)'", why)
        if m and m.group(1) in where.lists:
            sheet, row = where.lists[m.group(1)]
            return Problem(sheet, row, reason)
        m = re.match(r"summary: (\w+)", why)
        if m and m.group(1) in where.summary:
            sheet, row = where.summary[m.group(1)]
            return Problem(sheet, row, reason)
        return Problem(SETTINGS, where.settings, reason)
