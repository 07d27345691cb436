"""Page geometry, text measuring and wrapping, and the drawing primitives of paper forms:
code boxes, date boxes, tick boxes, option grids. (pages.py puts blocks on pages.)

Black on white only; headers may have a light grey fill (HEADER_GREY, at most 15 %).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from forms.printing import fonts
from forms.printing.fonts import BOLD, REGULAR

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
FOOTER_H = 7 * mm
CONTENT_TOP = PAGE_H - MARGIN
CONTENT_BOTTOM = MARGIN + FOOTER_H
CONTENT_H = CONTENT_TOP - CONTENT_BOTTOM

SIZE = 9.0  # body text: readable at arm's length
SMALL = 8.5  # notes, legends, footers: never smaller
LEADING_FACTOR = 1.25 # room for stacked Vietnamese marks (Ễ, Ặ) between lines
PAD = 1.0 * mm  # inside cells
BOX = 4.4 * mm  # a code box: wide enough to write one digit by hand
TICK = 3.2 * mm  # a tick box before an option
HEADER_GREY = 0.88  # 12 % grey: prints on any laser printer, text stays black on it
LINE_W = 0.5
THIN = 0.3
MAX_VALUE_LINES = 8  # a written answer longer than this is cut with an ellipsis


def leading(size: float = SIZE) -> float:
    return size * LEADING_FACTOR


def ascent(size: float) -> float:
    """Distance from the top of a text line to its baseline."""
    return size * 0.96


# -- text -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=50_000)
def width(text: str, font: str = REGULAR, size: float = SIZE) -> float:
    fonts.register()  # measuring needs the fonts' metrics
    return pdfmetrics.stringWidth(text, font, size)


@functools.lru_cache(maxsize=20_000)
def wrap(text: str, avail: float, font: str = REGULAR, size: float = SIZE, first: float | None = None) -> tuple[str, ...]:
    """Lines of `text` no wider than `avail` (the first line no wider than `first` if given).
    Words are never split unless one alone is wider than a line."""
    space = width(" ", font, size)
    avail += 0.01  # widths add up with rounding errors
    if first is not None:
        first += 0.01
    lines: list[str] = []
    for para in str(text).split("\n"):
        line, line_w = "", 0.0
        for word in para.split():
            limit = first if first is not None and not lines else avail
            w = width(word, font, size)
            if line and line_w + space + w <= limit:
                line, line_w = f"{line} {word}", line_w + space + w
                continue
            if line:
                lines.append(line)
                limit = avail
            while w > limit:  # a word alone wider than the line: cut it
                cut = _fitting_prefix(word, limit, font, size)
                lines.append(word[:cut])
                word = word[cut:]
                w = width(word, font, size)
                limit = avail
            line, line_w = word, w
        lines.append(line)
    return tuple(lines)


def _fitting_prefix(word: str, avail: float, font: str, size: float) -> int:
    """How many characters of `word` fit; cut after a '/' or '-' when there is one."""
    cut = 1
    while cut < len(word) and width(word[: cut + 1], font, size) <= avail:
        cut += 1
    soft = max(word.rfind("/", 0, cut), word.rfind("-", 0, cut))
    return soft + 1 if soft > 0 else cut


def clip_lines(lines: Sequence[str], limit: int = MAX_VALUE_LINES) -> tuple[str, ...]:
    if len(lines) <= limit:
        return tuple(lines)
    return (*lines[: limit - 1], lines[limit - 1][: max(0, len(lines[limit - 1]) - 2)] + " …")


def draw_lines(c: Canvas, x: float, y_top: float, lines: Iterable[str], font: str = REGULAR,
               size: float = SIZE, align: str = "left", avail: float = 0.0) -> None:
    """Lines of text from the top down, in one PDF text object."""
    y = y_top - ascent(size)
    step = leading(size)
    runs = []
    for line in lines:
        if align == "center":
            runs.append((x + (avail - width(line, font, size)) / 2, y, line))
        elif align == "right":
            runs.append((x + avail - width(line, font, size), y, line))
        else:
            runs.append((x, y, line))
        y -= step
    draw_runs(c, runs, font, size)


def draw_runs(c: Canvas, runs: Iterable[tuple[float, float, str]], font: str, size: float) -> None:
    """Strings at (x, baseline) in one font, in one PDF text object."""
    t = None
    for x, y, text in runs:
        if not text:
            continue
        if t is None:
            t = c.beginText()
            t.setFont(font, size)
        t.setTextOrigin(x, y)
        t.textOut(text)
    if t is not None:
        c.drawText(t)


def text_height(n_lines: int, size: float = SIZE) -> float:
    return n_lines * leading(size) if n_lines else 0.0


# -- boxes ----------------------------------------------------------------------------------
def draw_boxes(c: Canvas, x: float, y_top: float, n: int, chars: str = "", box: float = BOX) -> None:
    """n code boxes in a row, with `chars` written in them."""
    box_outline(c, x, y_top, n, box)
    box_chars(c, x, y_top, n, chars, box)


def box_outline(c: Canvas, x: float, y_top: float, n: int, box: float = BOX) -> None:
    if n <= 0:
        return
    c.setLineWidth(LINE_W)
    p = c.beginPath()
    p.rect(x, y_top - box, n * box, box)
    for i in range(1, n):
        p.moveTo(x + i * box, y_top)
        p.lineTo(x + i * box, y_top - box)
    c.drawPath(p, stroke=1, fill=0)


BOX_TEXT = 10.0


def box_chars(c: Canvas, x: float, y_top: float, n: int, chars: str, box: float = BOX) -> None:
    """Characters in code boxes, right-aligned (a code 7 in two boxes goes in the second)."""
    if not chars or n <= 0:
        return
    chars = chars[-n:]
    base = y_top - box / 2 - BOX_TEXT * 0.36
    start = n - len(chars)
    if chars.isdigit():  # digits are all as wide: one string, spaced to fall in the boxes
        digit = width("0", BOLD, BOX_TEXT)
        t = c.beginText(x + start * box + (box - digit) / 2, base)
        t.setFont(BOLD, BOX_TEXT)
        t.setCharSpace(box - digit)
        t.textOut(chars)
        t.setCharSpace(0)  # the spacing would stay for all later text
        c.drawText(t)
        return
    draw_runs(c, ((x + (start + i + 0.5) * box - width(ch, BOLD, BOX_TEXT) / 2, base, ch) for i, ch in enumerate(chars)),
              BOLD, BOX_TEXT)


DATE_GAP = 1.6 * mm


def date_boxes_width(box: float = BOX) -> float:
    return 8 * box + 2 * DATE_GAP


def _date_x(box: float) -> tuple[float, float, float]:
    return 0.0, 2 * box + DATE_GAP, 4 * box + 2 * DATE_GAP


def date_outline(c: Canvas, x: float, y_top: float, box: float = BOX) -> None:
    """dd / mm / yyyy boxes."""
    for dx, n in zip(_date_x(box), (2, 2, 4)):
        box_outline(c, x + dx, y_top, n, box)
    base = y_top - box / 2 - SIZE * 0.36
    slash = width("/", REGULAR, SIZE) / 2
    draw_runs(c, [(x + 2 * k * box + (k - 0.5) * DATE_GAP - slash, base, "/") for k in (1, 2)], REGULAR, SIZE)


def date_chars(c: Canvas, x: float, y_top: float, parts: Sequence[str], box: float = BOX) -> None:
    """Day, month, year in date boxes; any part may be empty (a birth year alone)."""
    for dx, n, text in zip(_date_x(box), (2, 2, 4), parts):
        box_chars(c, x + dx, y_top, n, text, box)


def draw_cross(c: Canvas, x: float, y_top: float, size: float = TICK) -> None:
    """The X of a ticked box."""
    c.setLineWidth(1.1)
    inset = size * 0.18
    p = c.beginPath()
    p.moveTo(x + inset, y_top - inset)
    p.lineTo(x + size - inset, y_top - size + inset)
    p.moveTo(x + inset, y_top - size + inset)
    p.lineTo(x + size - inset, y_top - inset)
    c.drawPath(p, stroke=1, fill=0)


def draw_write_line(c: Canvas, x: float, y: float, w: float) -> None:
    """A dotted line to write on."""
    c.setLineWidth(THIN)
    c.setDash(1, 2)
    c.line(x, y, x + w, y)
    c.setDash()


# -- option grids ---------------------------------------------------------------------------
OPTION_GAP = 1.2 * mm  # between a tick box and its code
OPTION_SIZE = SMALL
COL_GAP = 3.5 * mm


@dataclass(frozen=True, slots=True)
class PlacedOption:
    code: str
    x: float  # from the grid's left edge
    y: float  # from the grid's top
    lines: tuple[str, ...]  # the label, wrapped (may be empty)
    text_w: float  # widest line including the code


@dataclass(frozen=True, slots=True)
class OptionGrid:
    options: tuple[PlacedOption, ...]
    height: float


def _option_lines(code: str, label: str, avail: float, size: float) -> tuple[tuple[str, ...], float]:
    indent = TICK + OPTION_GAP + width(code + " ", BOLD, size)
    if not label:
        return (), indent
    lines = wrap(label, max(avail - indent, 10.0), REGULAR, size)
    return lines, indent + max(width(line, REGULAR, size) for line in lines)


@functools.lru_cache(maxsize=4096)
def option_grid(items: tuple[tuple[str, str], ...], avail: float, size: float = OPTION_SIZE,
                max_cols: int = 6) -> OptionGrid:
    """Options (code, label) with tick boxes, in columns read top to bottom, in as few lines
    as the width allows; labels wrap inside their column only when they must."""
    n = len(items)
    step = leading(size)
    best: tuple[tuple[float, int, int], list[PlacedOption]] | None = None
    for ncols in range(1, min(n, max_cols) + 1):
        rows = math.ceil(n / ncols)
        cols = [items[j * rows:(j + 1) * rows] for j in range(math.ceil(n / rows))]
        natural = [max(_option_lines(c, lab, 10_000, size)[1] for c, lab in col) for col in cols]
        gaps = len(cols) - 1
        if sum(natural) + COL_GAP * gaps <= avail:
            widths = natural
            gap = min((avail - sum(natural)) / gaps, 12 * mm) if gaps else 0.0
        else:
            gap = COL_GAP
            widths = [(avail - gap * gaps) / len(cols)] * len(cols)
            if ncols > 1 and any(w < _min_width(col, size) for col, w in zip(cols, widths)):
                continue  # a code or a word would not fit: fewer columns
        wrapped = 0
        placed: list[PlacedOption] = []
        x = 0.0
        tallest = 0.0
        for col, w in zip(cols, widths):
            y = 0.0
            for code, label in col:  # each column stacks its own options: column-major reading
                lines, text_w = _option_lines(code, label, w, size)
                wrapped += len(lines) > 1
                placed.append(PlacedOption(code, x, y, lines, min(text_w, w)))
                y += max(len(lines), 1) * step
            tallest = max(tallest, y)
            x += w + gap
        score = (round(tallest, 3), wrapped, ncols)
        if best is None or score < best[0]:
            best = (score, placed)
    assert best is not None, "one column always fits"
    return OptionGrid(tuple(best[1]), best[0][0])


def _min_width(col: Sequence[tuple[str, str]], size: float) -> float:
    """The narrowest a column can be: its widest code and longest word."""
    out = 0.0
    for code, label in col:
        indent = TICK + OPTION_GAP + width(code + " ", BOLD, size)
        out = max(out, indent + max((width(w, REGULAR, size) for w in label.split()), default=0.0))
    return out


def _tick_top(top: float, size: float) -> float:
    return top - (leading(size) - TICK) / 2 + 0.4


def grid_outline(c: Canvas, grid: OptionGrid, x: float, y_top: float, size: float = OPTION_SIZE) -> None:
    """The options with empty tick boxes."""
    c.setLineWidth(LINE_W)
    p = c.beginPath()
    codes, labels = [], []
    step = leading(size)
    for opt in grid.options:
        top = y_top - opt.y
        p.rect(x + opt.x, _tick_top(top, size) - TICK, TICK, TICK)
        base = top - ascent(size)
        tx = x + opt.x + TICK + OPTION_GAP
        codes.append((tx, base, opt.code + " "))  # a real space: text copied or searched reads "1 Nam"
        label_x = tx + width(opt.code + " ", BOLD, size)
        labels.extend((label_x, base - i * step, line) for i, line in enumerate(opt.lines))
    c.drawPath(p, stroke=1, fill=0)
    draw_runs(c, codes, BOLD, size)
    draw_runs(c, labels, REGULAR, size)


def grid_marks(c: Canvas, grid: OptionGrid, x: float, y_top: float, chosen: Iterable[str],
               size: float = OPTION_SIZE) -> None:
    """The chosen options: an X in the box and the option circled, as an officer marks paper."""
    chosen = set(chosen)
    step = leading(size)
    for opt in grid.options:
        if opt.code not in chosen:
            continue
        top = y_top - opt.y
        draw_cross(c, x + opt.x, _tick_top(top, size))
        h = max(len(opt.lines), 1) * step
        c.setLineWidth(0.8)
        c.roundRect(x + opt.x - 0.7 * mm, top - h + 0.2 * mm, opt.text_w + 1.9 * mm, h - 0.2 * mm, 1.2 * mm)
