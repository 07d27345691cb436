"""How one question is printed: its number, label, skip condition and answer area (tick
boxes with the options, code boxes, date boxes, a line to write on), blank or filled in.

Everything comes from the definition: a province that adds a question or a code gets it on
paper too. Code lists of at most SMALL_LIST codes are printed as tick boxes with their labels;
longer ones (communes, countries, ethnic groups, VSIC) as code boxes to write in, with the
question's `common` codes as tick boxes, or a short note naming the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.codelists import ChoiceList
from forms.definition import Definition, Field
from forms.engine import FieldRef
from forms.functions import parse_partial_date
from forms.printing import layout as L
from forms.printing import pages as P
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.text import catalog, t
from forms.values import is_empty

SMALL_LIST = 12
LABEL_W = 50 * mm
GAP = 3 * mm
WRITE_H = 6 * mm  # the height of a line to write on by hand
_DIGITS = re.compile(r"\^\[0-9\]\{(\d+)\}\$")


@dataclass(eq=False)
class Sheet:
    """What every block of one form needs to know."""

    definition: Definition
    lang: str
    numbers: dict[str, int]
    prefilled: bool
    markers: dict[FieldRef, str] = field(default_factory=dict)  # "⚠1 ✗2" beside an answer

    def label(self, f: Field) -> str:
        return f.label.text(self.lang) if f.label else f.id

    def numbered(self, f: Field) -> str:
        n = self.numbers.get(f.id)
        return f"{n}. {self.label(f)}" if n else self.label(f)


def number_questions(definition: Definition) -> dict[str, int]:
    """Questions numbered 1, 2, 3 ... in the order of the form, as on paper."""
    numbers: dict[str, int] = {}

    def walk(fields: list[Field]) -> None:
        for f in fields:
            if f.is_answer:
                numbers[f.id] = len(numbers) + 1
            walk(f.children)

    walk(definition.fields)
    return numbers


# -- what kind of answer area ---------------------------------------------------------------
def digits_of(f: Field) -> int:
    """A text question whose constraints say `^[0-9]{N}$` gets N digit boxes (citizen ID: 12)."""
    found = [int(n) for c in f.constraints for n in _DIGITS.findall(c.expr)]
    return max(found, default=0)


def kind(definition: Definition, f: Field) -> str:
    if f.type in ("select_one", "select_multiple"):
        small = len(definition.choices(f).items) <= SMALL_LIST
        if f.type == "select_one":
            return "options" if small else "code"
        return "multi" if small else "codes"
    if f.type == "text":
        return "digits" if digits_of(f) else "text"
    if f.type in ("date", "partial_date"):
        return "date"
    if f.type in ("integer", "decimal"):
        return "number"
    return "calc"


_code_lens: dict[int, tuple[ChoiceList, int]] = {}


def code_len(choices: ChoiceList) -> int:
    """How many boxes the list's longest code needs (communes: 5)."""
    found = _code_lens.get(id(choices))
    if found is None or found[0] is not choices:
        found = _code_lens[id(choices)] = (choices, max((len(c.code) for c in choices.items), default=1))
    return found[1]


def list_note(sheet: Sheet, f: Field) -> str:
    choices = sheet.definition.choices(f)
    name = choices.source if choices.source != "form" else choices.name
    # A national list by its title in the officer's code book; a list of the form's own, or one a
    # province added, by its name.
    if choices.source != "form" and f"code_list_{name}" in catalog():
        name = t(f"code_list_{name}", sheet.lang)
    key = "note_other_code" if f.common else "note_write_code"
    return t(key, sheet.lang, n=len(choices.items), digits=code_len(choices), list=name)


