"""CSV that Excel opens with Vietnamese intact: UTF-8 with a byte order mark, CRLF line ends.

Values are those of the SPSS and Stata files (numeric codes as numbers: 1 for Kinh "01"),
dates as YYYY-MM-DD, empty answers as empty cells. With `labels`, coded answers are written
as their labels. With `excel_text`, texts of digits that Excel would turn into numbers
(citizen IDs, phones with a leading 0) are written as ="..." so Excel keeps them; other
programs then see the quotes, so it is off by default.

A text answer that begins like a formula (=, +, -, @, tab, carriage return) is written with a
single quote before it, as OWASP advises against CSV injection: a spreadsheet would otherwise
run an officer's "=HYPERLINK(...)" on the statistician's computer. Numbers are never prefixed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, BinaryIO

from forms.exports.tables import Table

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(table: Table, path: Path | BinaryIO, *, lang: str = "vi", labels: bool = False,
              excel_text: bool = False) -> None:
    """To a file, or to a binary stream (an encrypted export builds its files in memory)."""
    cells = [_cell_writer(v, lang, labels, excel_text) for v in table.variables]
    with _text_out(path) as fh:
        fh.write(BOM)
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([v.name for v in table.variables])
        columns = table.columns
        for i in range(table.rows):
            writer.writerow([cell(col[i]) for cell, col in zip(cells, columns)])


@contextlib.contextmanager
def _text_out(target: Path | BinaryIO):
    if isinstance(target, Path | str):
        with open(target, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    fh = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    try:
        yield fh
        fh.flush()
    finally:
        fh.detach()  # the caller's stream stays open: closing the wrapper would close it


def _cell_writer(variable: Any, lang: str, labels: bool, excel_text: bool):
    def plain(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value if isinstance(value, str) else str(value)

    def labelled(value: Any) -> str:
        label = variable.label_of(value, lang)
        if label is not None:
            return label
        return defused(plain(value)) if variable.storage == "string" else plain(value)

    def text(value: Any) -> str:
        return defused(plain(value))

    def protected(value: Any) -> str:
        text = defused(plain(value))
        if text.isdigit() and (text.startswith("0") or len(text) > 11):
            return '="' + text.replace('"', '""') + '"'
        return text

    if labels and variable.labelled and variable.kind != "dummy":
        return labelled
    if variable.storage == "string":
        return protected if excel_text else text
    return plain


def defused(text: str) -> str:
    """A text a spreadsheet shows as typed rather than evaluating it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
