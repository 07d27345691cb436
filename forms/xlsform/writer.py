"""A questionnaire definition written as an XLSForm workbook (openpyxl).

survey, choices and settings follow XLSForm; what XLSForm has no place for goes in this
program's own columns (constraint_severity, search, summary, prefill, common, min_rows,
row_label) and sheets (constraints: the second and later rules of a question; unique; code_lists:
national lists and provisional markers); the notes sheet explains them to whoever edits it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from forms.definition import Definition, Field
from forms.i18n import Message, message
from forms.xlsform.columns import (
    CHOICES,
    CODE_LISTS,
    CONSTRAINTS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    NOTES,
    SETTINGS,
    SHEET_COLUMNS,
    SURVEY,
    UNIQUE,
    header,
)

Row = dict[tuple[str, str | None], Any]
NOTE_KEYS = ("xlsform_note_sheets", "xlsform_note_languages", "xlsform_note_types", "xlsform_note_required",
             "xlsform_note_constraints", "xlsform_note_choice_filter", "xlsform_note_columns", "xlsform_note_unique",
             "xlsform_note_code_lists", "xlsform_note_version")


def write_workbook(d: Definition, path: str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets: dict[str, list[Row]] = {SURVEY: [], CHOICES: [], SETTINGS: [], CONSTRAINTS: [], UNIQUE: [], CODE_LISTS: []}
    summary_of: dict[str, list[str]] = {}
    for column, fid in d.summary.items():
        summary_of.setdefault(fid, []).append(column)
    for f in d.fields:
        _field_rows(f, summary_of, sheets)
    for name, cl in d.lists.items():
        if cl.source != "form":
            sheets[CODE_LISTS].append({("list_name", None): name, ("national_list", None): cl.source})
            continue
        if cl.provisional:
            sheets[CODE_LISTS].append({("list_name", None): name, ("provisional", None): "yes"})
        for c in cl.items:
            sheets[CHOICES].append({("list_name", None): name, ("name", None): c.code, **_texts("label", c.label)})
    sheets[SETTINGS].append({("form_id", None): d.form_id, ("version", None): d.version, **_texts("form_title", d.title),
                             ("default_language", None): f"{LANGUAGES[DEFAULT_LANGUAGE]} ({DEFAULT_LANGUAGE})",
                             ("legal_basis", None): d.legal_basis or None})

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        columns = SHEET_COLUMNS[sheet]
        ws.append([header(base, lang) for base, lang in columns])
        for row in rows:
            ws.append([_cell(row.get(c)) for c in columns])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "C2" if sheet == SURVEY else "A2"
        for i, (base, _lang) in enumerate(columns, 1):
            wide = base in ("label", "hint", "constraint_message", "message", "form_title", "row_label")
            ws.column_dimensions[ws.cell(1, i).column_letter].width = 40 if wide else 18
        # Every cell is text: codes such as "01" keep their zero, and an expression starting
        # with "=" stays an expression, not an Excel formula.
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    notes = wb.create_sheet(NOTES)
    notes.append([LANGUAGES["vi"], LANGUAGES["en"]])
    for key in NOTE_KEYS:
        m = message(key)
        notes.append([m.vi, m.en])
    notes.column_dimensions["A"].width = notes.column_dimensions["B"].width = 100
    wb.save(path)


def _cell(value: Any) -> Any:
    return None if value in (None, "") else value


def _texts(base: str, m: Message | None) -> Row:
    if m is None:
        return {}
    return {(base, "vi"): m.vi, (base, "en"): m.en}


def _field_rows(f: Field, summary_of: dict[str, list[str]], sheets: dict[str, list[Row]]) -> None:
    if f.type == "group":
        kind = "begin group"
    elif f.type == "roster":
        kind = "begin repeat"
    elif f.list_name:
        kind = f"{f.type} {f.list_name}"
    else:
        kind = f.type
    row: Row = {("type", None): kind, ("name", None): f.id, **_texts("label", f.label), **_texts("hint", f.hint),
                ("required", None): "yes" if f.required else f.required_expr, ("relevant", None): f.relevant,
                ("calculation", None): f.calculation, ("prefill", None): f.prefill,
                ("search", None): "yes" if f.search else None, ("summary", None): " ".join(summary_of.get(f.id, [])),
                ("common", None): " ".join(f.common), ("min_rows", None): f.min_rows or None,
                **_texts("row_label", f.row_label)}
    if f.filter_by:
        row[("choice_filter", None)] = f"parent = ${{{f.filter_by}}}"
    for i, c in enumerate(f.constraints):
        target: Row = row if i == 0 else {("name", None): f.id}
        target[("constraint", None)] = c.expr
        target[("constraint_severity", None)] = c.severity if c.severity != "error" else None
        target.update(_texts("constraint_message", c.message))
        if i:
            sheets[CONSTRAINTS].append(target)
    for u in f.unique:
        sheets[UNIQUE].append({("name", None): f.id, ("scope", None): u.scope, ("within", None): " ".join(u.within),
                               ("severity", None): u.severity, **_texts("message", u.message)})
    sheets[SURVEY].append(row)
    if f.type in ("group", "roster"):
        for child in f.children:
            _field_rows(child, summary_of, sheets)
        sheets[SURVEY].append({("type", None): "end group" if f.type == "group" else "end repeat", ("name", None): f.id})
