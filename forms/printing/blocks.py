"""The blocks of a household form besides questions and tables: the title with the household
code and QR code, section headings, plain lines, a member's title bar, the signatures."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.definition import Field
from forms.printing import layout as L
from forms.printing import qr
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.pages import Block
from forms.printing.questions import Sheet, ask_if
from forms.printing.text import t

QR_SIZE = 25 * mm
TITLE_SIZE = 13.0
SECTION_SIZE = 10.5


class Title(Block):
    def __init__(self, sheet: Sheet, code: str, lines: list[str], qr_text: str | None):
        self.code, self.qr_text = code, qr_text
        self.code_w = 46 * mm
        right = self.code_w + (QR_SIZE + 3 * mm if qr_text else 0)
        self.left_w = L.CONTENT_W - right - 4 * mm
        self.title = L.wrap(sheet.definition.title.text(sheet.lang).upper(), self.left_w, BOLD, TITLE_SIZE)
        self.lines = tuple(x for line in lines for x in L.wrap(line, self.left_w, REGULAR, L.SMALL))
        self.code_label = t("household_code", sheet.lang)
        left_h = L.text_height(len(self.title), TITLE_SIZE) + 1 * mm + L.text_height(len(self.lines), L.SMALL)
        self.height = max(left_h, QR_SIZE if qr_text else 0, 16 * mm) + 3 * mm

    def draw(self, c: Canvas, x: float, y_top: float) -> None:
        L.draw_lines(c, x, y_top, self.title, BOLD, TITLE_SIZE)
        L.draw_lines(c, x, y_top - L.text_height(len(self.title), TITLE_SIZE) - 1 * mm, self.lines, REGULAR, L.SMALL)
        bx = x + L.CONTENT_W - self.code_w - (QR_SIZE + 3 * mm if self.qr_text else 0)
        c.setLineWidth(1.0)
        c.rect(bx, y_top - 16 * mm, self.code_w, 16 * mm)
        L.draw_lines(c, bx + L.PAD, y_top - L.PAD, [self.code_label], BOLD, L.SMALL)
        if self.code:
            size = 15.0
            while L.width(self.code, BOLD, size) > self.code_w - 2 * L.PAD and size > 8:
                size -= 1
            c.setFont(BOLD, size)
            c.drawCentredString(bx + self.code_w / 2, y_top - 12.5 * mm, self.code)
        if self.qr_text:
            qr.draw(c, self.qr_text, x + L.CONTENT_W - QR_SIZE, y_top, QR_SIZE)


class Heading(Block):
    """A section heading on a light grey bar (level 1) or underlined (level 2), with an
    optional note (the skip condition) after it, on the same line when there is room."""

    keep_with_next = True

    def __init__(self, text: str, note: str = "", level: int = 1):
        self.level = level
        self.size = SECTION_SIZE if level == 1 else L.SIZE
        self.space_before = 3 * mm if level == 1 else 0.6 * mm
        pad = L.PAD if level == 1 else 0.6 * mm
        self.pad = pad
        avail = L.CONTENT_W - 2 * L.PAD
        self.lines = L.wrap(text, avail, BOLD, self.size)
        self.note_x = 0.0
        self.note: tuple[str, ...] = ()
        if note:
            after = L.width(self.lines[-1] + " – ", BOLD, self.size)
            if after + L.width(note, REGULAR, L.SMALL) <= avail:
                self.note_x, self.note = after, (note,)
            else:
                self.note = L.wrap(note, avail, REGULAR, L.SMALL)
        inline = bool(self.note_x)
        note_h = 0.0 if inline else L.text_height(len(self.note), L.SMALL)
        self.height = L.text_height(len(self.lines), self.size) + note_h + 2 * pad
        self.key = ("heading", text, note, level)

    def static_key(self) -> tuple[object, ...]:
        return self.key

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        if self.level == 1:
            c.setFillGray(L.HEADER_GREY)
            c.rect(x, y_top - self.height, L.CONTENT_W, self.height, stroke=0, fill=1)
            c.setFillGray(0)
        c.setLineWidth(L.LINE_W if self.level > 1 else 1.0)
        c.line(x, y_top - self.height, x + L.CONTENT_W, y_top - self.height)
        top = y_top - self.pad
        L.draw_lines(c, x + L.PAD, top, self.lines, BOLD, self.size)
        if self.note_x:
            last = top - L.text_height(len(self.lines) - 1, self.size) - (L.ascent(self.size) - L.ascent(L.SMALL))
            L.draw_lines(c, x + L.PAD + self.note_x - L.width("– ", BOLD, self.size), last, ["– " + self.note[0]],
                         REGULAR, L.SMALL)
        else:
            L.draw_lines(c, x + L.PAD, top - L.text_height(len(self.lines), self.size), self.note, REGULAR, L.SMALL)


class Lines(Block):
    """Plain wrapped text: notes, the members a module did not apply to, the findings."""

    def __init__(self, items: list[tuple[str, str]], size: float = L.SIZE, space_before: float = 1.0 * mm):
        self.size, self.space_before = size, space_before
        self.items = []
        for head, body in items:
            head_w = L.width(head + " ", BOLD, size) if head else 0.0
            self.items.append((head, head_w, L.wrap(body, L.CONTENT_W - head_w, REGULAR, size)))
        self.height = sum(L.text_height(len(lines), size) for _, _, lines in self.items) + L.PAD

    def draw(self, c: Canvas, x: float, y_top: float) -> None:
        y = y_top - L.PAD / 2
        for head, head_w, lines in self.items:
            if head:
                L.draw_lines(c, x, y, [head + " "], BOLD, self.size)
            L.draw_lines(c, x + head_w, y, lines, REGULAR, self.size)
            y -= L.text_height(len(lines), self.size)


class MemberTitle(Block):
    """The bar above one member's module: number, name, age; on a blank form, boxes for the
    member's number and a line for the name."""

    space_before = 3 * mm
    keep_with_next = True

    def __init__(self, sheet: Sheet, group: Field, number: int | None, summary: str, continued: bool = False):
        self.size = SECTION_SIZE
        lang = sheet.lang
        self.blank = number is None
        self.head = t("member_title", lang, n=number) if number else t("member_title_blank", lang)
        if continued:
            self.head += f" ({t('continued', lang)})"
        head_w = L.width(self.head + "  ", BOLD, self.size)
        self.boxes_x = head_w
        self.summary_x = head_w + (2 * L.BOX + 4 * mm if self.blank else 0)
        avail = L.CONTENT_W - self.summary_x - 2 * L.PAD
        font = REGULAR if self.blank else BOLD
        self.summary = L.wrap(summary, avail, font, self.size)
        self.font = font
        self.line_x = self.summary_x + L.width(summary + " ", font, self.size) if self.blank else 0.0
        note = sheet.label(group) + (f" · {ask_if(sheet, group)}" if group.relevant and not sheet.prefilled else "")
        self.note = () if continued else L.wrap(note, L.CONTENT_W - 2 * L.PAD, REGULAR, L.SMALL)
        self.first = max(L.text_height(len(self.summary), self.size), L.BOX + 1 * mm)
        self.height = self.first + L.text_height(len(self.note), L.SMALL) + 2 * L.PAD
        self.key = ("member title", self.head, summary, self.note) if self.blank else None

    def static_key(self) -> tuple[object, ...] | None:
        return self.key

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        c.setFillGray(L.HEADER_GREY)
        c.rect(x, y_top - self.height, L.CONTENT_W, self.height, stroke=0, fill=1)
        c.setFillGray(0)
        c.setLineWidth(1.0)
        c.rect(x, y_top - self.height, L.CONTENT_W, self.height, stroke=1, fill=0)
        top = y_top - L.PAD
        L.draw_lines(c, x + L.PAD, top, [self.head + " "], BOLD, self.size)
        if self.blank:
            c.setFillGray(1)
            c.rect(x + L.PAD + self.boxes_x, top - L.BOX, 2 * L.BOX, L.BOX, stroke=0, fill=1)
            c.setFillGray(0)
            L.draw_boxes(c, x + L.PAD + self.boxes_x, top, 2)
            end = x + L.CONTENT_W - L.PAD
            if self.line_x < L.CONTENT_W - 20 * mm:
                L.draw_write_line(c, x + L.PAD + self.line_x, top - L.ascent(self.size) - 1, end - x - L.PAD - self.line_x)
        L.draw_lines(c, x + L.PAD + self.summary_x, top, self.summary, self.font, self.size)
        L.draw_lines(c, x + L.PAD, top - self.first, self.note, REGULAR, L.SMALL)


