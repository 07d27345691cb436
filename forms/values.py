"""Answer types: check a stored value, and read what an officer typed or a file held."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from forms.definition import Definition, Field
from forms.functions import parse_partial_date
from forms.i18n import Message, message

EMPTY: tuple[Any, ...] = (None, "", [])
_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


class ValueProblem(ValueError):
    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


# Tab and line breaks are what a pasted address may hold; any other control character (NUL
# above all) is invisible on screen and cuts or drops the text in SPSS, Stata and XLSX files.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def control_character(text: str) -> str | None:
    """The first control character in `text` that is not tab or a line break, as U+XXXX."""
    for ch in text:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc":
            return f"U+{ord(ch):04X}"
    return None


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check(definition: Definition, f: Field, value: Any, parent_value: Any = None) -> Message | None:
    """Why a stored value is not valid for its question, or None if it is."""
    t = f.type
    if t == "text":
        if not isinstance(value, str):
            return message("invalid_text", field=_label(f))
        bad = control_character(value)
        return message("invalid_control_character", field=_label(f), code=bad) if bad else None
    if t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else message("invalid_integer", value=value)
    if t == "decimal":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else message("invalid_decimal", value=value)
    if t == "date":
        ok = isinstance(value, str) and len(value) == 10 and _iso_date(value)
        return None if ok else message("invalid_date", value=value)
    if t == "partial_date":
        ok = isinstance(value, str) and parse_partial_date(value) is not None
        return None if ok else message("invalid_partial_date", value=value)
    if t == "select_one":
        if not f.filter_by and value.__class__ is str and value in definition.lists[f.list_name].codes:  # type: ignore[index]
            return None
        return _check_code(definition, f, value, parent_value)
    if t == "select_multiple":
        if not isinstance(value, list):
            return message("invalid_multiple", value=value)
        for code in value:
            problem = _check_code(definition, f, code, None)
            if problem:
                return problem
        if len(set(value)) != len(value):
            return message("invalid_multiple", value=" ".join(map(str, value)))
    return None


def _check_code(definition: Definition, f: Field, code: Any, parent_value: Any) -> Message | None:
    choices = definition.lists[f.list_name]  # type: ignore[index]
    choice = choices.by_code.get(code) if code.__class__ is str else None
    if choice is None:
        return message("invalid_code", code=code, field=_label(f))
    if f.filter_by and parent_value not in EMPTY and choice.parent != parent_value:
        parent_field = definition.by_id[f.filter_by]
        return message("invalid_code_parent", code=code, field=_label(f), parent=_label(parent_field))
    return None


def _iso_date(s: str) -> bool:
    try:
        dt.date.fromisoformat(s)
    except ValueError:
        return False
    return True


def _label(f: Field) -> Message | str:
    return f.label or f.id


def coerce(definition: Definition, f: Field, raw: Any) -> Any:
    """Bring a value from a file to its stored form where that is unambiguous (code 1 -> "1",
    a date typed as 07/03/1985 -> "1985-03-07"); anything else is kept as it is, so that the
    engine reports it rather than it being lost."""
    if isinstance(raw, str):
        raw = raw.strip()
    if is_empty(raw):
        return None
    t = f.type
    if t in ("select_one", "text") and isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
        if t == "select_one" and raw not in definition.choices(f).codes and raw.zfill(2) in definition.choices(f).codes:
            raw = raw.zfill(2)  # ethnic group 1 written for 01
        return raw
    if t == "select_multiple":
        if isinstance(raw, str):
            return [p for p in re.split(r"[\s,;]+", raw) if p]
        if isinstance(raw, list):
            return [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in raw]
    if t in ("date", "partial_date") and isinstance(raw, str):
        m = _DMY.match(raw)
        if m:
            d, mo, y = (int(x) for x in m.groups())
            iso = f"{y:04d}-{mo:02d}-{d:02d}"
            # An impossible date stays as written, so the error shows what the paper says.
            return iso if _iso_date(iso) else raw
    if t == "partial_date" and isinstance(raw, int) and 1000 <= raw <= 9999:
        return str(raw)
    if t == "integer" and isinstance(raw, str) and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if t == "decimal" and isinstance(raw, str):
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            return raw
    return raw


def parse_typed(definition: Definition, f: Field, text: str) -> Any:
    """What an officer typed into a question (from paper), as the value to store.

    Raises ValueProblem with a message in both languages when it cannot be read."""
    value = coerce(definition, f, text)
    if value is None:
        return None
    problem = check(definition, f, value)
    if problem:
        raise ValueProblem(problem)
    return value
