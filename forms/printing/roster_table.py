"""A roster (the member list) as a table: one row per member, one column per question that
sits directly in the roster; the questions inside the roster's groups (the labour module)
are printed per member elsewhere.

Columns keep the definition's order. When they do not fit across the page they go into a
second (third ...) band of the same table, each band starting with the row number, so a
province can add roster questions without breaking the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.definition import Field
from forms.engine import Evaluation, FieldRef
from forms.printing import layout as L
from forms.printing import pages as P
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.questions import (
    Sheet,
    as_text,
    ask_if,
    code_and_label,
    code_len,
    date_parts,
    digits_of,
    kind,
    list_note,
)
from forms.printing.text import t
from forms.values import is_empty

ROW_NUMBER_W = 8 * mm
TEXT_MIN_W = 28 * mm
NAME_MIN_W = 46 * mm
CODE_MIN_W = 11 * mm
BLANK_ROW_H = 9 * mm  # room to write a name by hand
HEAD = L.SMALL


@dataclass(eq=False)
class Column:
    f: Field | None  # None: the row number
    kind: str
    header: str
    min_w: float
    flex: bool
    w: float = 0.0


def columns(sheet: Sheet, roster: Field) -> list[Column]:
    number = t("row_number", sheet.lang)
    cols = [Column(None, "row", number, max(ROW_NUMBER_W, L.width(number, BOLD, HEAD) + 2 * L.PAD), False)]
    first_text = True
    for f in roster.children:
        if not (f.is_answer or (f.type == "calculate" and f.label)):
            continue
        k = kind(sheet.definition, f) if f.is_answer else "calc"
        header = sheet.numbered(f)
        longest = max(L.width(w, BOLD, HEAD) for w in header.split())
        if k in ("options", "code"):  # room for the code's label under the boxes
            content = max(code_len(sheet.definition.choices(f)) * L.BOX, CODE_MIN_W)
        elif k == "multi":
            content = 3 * (L.TICK + L.OPTION_GAP + L.width("00", BOLD, L.SIZE)) + 2 * L.COL_GAP
        elif k == "digits":
            content = digits_of(f) * L.BOX
        elif k == "date":
            content = L.date_boxes_width()
        elif k in ("text", "codes"):
            content = NAME_MIN_W if first_text else TEXT_MIN_W
            first_text = False
        else:
            content = 10 * mm
        flex = k in ("text", "codes")
        cols.append(Column(f, k, header, max(content, longest) + 2 * L.PAD, flex))
    return cols


def bands(cols: list[Column]) -> list[list[Column]]:
    """Columns in order, as many per band as fit; leftover width goes to the text columns."""
    number, rest = cols[0], cols[1:]
    out: list[list[Column]] = []
    band = [number]
    for col in rest:
        if sum(c.min_w for c in band) + col.min_w > L.CONTENT_W and len(band) > 1:
            out.append(band)
            band = [Column(None, "row", number.header, number.min_w, False)]
        band.append(col)
    out.append(band)
    for band in out:
        spare = L.CONTENT_W - sum(c.min_w for c in band)
        growing = [c for c in band if c.flex] or band[1:]
        for c in band:
            c.w = c.min_w + (spare / len(growing) if c in growing else 0)
    return out


class HeaderRow(P.Block):
    def __init__(self, band: list[Column], key: tuple[object, ...]):
        self.band, self.key = band, key
        self.lines = [L.wrap(c.header, c.w - 2 * L.PAD, BOLD, HEAD) for c in band]
        self.height = max(len(x) for x in self.lines) * L.leading(HEAD) + 2 * L.PAD

    def static_key(self) -> tuple[object, ...]:
        return ("header", *self.key)

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        c.setFillGray(L.HEADER_GREY)
        c.rect(x, y_top - self.height, L.CONTENT_W, self.height, stroke=0, fill=1)
        c.setFillGray(0)
        _grid(c, x, y_top, self.band, self.height, top_line=True)
        cx = x
        for col, lines in zip(self.band, self.lines):
            L.draw_lines(c, cx + L.PAD, y_top - L.PAD, lines, BOLD, HEAD)
            cx += col.w


def _grid(c: Canvas, x: float, y_top: float, band: list[Column], h: float, top_line: bool = False) -> None:
    c.setLineWidth(L.LINE_W)
    p = c.beginPath()
    cx = x
    for col in band:
        p.moveTo(cx, y_top)
        p.lineTo(cx, y_top - h)
        cx += col.w
    p.moveTo(cx, y_top)
    p.lineTo(cx, y_top - h)
    p.moveTo(x, y_top - h)
    p.lineTo(cx, y_top - h)
    if top_line:
        p.moveTo(x, y_top)
        p.lineTo(cx, y_top)
    c.drawPath(p, stroke=1, fill=0)


@dataclass(eq=False)
class Cell:
    """A cell's content from its top-left corner: `outline` (empty boxes, the same for every
    household, named by `sig`) under `draw` (the answer)."""

    draw: Callable[[Canvas, float, float], None]
    height: float
    outline: Callable[[Canvas, float, float], None] | None = None
    sig: object = None


class MemberRow(P.Block):
    """One member in one band; blank when `row` is None. Grid lines and empty boxes are drawn
    once per PDF for each shape of row and reused."""

    def __init__(self, sheet: Sheet, band: list[Column], number: int | None, row: dict[str, Any] | None,
                 ev: Evaluation | None, roster_id: str, index: int, key: tuple[object, ...] = ()):
        self.band = band
        self.cells = [_cell(sheet, col, number, row, ev, roster_id, index) for col in band]
        content = max(cell.height for cell in self.cells) + 2 * L.PAD
        self.height = max(content, BLANK_ROW_H if row is None else 0, L.BOX + 2 * L.PAD)
        self.key = ("member row", *key, round(self.height, 2), tuple(cell.sig for cell in self.cells))

    def static_key(self) -> tuple[object, ...]:
        return self.key

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        _grid(c, x, y_top, self.band, self.height)
        cx = x
        for col, cell in zip(self.band, self.cells):
            if cell.outline is not None:
                cell.outline(c, cx + L.PAD, y_top - L.PAD)
            cx += col.w

    def draw_dynamic(self, c: Canvas, x: float, y_top: float) -> None:
        cx = x
        for col, cell in zip(self.band, self.cells):
            cell.draw(c, cx + L.PAD, y_top - L.PAD)
            cx += col.w


def _nothing(c: Canvas, x: float, y: float) -> None:
    pass


def _text_cell(lines: tuple[str, ...], font: str = REGULAR, size: float = L.SIZE) -> Cell:
    if not lines:
        return Cell(_nothing, 0.0)
    return Cell(lambda c, x, y: L.draw_lines(c, x, y, lines, font, size), L.text_height(len(lines), size))


def _boxed(outline: Cell, *below: Cell) -> Cell:
    """Boxes (outline and answer) with text under them."""
    parts = [p for p in below if p.height]

    def draw(c: Canvas, x: float, y: float) -> None:
        outline.draw(c, x, y)
        y -= outline.height
        for part in parts:
            part.draw(c, x, y)
            y -= part.height

    return Cell(draw, outline.height + sum(p.height for p in parts), outline.outline, outline.sig)


def _outline(sheet: Sheet, col: Column, avail: float) -> Cell | None:
    """The empty boxes of a column: code boxes, date boxes, tick boxes; None for text."""
    f, k = col.f, col.kind
    assert f is not None
    if k in ("options", "code", "digits"):
        n = code_len(sheet.definition.choices(f)) if k != "digits" else digits_of(f)
        return Cell(_nothing, L.BOX, lambda c, x, y: L.box_outline(c, x, y, n), ("boxes", n))
    if k == "multi":
        grid = L.option_grid(tuple((ch.code, "") for ch in sheet.definition.choices(f).items), avail)
        return Cell(_nothing, grid.height, lambda c, x, y: L.grid_outline(c, grid, x, y), ("grid", f.id))
    if k == "date":
        return Cell(_nothing, L.BOX, lambda c, x, y: L.date_outline(c, x, y), ("date",))
    return None


def _cell(sheet: Sheet, col: Column, number: int | None, row: dict[str, Any] | None, ev: Evaluation | None,
          roster_id: str, index: int) -> Cell:
    avail = col.w - 2 * L.PAD
    if col.f is None:
        cell = _text_cell((str(number),) if number else (), BOLD)
        return Cell(_nothing, cell.height, cell.draw, ("number", number)) if row is None else cell
    f, k = col.f, col.kind
    empty = _outline(sheet, col, avail)
    if row is None:
        return empty or Cell(_nothing, 0.0)
    ref = FieldRef(f.id, roster_id, index)
    value = ev.rows[roster_id][index].get(f.id) if k == "calc" and ev else row.get(f.id)
    relevant = ev.is_relevant(ref) if ev else True
    marker = sheet.markers.get(ref, "")
    marks = _text_cell(L.wrap(marker, avail, BOLD) if marker else (), BOLD)
    text = as_text(value)
    if is_empty(value):
        return _stack(_text_cell(("–",) if not relevant else ()), marks)
    if k in ("options", "code") and empty is not None and len(text) <= empty.sig[1]:  # type: ignore[index]
        n = empty.sig[1]  # type: ignore[index]
        label = L.clip_lines(L.wrap(sheet.definition.choices(f).label(text, sheet.lang), avail, REGULAR, L.SMALL), 4)
        boxes = Cell(lambda c, x, y: L.box_chars(c, x, y, n, text), L.BOX + 0.8 * mm, empty.outline, empty.sig)
        return _boxed(boxes, _text_cell(label, REGULAR, L.SMALL), marks)
    if k == "multi" and empty is not None:
        chosen = [str(v) for v in value] if isinstance(value, list) else [text]
        grid = L.option_grid(tuple((ch.code, "") for ch in sheet.definition.choices(f).items), avail)
        return _boxed(Cell(lambda c, x, y: L.grid_marks(c, grid, x, y, chosen), grid.height, empty.outline, empty.sig),
                      marks)
    if k == "digits" and empty is not None and text.isdigit() and len(text) <= digits_of(f):
        n = digits_of(f)
        return _boxed(Cell(lambda c, x, y: L.box_chars(c, x, y, n, text), L.BOX, empty.outline, empty.sig), marks)
    parts = date_parts(value) if k == "date" else None
    if parts is not None and empty is not None:
        return _boxed(Cell(lambda c, x, y: L.date_chars(c, x, y, parts), L.BOX, empty.outline, empty.sig), marks)
    shown = code_and_label(sheet, f, value) if k in ("codes", "options", "code") else text
    return _stack(_text_cell(L.clip_lines(L.wrap(shown, avail, BOLD)), BOLD), marks)


def _stack(*cells: Cell) -> Cell:
    parts = [c for c in cells if c.height]

    def draw(c: Canvas, x: float, y: float) -> None:
        for part in parts:
            part.draw(c, x, y)
            y -= part.height

    return Cell(draw, sum(p.height for p in parts))


class Legend(P.Block):
    """Below the table: the codes of each coded column, hints and skip conditions."""

    space_before = 1.5 * mm

    def __init__(self, sheet: Sheet, cols: list[Column], key: tuple[object, ...] = ()):
        self.key = ("legend", *key)
        entries = []
        for col in cols:
            f = col.f
            if f is None:
                continue
            parts = []
            if col.kind in ("options", "multi"):
                choices = sheet.definition.choices(f)
                parts.append(" · ".join(f"{ch.code} {ch.label.text(sheet.lang)}" for ch in choices.items))
            elif col.kind in ("code", "codes"):
                if f.common:
                    choices = sheet.definition.choices(f)
                    parts.append(" · ".join(f"{c} {choices.label(c, sheet.lang)}" for c in f.common))
                parts.append(list_note(sheet, f))
            if f.hint:
                parts.append(f.hint.text(sheet.lang))
            if f.relevant and not sheet.prefilled:
                parts.append(ask_if(sheet, f))
            if parts:
                entries.append((sheet.numbered(f) + ":", "; ".join(parts)))
        self.entries = []
        for head, body in entries:
            head_w = L.width(head + " ", BOLD, L.SMALL)
            lines = L.wrap(body, L.CONTENT_W, REGULAR, L.SMALL, first=L.CONTENT_W - head_w)
            self.entries.append((head, head_w, lines))
        self.height = sum(L.text_height(len(lines), L.SMALL) for _, _, lines in self.entries)

    def static_key(self) -> tuple[object, ...]:
        return self.key

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        y = y_top
        for head, head_w, lines in self.entries:
            L.draw_lines(c, x, y, [head + " "], BOLD, L.SMALL)
            L.draw_lines(c, x + head_w, y, lines[:1], REGULAR, L.SMALL)
            L.draw_lines(c, x, y - L.leading(L.SMALL), lines[1:], REGULAR, L.SMALL)
            y -= L.text_height(len(lines), L.SMALL)
