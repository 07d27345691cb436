"""XLSX data files (openpyxl, written as a stream): the variable names in the first row, codes
as numbers where the code list is numeric, dates as real dates, empty answers as empty cells.
Texts stay texts, so citizen IDs keep their leading zeros, and an answer typed as "=..." is a
text cell, never a formula that runs when the statistician opens the file (CSV injection)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from forms.exports.csv_file import FORMULA_START
from forms.exports.tables import Table
from forms.exports.variables import ExportError
from forms.i18n import message

MAX_ROWS = 1_048_576  # Excel's sheet, the header row included
DATE_FORMAT = "yyyy-mm-dd"


def write_xlsx(table: Table, path: Path | BinaryIO, *, lang: str = "vi", labels: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    if table.rows + 1 > MAX_ROWS:
        raise ExportError(message("exports_too_many_rows", level=table.level, rows=table.rows))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.level[:31])
    ws.freeze_panes = "A2"
    for i, v in enumerate(table.variables, 1):
        ws.column_dimensions[_column_letter(i)].width = max(10, min(40, len(v.name) + 2))
    bold = Font(bold=True)
    header = []
    for v in table.variables:
        cell = WriteOnlyCell(ws, value=v.name)
        cell.font = bold
        header.append(cell)
    ws.append(header)

    def clean(value: Any) -> Any:
        # Characters XML cannot hold (pasted control characters) would make openpyxl refuse the file.
        return _text_cell(ws, ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value

    converters = []
    for v in table.variables:
        if labels and v.labelled and v.kind != "dummy":
            converters.append(lambda x, v=v: clean(v.label_of(x, lang) or x))
        elif v.storage == "date":
            converters.append(lambda x: _date_cell(ws, x) if x is not None else None)
        elif v.storage == "string":
            converters.append(clean)
        else:
            converters.append(None)
    columns = table.columns
    for i in range(table.rows):
        ws.append([col[i] if conv is None else conv(col[i]) for conv, col in zip(converters, columns)])
    wb.save(path)


def _text_cell(ws: Any, text: str) -> Any:
    """A text as a text cell: openpyxl would store "=..." as a formula, which the reader's
    spreadsheet runs (=HYPERLINK sends the row elsewhere). quotePrefix keeps it text when edited."""
    if not text.startswith(FORMULA_START):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _date_cell(ws: Any, value: dt.date) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)
