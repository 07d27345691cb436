"""SPSS (.sav) and Stata (.dta) files through pyreadstat, with variable and value labels.

- Codes of a numeric code list are numbers with value labels ("01" Kinh is 1 labelled Kinh).
  Codes that are not all integers (VSIC letters, ISO country codes) stay text: SPSS gets value
  labels on the text, Stata cannot label text, so there the codebook holds the labels.
- Empty answers are system missing: `.` in Stata, sysmis in SPSS, "" for text.
- Dates are date variables (SPSS DATE11, Stata %td).
- Labels longer than a format holds are cut with "…" at a character boundary (SPSS: 255 bytes
  for a variable label, 120 for a value label; Stata: 80 characters); the codebook keeps them
  whole. Stata files are format 118 (Stata 14 and later, Unicode); texts over 2045 bytes
  become strL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from forms.exports.tables import Table
from forms.exports.variables import ExportError, Variable
from forms.i18n import message

SAV_VARIABLE_LABEL_BYTES = 255
SAV_VALUE_LABEL_BYTES = 120
DTA_LABEL_CHARS = 80
DTA_VERSION = 14  # pyreadstat's name for format 118


def write_sav(table: Table, path: Path, *, lang: str = "vi", file_label: str = "") -> None:
    import pyreadstat

    frame, all_missing_dates = _frame(table)
    formats: dict[str, str] = {}
    measures: dict[str, str] = {}
    for v in table.variables:
        if v.name in all_missing_dates:
            formats[v.name] = "DATE11"
        elif v.kind == "dummy":
            formats[v.name] = "F1.0"
        elif v.storage == "int" and v.numeric is not None:
            formats[v.name] = f"F{max(len(str(abs(n))) + (n < 0) for n in v.numeric.values()) if v.numeric else 8}.0"
        elif v.storage == "int":
            formats[v.name] = "F8.0"
        measures[v.name] = "nominal" if v.labelled or v.storage == "string" else "scale"
    pyreadstat.write_sav(
        frame, str(path), file_label=_cut_bytes(file_label, 64),
        column_labels={v.name: _cut_bytes(v.label.text(lang), SAV_VARIABLE_LABEL_BYTES) for v in table.variables},
        variable_value_labels={v.name: {k: _cut_bytes(t, SAV_VALUE_LABEL_BYTES) for k, t in v.value_labels(lang).items()}
                               for v in table.variables if v.labelled},
        variable_format=formats, variable_measure=measures)


def write_dta(table: Table, path: Path, *, lang: str = "vi", file_label: str = "") -> None:
    import pyreadstat

    frame, all_missing_dates = _frame(table)
    pyreadstat.write_dta(
        frame, str(path), file_label=_cut_chars(file_label, DTA_LABEL_CHARS), version=DTA_VERSION,
        column_labels={v.name: _cut_chars(v.label.text(lang), DTA_LABEL_CHARS) for v in table.variables},
        # Stata labels whole numbers only: text codes keep their labels in the codebook.
        variable_value_labels={v.name: v.value_labels(lang) for v in table.variables
                               if v.labelled and v.storage == "int"},
        variable_format={name: "%td" for name in all_missing_dates})


def _frame(table: Table) -> tuple[Any, set[str]]:
    """A pandas frame of the table, and the date columns that are empty throughout (pyreadstat
    cannot tell their type from the values, so they are written as numbers in a date format)."""
    import numpy as np

    try:
        import pandas as pd
    except ImportError:  # pyreadstat writes from a data frame but does not itself require pandas
        raise ExportError(message("exports_needs_pandas")) from None
    data: dict[str, Any] = {}
    all_missing_dates: set[str] = set()
    for v, column in zip(table.variables, table.columns):
        data[v.name] = _series(v, column, pd, np)
        if v.storage == "date" and all(x is None for x in column):
            all_missing_dates.add(v.name)
    return pd.DataFrame(data, index=range(table.rows)), all_missing_dates


def _series(v: Variable, column: list[Any], pd: Any, np: Any) -> Any:
    if v.storage == "string":
        return pd.Series(["" if x is None else x for x in column], dtype=object)
    if v.storage == "int":
        return pd.Series(pd.array(column, dtype="Int8" if v.kind == "dummy" else "Int32"))
    if v.storage == "float" or (v.storage == "date" and all(x is None for x in column)):
        return pd.Series(np.array([np.nan if x is None else x for x in column], dtype=float))
    return pd.Series(column, dtype=object)  # dates: datetime.date or None


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode("utf-8", errors="ignore") + "…"


def _cut_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
