"""Sheets and columns of the XLSForm workbook, shared by the writer and the reader.

Translated columns follow the XLSForm convention `label::Vietnamese (vi)`; the reader also
takes `label::vi`, `label::English` and a plain `label` (the default language, Vietnamese).
"""

from __future__ import annotations

import re

LANGUAGES = {"vi": "Vietnamese", "en": "English"}
DEFAULT_LANGUAGE = "vi"
_LANGUAGE_NAMES = {"vi": "vi", "vietnamese": "vi", "tiếng việt": "vi", "en": "en", "english": "en", "tiếng anh": "en"}

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
# Sheets of this program's own, for what XLSForm has no column for.
CONSTRAINTS, UNIQUE, CODE_LISTS, NOTES = "constraints", "unique", "code_lists", "notes"

TRANSLATED = {"label", "hint", "constraint_message", "row_label", "form_title", "message"}

SURVEY_COLUMNS: list[tuple[str, str | None]] = [
    ("type", None), ("name", None), ("label", "vi"), ("label", "en"), ("hint", "vi"), ("hint", "en"),
    ("required", None), ("relevant", None), ("constraint", None), ("constraint_message", "vi"),
    ("constraint_message", "en"), ("calculation", None), ("choice_filter", None),
    # this program's columns
    ("constraint_severity", None), ("search", None), ("summary", None), ("prefill", None), ("common", None),
    ("min_rows", None), ("row_label", "vi"), ("row_label", "en"),
]
CHOICES_COLUMNS: list[tuple[str, str | None]] = [("list_name", None), ("name", None), ("label", "vi"), ("label", "en")]
SETTINGS_COLUMNS: list[tuple[str, str | None]] = [
    ("form_id", None), ("version", None), ("form_title", "vi"), ("form_title", "en"), ("default_language", None),
    ("legal_basis", None)]
CONSTRAINTS_COLUMNS: list[tuple[str, str | None]] = [
    ("name", None), ("constraint", None), ("constraint_severity", None), ("constraint_message", "vi"),
    ("constraint_message", "en")]
UNIQUE_COLUMNS: list[tuple[str, str | None]] = [
    ("name", None), ("scope", None), ("within", None), ("severity", None), ("message", "vi"), ("message", "en")]
CODE_LISTS_COLUMNS: list[tuple[str, str | None]] = [("list_name", None), ("national_list", None), ("provisional", None)]

SHEET_COLUMNS = {SURVEY: SURVEY_COLUMNS, CHOICES: CHOICES_COLUMNS, SETTINGS: SETTINGS_COLUMNS,
                 CONSTRAINTS: CONSTRAINTS_COLUMNS, UNIQUE: UNIQUE_COLUMNS, CODE_LISTS: CODE_LISTS_COLUMNS}

# XLSForm's own spellings of the types this program has, and the program's own partial_date.
SIMPLE_TYPES = {"text", "integer", "decimal", "date", "partial_date", "calculate"}
SELECT_TYPES = {"select_one", "select_multiple"}
YES = {"yes", "true", "true()", "1", "có"}
NO = {"", "no", "false", "false()", "0", "không"}


def header(base: str, lang: str | None) -> str:
    return f"{base}::{LANGUAGES[lang]} ({lang})" if lang else base


def parse_header(text: str) -> tuple[str, str | None]:
    """`label::Vietnamese (vi)` -> ("label", "vi"); an unknown language comes back as written."""
    text = text.strip()
    if "::" not in text:
        base = text.lower()
        return base, DEFAULT_LANGUAGE if base in TRANSLATED else None
    base, rest = (part.strip() for part in text.split("::", 1))
    m = re.search(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z]+)?)\s*\)\s*$", rest)
    code = m.group(1).lower() if m else rest.lower()
    return base.lower(), _LANGUAGE_NAMES.get(code, rest)