class Signatures(Block):
    space_before = 5 * mm

    def __init__(self, sheet: Sheet, officer: str, head: str):
        lang = sheet.lang
        self.col_w = (L.CONTENT_W - 10 * mm) / 2
        self.confirm = L.wrap(t("confirm_prefilled" if sheet.prefilled else "confirm_blank", lang), L.CONTENT_W)
        self.date = t("date_line", lang)
        self.cols = []
        for key, name in (("sign_officer", officer), ("sign_head", head)):
            title = L.wrap(t(key, lang), self.col_w, BOLD)
            how = L.wrap(t("sign_how", lang), self.col_w, REGULAR, L.SMALL)
            self.cols.append((title, how, L.wrap(name, self.col_w, BOLD) if name else ()))
        self.sign_h = 20 * mm
        col_h = max(L.text_height(len(a)) + L.text_height(len(b), L.SMALL) + L.text_height(len(n)) for a, b, n in self.cols)
        self.height = L.text_height(len(self.confirm)) + L.leading() + 2 * mm + col_h + self.sign_h
        self.key = ("signatures", sheet.lang, sheet.prefilled, officer, head)

    def static_key(self) -> tuple[object, ...] | None:
        return None if self.cols[0][2] or self.cols[1][2] else self.key

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        L.draw_lines(c, x, y_top, self.confirm)
        y = y_top - L.text_height(len(self.confirm))
        L.draw_lines(c, x, y, [self.date], REGULAR, L.SIZE, "right", L.CONTENT_W)
        y -= L.leading() + 2 * mm
        for i, (title, how, name) in enumerate(self.cols):
            cx = x + i * (self.col_w + 10 * mm)
            L.draw_lines(c, cx, y, title, BOLD, L.SIZE, "center", self.col_w)
            yy = y - L.text_height(len(title))
            L.draw_lines(c, cx, yy, how, REGULAR, L.SMALL, "center", self.col_w)
            yy -= L.text_height(len(how), L.SMALL) + self.sign_h
            L.draw_write_line(c, cx + 8 * mm, yy + 1 * mm, self.col_w - 16 * mm)
            L.draw_lines(c, cx, yy, name, BOLD, L.SIZE, "center", self.col_w)
