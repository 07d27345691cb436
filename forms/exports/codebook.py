"""The codebook: codebook.xlsx beside the data files, for the statistician who opens them.

Sheets: `variables` (one row per column of every file: file, name, labels in Vietnamese and
English, type as written, question, code list, relevance, required, section, versions, note),
`values` (one row per value label: file, variable, value as written, code as stored, labels in
both languages), and `about` (questionnaire, versions, when, rows per file, conventions).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from forms.exports.tables import Tables
from forms.exports.variables import Variable
from forms.i18n import tr

VARIABLE_COLUMNS = ("file", "name", "label_vi", "label_en", "type", "question", "choice", "code_list", "provisional",
                    "relevant", "required", "section", "versions", "note")
VALUE_COLUMNS = ("file", "name", "value", "code", "label_vi", "label_en")


def write_codebook(tables: Tables, path: Path | BinaryIO, *, lang: str = "vi", files: dict[str, dict[str, str]] | None = None,
                   now: dt.datetime | None = None) -> None:
    """`files`: level -> {format: file name}, listed on the about sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)
    about = wb.active
    about.title = "about"
    plan = tables.plan
    now = now or dt.datetime.now(dt.UTC)
    rows: list[tuple[str, object]] = [
        (tr("exports_cb_form", lang), f"{plan.form_id} — {plan.title.text(lang)}"),
        (tr("exports_cb_versions", lang), ", ".join(plan.versions)),
        (tr("exports_cb_exported_at", lang), now.isoformat(timespec="seconds")),
        (tr("exports_cb_language", lang), lang),
        (tr("exports_cb_households", lang), tables.households),
    ]
    for level, table in tables.tables.items():
        names = ", ".join((files or {}).get(level, {}).values())
        rows.append((tr("exports_cb_rows", lang, level=level), f"{table.rows}  {names}".strip()))
    if tables.problems:
        rows.append((tr("exports_cb_unwritable", lang), len(tables.problems)))
    rows.append(("", ""))
    for key in ("exports_cb_note_keys", "exports_cb_note_missing", "exports_cb_note_codes", "exports_cb_note_text_codes",
                "exports_cb_note_multiple", "exports_cb_note_partial_date", "exports_cb_note_versions"):
        rows.append((tr(key + "_title", lang), tr(key, lang)))
    for row in rows:
        about.append(list(row))
    for cell in about["A"]:
        cell.font = bold
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 120

    sheet = wb.create_sheet("variables")
    sheet.append([tr("exports_cb_col_" + c, lang) for c in VARIABLE_COLUMNS])
    values = wb.create_sheet("values")
    values.append([tr("exports_cb_col_" + c, lang) for c in VALUE_COLUMNS])
    for level, table in tables.tables.items():
        for v in table.variables:
            sheet.append([level, v.name, v.label.vi, v.label.en, _type(v, lang), v.field or "", v.choice or "",
                          _code_list(v), tr("exports_yes", lang) if v.provisional else "", v.relevant, v.required,
                          v.section.text(lang) if v.section else "", " ".join(reversed(v.versions)), _note(v, lang)])
            if v.kind == "dummy":
                for number, key in ((0, "exports_no"), (1, "exports_yes")):
                    values.append([level, v.name, number, "", tr(key, "vi"), tr(key, "en")])
            for code, label in v.codes.items():
                written = v.numeric[code] if v.numeric is not None else code
                values.append([level, v.name, written, code, label.vi, label.en])
    for ws, widths in ((sheet, (10, 24, 40, 40, 16, 20, 8, 30, 10, 40, 12, 30, 10, 60)), (values, (10, 24, 8, 8, 50, 50))):
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for cell in ws[1]:
            cell.font = bold
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
    wb.save(path)


def _type(v: Variable, lang: str) -> str:
    if v.kind == "dummy":
        return tr("exports_cb_type_dummy", lang)
    if v.storage == "int" and v.numeric is not None:
        return tr("exports_cb_type_code_number", lang)
    if v.codes:
        return tr("exports_cb_type_code_text", lang)
    return tr("exports_cb_type_" + v.storage, lang)


def _code_list(v: Variable) -> str:
    if not v.list_name:
        return ""
    return v.list_name if v.list_source in ("", "form") else f"{v.list_name} ({v.list_source})"


def _note(v: Variable, lang: str) -> str:
    if v.key == ("key", "household_uuid"):
        return tr("exports_cb_note_join", lang)
    if v.kind == "dummy":
        return tr("exports_cb_note_dummy", lang, code=v.choice)
    if v.kind == "year":
        return tr("exports_cb_note_year", lang)
    if v.kind == "calculation":
        return tr("exports_cb_note_calculation", lang, expr=v.calculation)
    if v.field_type == "select_multiple":
        return tr("exports_cb_note_codes_list", lang)
    if v.field_type == "partial_date":
        return tr("exports_cb_note_partial", lang, name=v.name)
    if v.field_type == "mixed":
        return tr("exports_cb_note_mixed", lang)
    if v.codes and v.numeric is None:
        return tr("exports_cb_note_text_labels", lang)
    return ""