def options(sheet: Sheet, f: Field, only: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    choices = sheet.definition.choices(f)
    if only is not None:
        return tuple((c, choices.label(c, sheet.lang)) for c in only if c in choices.by_code)
    return tuple((c.code, c.label.text(sheet.lang)) for c in choices.items)


# -- values ---------------------------------------------------------------------------------
def as_text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def date_parts(value: Any) -> tuple[str, str, str] | None:
    """('07', '03', '1985'), ('', '', '1985') for a year alone, None if not a date."""
    parsed = parse_partial_date(value) if isinstance(value, str) else None
    if parsed is None:
        return None
    y, m, d = parsed
    return (f"{d:02d}" if d else "", f"{m:02d}" if m else "", f"{y:04d}")


def code_and_label(sheet: Sheet, f: Field, value: Any) -> str:
    choices = sheet.definition.choices(f)
    codes = value if isinstance(value, list) else [value]
    return "; ".join(f"{c} {choices.label(str(c), sheet.lang)}".strip() for c in codes)


# -- skip conditions in words ---------------------------------------------------------------
_TOKENS = re.compile(r"\$\{(\w+)\}|'([^']*)'|\"([^\"]*)\"|!=|>=|<=|\band\b|\bor\b|\bnot\b")


def condition_text(sheet: Sheet, expr: str) -> str:
    """`${labour_status} = 1` -> "câu 19 = 1"; `${age} >= 15` -> "Tuổi ≥ 15"."""
    words = {"!=": "≠", ">=": "≥", "<=": "≤", "and": t("word_and", sheet.lang), "or": t("word_or", sheet.lang),
             "not": t("word_not", sheet.lang)}

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            target = sheet.definition.by_id.get(m.group(1))
            n = sheet.numbers.get(m.group(1))
            if n:
                return t("question_ref", sheet.lang, n=n)
            return sheet.label(target) if target else m.group(1)
        if m.group(2) is not None or m.group(3) is not None:
            return m.group(2) if m.group(2) is not None else m.group(3)
        return words[m.group(0)]

    return " ".join(_TOKENS.sub(sub, expr).split())


def ask_if(sheet: Sheet, f: Field) -> str:
    return t("ask_if", sheet.lang, condition=condition_text(sheet, f.relevant)) if f.relevant else ""


# -- one question as a row ------------------------------------------------------------------
class QuestionRow(P.Block):
    """[number and label | answer area | code boxes], a thin rule below.

    Blank when no value is given. Pre-filled: the stored value; a question that was not
    asked says so in one line (and shows an answer a draft still holds in it)."""

    def __init__(self, sheet: Sheet, f: Field, ref: FieldRef, value: Any = None, relevant: bool = True):
        self.f, self.sheet, self.value = f, sheet, value
        self.kind = kind(sheet.definition, f)
        self.asked = relevant or not sheet.prefilled
        self.filled = not is_empty(value)
        lang = sheet.lang
        self.num = f"{sheet.numbers.get(f.id, '')}."
        self.num_w = L.width(self.num + " ", BOLD, L.SIZE)
        self.label = L.wrap(sheet.label(f), LABEL_W - self.num_w)
        notes = []
        if f.hint and self.asked:
            notes.append(f.hint.text(lang))
        if f.relevant and not sheet.prefilled:
            notes.append(ask_if(sheet, f))
        self.notes = tuple(line for n in notes for line in L.wrap(n, LABEL_W - self.num_w, REGULAR, L.SMALL))
        self.marker = sheet.markers.get(ref, "")
        self.left_h = L.text_height(len(self.label)) + L.text_height(len(self.notes), L.SMALL)
        left_h = self.left_h + (L.leading() if self.marker else 0)
        self.n_boxes = 0
        if self.asked and self.kind in ("options", "code"):
            self.n_boxes = code_len(sheet.definition.choices(f))
        self.answer_x = LABEL_W + GAP
        self.answer_dy = 0.0  # the answer area's offset below the row's top
        self.answer_w = L.CONTENT_W - self.answer_x - self._code_w()
        self._prepare()
        if self.grid is not None and self.kind in ("options", "multi") and self.grid.height > 4 * L.leading(L.OPTION_SIZE):
            self._options_below(left_h)
        self.height = max(left_h, self.answer_dy + self.answer_h, L.BOX if self.n_boxes else 0) + 2 * L.PAD

    def _code_w(self) -> float:
        return self.n_boxes * L.BOX + GAP if self.n_boxes else 0.0

    def _options_below(self, left_h: float) -> None:
        """A long list of options goes under the label, across the page, when that is shorter."""
        wide_w = L.CONTENT_W - self.num_w - self._code_w()
        wide = L.option_grid(options(self.sheet, self.f), wide_w)
        if left_h + wide.height < max(left_h, self.answer_h) - L.leading(L.OPTION_SIZE) / 2:
            self.grid, self.answer_h = wide, wide.height
            self.answer_x, self.answer_w, self.answer_dy = self.num_w, wide_w, left_h

    # -- measuring
    def _prepare(self) -> None:
        s, f, k, v, filled = self.sheet, self.f, self.kind, self.value, self.filled
        self.grid: L.OptionGrid | None = None
        self.static_lines: tuple[str, ...] = ()  # small print, the same on every form
        self.value_lines: tuple[str, ...] = ()  # the answer, bold
        self.value_size = L.SIZE
        self.boxes = k in ("date", "digits")  # the answer goes in boxes
        if not self.asked:
            self.boxes = False
            self.static_lines = L.wrap(t("not_asked", s.lang, condition=condition_text(s, f.relevant or "")) if f.relevant
                                       else t("not_asked_plain", s.lang), self.answer_w, REGULAR, L.SMALL)
            if filled:  # a draft may keep an answer that no longer applies
                self.value_size = L.SMALL
                self.value_lines = L.wrap(t("answer_left", s.lang, value=self._display()), self.answer_w, BOLD, L.SMALL)
            self.answer_h = L.text_height(len(self.static_lines), L.SMALL) + L.text_height(len(self.value_lines), L.SMALL)
            return
        if k in ("options", "multi"):
            self.grid = L.option_grid(options(s, f), self.answer_w)
            self.answer_h = self.grid.height
            codes = [str(x) for x in (v if isinstance(v, list) else [v])] if filled else []
            if any(code not in s.definition.choices(f).by_code for code in codes):  # a draft's bad code: show it
                self.value_lines = L.clip_lines(L.wrap(as_text(v), self.answer_w, BOLD))
                self.answer_h += L.text_height(len(self.value_lines))
            return
        if k in ("code", "codes"):
            if f.common:
                self.grid = L.option_grid(options(s, f, f.common), self.answer_w)
            if filled:
                self.value_lines = L.clip_lines(L.wrap(self._display(), self.answer_w, BOLD))
            else:
                self.static_lines = L.wrap(list_note(s, f), self.answer_w, REGULAR, L.SMALL)
            self.answer_h = (self.grid.height if self.grid else 0) + L.text_height(len(self.value_lines)) + \
                L.text_height(len(self.static_lines), L.SMALL)
            return
        text = as_text(v)
        if k == "date":
            self.parts = date_parts(v) if filled else ("", "", "")
            self.boxes = self.parts is not None
        elif k == "digits":
            self.boxes = not filled or (text.isdigit() and len(text) <= digits_of(f))
        else:  # text, number: the answer (or the line to write on) spans the code column too
            self.answer_w = L.CONTENT_W - self.answer_x
        if filled and not self.boxes:
            self.value_lines = L.clip_lines(L.wrap(text, self.answer_w, BOLD))
        self.answer_h = L.BOX if self.boxes else (L.text_height(len(self.value_lines)) if filled else WRITE_H)

    def _display(self) -> str:
        if self.kind in ("options", "code", "multi", "codes"):
            return code_and_label(self.sheet, self.f, self.value)
        return as_text(self.value)

    # -- drawing
    def static_key(self) -> tuple[object, ...]:
        s = self.sheet
        return ("question", id(s.definition), self.f.id, s.lang, s.prefilled, self.asked, self.answer_x, self.answer_dy,
                self.boxes, self.filled and self.kind in ("code", "codes", "text", "number"), self.static_lines,
                round(self.height, 2))

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        top = y_top - L.PAD
        L.draw_lines(c, x, top, [self.num + " "], BOLD)
        L.draw_lines(c, x + self.num_w, top, self.label)
        L.draw_lines(c, x + self.num_w, top - L.text_height(len(self.label)), self.notes, REGULAR, L.SMALL)
        ax, atop = x + self.answer_x, top - self.answer_dy
        if self.n_boxes:
            L.box_outline(c, x + L.CONTENT_W - self.n_boxes * L.BOX, top, self.n_boxes)
        if self.grid is not None:
            L.grid_outline(c, self.grid, ax, atop)
            atop -= self.grid.height
        if self.boxes:
            if self.kind == "date":
                L.date_outline(c, ax, atop)
            else:
                L.box_outline(c, ax, atop, digits_of(self.f))
        elif self.kind in ("text", "number") and self.asked and not self.filled:
            L.draw_write_line(c, ax, atop - WRITE_H + 1.2 * mm, self.answer_w)
        L.draw_lines(c, ax, atop, self.static_lines, REGULAR, L.SMALL)
        c.setLineWidth(L.THIN)
        c.line(x, y_top - self.height, x + L.CONTENT_W, y_top - self.height)

    def draw_dynamic(self, c: Canvas, x: float, y_top: float) -> None:
        top = y_top - L.PAD
        if self.marker:
            L.draw_lines(c, x + self.num_w, top - self.left_h, [self.marker], BOLD)
        ax, atop = x + self.answer_x, top - self.answer_dy
        v = self.value
        if self.filled and self.asked:
            if self.n_boxes:
                code = as_text(v)
                if len(code) <= self.n_boxes:
                    L.box_chars(c, x + L.CONTENT_W - self.n_boxes * L.BOX, top, self.n_boxes, code)
            if self.grid is not None:
                L.grid_marks(c, self.grid, ax, atop, [str(x) for x in (v if isinstance(v, list) else [v])])
                atop -= self.grid.height
            if self.boxes and self.kind == "date":
                L.date_chars(c, ax, atop, self.parts or ("", "", ""))
            elif self.boxes:
                L.box_chars(c, ax, atop, digits_of(self.f), as_text(v))
        atop -= L.text_height(len(self.static_lines), L.SMALL)
        L.draw_lines(c, ax, atop, self.value_lines, BOLD, self.value_size)
