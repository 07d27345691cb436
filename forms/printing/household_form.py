"""One household form, blank or pre-filled, A4 portrait, generated from the definition:

    title, household code (and QR code when pre-filled), form version
    the household section, question by question
    the member roster as a table (two bands when the columns do not fit across)
    the labour module per member: every coded question with its options and code boxes
    answers to check (warnings and errors of the engine), signatures of officer and head

Blank: `record` None; `preset` may print some household answers (an assignment list's
household code and village). Pre-filled: the stored answers, non-applicable sections in one
line, each answer with a finding marked ⚠ (warning) or ✗ (error) and listed at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms.definition import Definition, Field
from forms.engine import Engine, Evaluation, FieldRef, Finding
from forms.i18n import current_language
from forms.printing import BLANK_MEMBERS, fonts, qr
from forms.printing import layout as L
from forms.printing import pages as P
from forms.printing.blocks import Heading, Lines, MemberTitle, Signatures, Title
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.questions import QuestionRow, Sheet, as_text, ask_if, condition_text, number_questions
from forms.printing.roster_table import HeaderRow, Legend, MemberRow, bands, columns
from forms.printing.text import t
from forms.values import is_empty

MAX_WASTE = 0.3  # a member's module starts on a new page rather than split, unless that leaves more empty
_engines: dict[int, tuple[Definition, Engine]] = {}


@dataclass(eq=False)
class Form:
    """A form laid out on pages, ready to draw on a canvas (alone or in a batch)."""

    pages: list[P.Page]
    code: str
    footer: str
    title: str = ""

    def draw(self, c: Canvas, alone: bool = False) -> None:
        """Draw on `c`; `alone` when the PDF holds this form only."""
        fonts.register()
        P.draw_pages(c, self.pages, self._decorate, alone)

    def _decorate(self, c: Canvas, number: int, total: int) -> None:
        y = L.MARGIN + 2.2 * mm
        c.setLineWidth(L.THIN)
        c.line(L.MARGIN, L.MARGIN + L.FOOTER_H - 1.5 * mm, L.MARGIN + L.CONTENT_W, L.MARGIN + L.FOOTER_H - 1.5 * mm)
        c.setFont(REGULAR, L.SMALL)
        c.drawString(L.MARGIN, y, self.footer)
        c.setFont(BOLD, L.SMALL)
        c.drawRightString(L.MARGIN + L.CONTENT_W, y, f"{self.code}   {number}/{total}")


# -- the form -------------------------------------------------------------------------------
def _engine(definition: Definition) -> Engine:
    entry = _engines.get(id(definition))
    if entry is None or entry[0] is not definition:
        if len(_engines) > 16:
            _engines.clear()
        entry = _engines[id(definition)] = (definition, Engine(definition))
    return entry[1]


def _positions(definition: Definition) -> dict[str, int]:
    order: dict[str, int] = {}

    def walk(fields: list[Field]) -> None:
        for f in fields:
            order[f.id] = len(order)
            walk(f.children)

    walk(definition.fields)
    return order


def _markers(definition: Definition, findings: list[Finding]) -> list[tuple[str, Finding]]:
    """Findings in the order of the paper (household, roster table, each member's module),
    each with its marker: ⚠1 for a warning, ✗2 for an error."""
    pos = _positions(definition)

    def key(f: Finding) -> tuple[Any, ...]:
        ref = f.ref
        target = definition.by_id.get(ref.field)
        in_table = target is not None and target.parent == ref.roster
        return (ref.roster is not None, 0 if ref.row is None else 1, 0 if in_table else 1,
                ref.row or 0, pos.get(ref.field, 0))

    ordered = sorted(findings, key=key)
    return [(("⚠" if f.severity == "warning" else "✗") + str(i), f) for i, f in enumerate(ordered, 1)]


def _where(sheet: Sheet, ref: FieldRef) -> str:
    d = sheet.definition
    f = d.by_id.get(ref.field)
    label = sheet.numbered(f) if f is not None else ref.field
    if ref.roster is None or ref.row is None:
        return label
    return f"{t('member_title', sheet.lang, n=ref.row + 1)} · {label}"


def _member_summary(sheet: Sheet, roster: Field, row: dict[str, Any], ev_row: dict[str, Any]) -> str:
    parts = []
    for f in roster.children:
        if f.type == "text" and not parts and row.get(f.id):
            parts.append(str(row[f.id]))
        elif f.type == "calculate" and f.label and ev_row.get(f.id) is not None:
            parts.append(f"{sheet.label(f)} {ev_row[f.id]}")
    return " · ".join(parts)


def _has_answers(group: Field, row: dict[str, Any]) -> bool:
    return any((f.is_answer and not is_empty(row.get(f.id))) or _has_answers(f, row) for f in group.children)


def _module(sheet: Sheet, fields: list[Field], roster: str | None, index: int, row: dict[str, Any] | None,
            ev: Evaluation | None) -> Iterator[P.Block]:
    """Question rows of the fields (and the groups inside them) for one member or the household."""
    for f in fields:
        ref = FieldRef(f.id, roster, index if roster else None)
        relevant = ev.is_relevant(ref) if ev else True
        if f.type == "group":
            if sheet.prefilled and not relevant and not _has_answers(f, row or {}):
                yield Heading(sheet.label(f), t("not_asked", sheet.lang, condition=condition_text(sheet, f.relevant or "")), 2)
                continue
            yield Heading(sheet.label(f), ask_if(sheet, f) if not sheet.prefilled else "", 2)
            yield from _module(sheet, f.children, roster, index, row, ev)
        elif f.is_answer:
            yield QuestionRow(sheet, f, ref, (row or {}).get(f.id), relevant)


def _household_items(sheet: Sheet, group: Field, answers: dict[str, Any], ev: Evaluation | None) -> list[P.Item]:
    rows = list(_module(sheet, group.children, None, 0, answers, ev))
    items: list[P.Item] = [P.Group([Heading(sheet.label(group)), *rows[:1]], keep_together=True)]
    items.extend(rows[1:])
    return items


def _roster_items(sheet: Sheet, roster: Field, rows: list[dict[str, Any]] | None, ev: Evaluation | None,
                  blank_rows: int) -> list[P.Item]:
    lang = sheet.lang
    cols = columns(sheet, roster)
    items: list[P.Item] = []
    n = len(rows) if rows is not None else blank_rows
    key = (id(sheet.definition), lang, sheet.prefilled, roster.id)
    for b, band in enumerate(bands(cols)):
        header = HeaderRow(band, (*key, b))
        title = sheet.label(roster) + (f" ({t('continued', lang)})" if b else "")
        members = [MemberRow(sheet, band, i + 1, rows[i] if rows is not None else None, ev, roster.id, i, (*key, b))
                   for i in range(n)]
        items.append(P.Group([Heading(title), header, *members], keep_together=False, repeat=header, lead=3))
    notes = [Legend(sheet, cols, key)]
    if rows is None:
        notes.append(Lines([("", t("more_members", lang, n=blank_rows))], L.SMALL))
    for marker in (sheet.markers.get(FieldRef(roster.id)),):
        if marker:
            notes.append(Lines([(marker, t("see_findings", lang))], L.SIZE))
    items.append(P.Group(notes, keep_together=True))
    groups = [f for f in roster.children if f.type == "group"]
    for g in groups:
        skipped = []
        for i in range(n):
            row = rows[i] if rows is not None else None
            ref = FieldRef(g.id, roster.id, i)
            if row is not None and ev is not None and not ev.is_relevant(ref) and not _has_answers(g, row):
                skipped.append(i)
                continue
            if row is not None and ev is not None:
                summary = _member_summary(sheet, roster, row, ev.rows[roster.id][i])
            else:
                name = next((f for f in roster.children if f.type == "text"), None)
                summary = f"{sheet.label(name)}:" if name else ""
            number = i + 1 if row is not None else None
            title = MemberTitle(sheet, g, number, summary)
            again = MemberTitle(sheet, g, number, summary, continued=True)
            items.append(P.Group([title, *_module(sheet, g.children, roster.id, i, row, ev)], keep_together=True,
                                 repeat=again, lead=3, max_waste=MAX_WASTE))
        if skipped and rows is not None and ev is not None:
            lines = [(t("member_title", lang, n=i + 1) + ":", t("module_not_asked", lang, module=sheet.label(g),
                      who=_member_summary(sheet, roster, rows[i], ev.rows[roster.id][i]),
                      condition=condition_text(sheet, g.relevant or ""))) for i in skipped]
            items.append(Lines(lines, L.SIZE, 3 * mm))
    return items


def _findings_block(sheet: Sheet, marked: list[tuple[str, Finding]]) -> P.Item | None:
    if not marked:
        return None
    lines = [(marker, f"{_where(sheet, f.ref)}: {f.text(sheet.lang)}") for marker, f in marked]
    return P.Group([Heading(t("findings_title", sheet.lang)), Lines(lines, L.SIZE)], keep_together=True)


def build(definition: Definition, record: dict[str, Any] | None = None, evaluation: Evaluation | None = None, *,
          revision: int | None = None, status: str | None = None, lang: str | None = None,
          members: int = BLANK_MEMBERS, preset: dict[str, Any] | None = None, printed: dt.date | None = None) -> Form:
    """Lay out one household form: pre-filled from `record` (with its `evaluation`, computed
    when not given), or blank with `members` member rows and modules."""
    fonts.register()
    lang = lang or current_language()
    prefilled = record is not None
    if prefilled and evaluation is None:
        evaluation = _engine(definition).evaluate(record)
    ev = evaluation if prefilled else None
    marked = _markers(definition, ev.findings) if ev else []
    markers: dict[FieldRef, str] = {}
    for marker, f in marked:
        markers[f.ref] = f"{markers[f.ref]} {marker}" if f.ref in markers else marker
    sheet = Sheet(definition, lang, number_questions(definition), prefilled, markers)
    answers = dict((record or {}).get("household") or preset or {})
    code_field = definition.summary.get("household_code", "household_code")
    code = as_text(answers.get(code_field))
    printed = printed or dt.date.today()
    lines = [definition.legal_basis] if definition.legal_basis else []
    # No internal names or revision numbers on paper: the QR code carries the revision.
    lines.append(t("form_version", lang, version=definition.version))
    if prefilled:
        lines.append(t("prefilled_note", lang, status=t(f"status_{status or 'draft'}", lang), date=printed.strftime("%d/%m/%Y")))
    else:
        lines.append(t("blank_note", lang))
    qr_text = qr.payload(definition, record, revision) if prefilled else None
    items: list[P.Item] = [Title(sheet, code, lines, qr_text)]
    officer, head = "", ""
    for top in definition.fields:
        if top.type == "group":
            items.extend(_household_items(sheet, top, answers, ev))
        elif top.type == "roster":
            rows = list((record or {}).get(top.id) or []) if prefilled else None
            items.extend(_roster_items(sheet, top, rows, ev, members))
        elif top.is_answer:
            items.append(QuestionRow(sheet, top, FieldRef(top.id), answers.get(top.id)))
    if prefilled and ev is not None:
        officer = as_text(answers.get("officer"))
        head = as_text(ev.household.get(definition.summary.get("head_name", "head_name")))
    block = _findings_block(sheet, marked)
    if block is not None:
        items.append(block)
    items.append(Signatures(sheet, officer, head))
    footer = t("footer", lang, title=definition.title.text(lang), version=definition.version, date=printed.strftime("%d/%m/%Y"))
    return Form(P.paginate(items), code or "—", footer, definition.title.text(lang))


# -- PDF files ------------------------------------------------------------------------------
@contextlib.contextmanager
def pdf_settings() -> Iterator[None]:
    """Compressed streams without reportlab's ASCII85 wrapping (a quarter smaller and faster to
    write), and DejaVu as a canvas's initial font, so that no PDF names a font it does not
    embed (Helvetica). Process-wide reportlab settings, restored on leaving."""
    fonts.register()
    names = ("useA85", "canvas_basefontname", "defaultGraphicsFontName")
    before = [getattr(rl_config, n) for n in names]
    for name, value in zip(names, (0, REGULAR, REGULAR)):
        setattr(rl_config, name, value)
    try:
        yield
    finally:
        for name, value in zip(names, before):
            setattr(rl_config, name, value)


def new_canvas(target: str | Path | IO[bytes], title: str = "") -> Canvas:
    fonts.register()
    c = Canvas(target if not isinstance(target, Path) else str(target), pagesize=(L.PAGE_W, L.PAGE_H),
               pageCompression=1)
    c.setAuthor("labour-survey")
    c.setCreator("labour-survey")
    if title:
        c.setTitle(title)
    return c


def render(definition: Definition, record: dict[str, Any] | None = None, evaluation: Evaluation | None = None,
           **options: Any) -> bytes:
    """One household form as a PDF file's bytes."""
    form = build(definition, record, evaluation, **options)
    buf = io.BytesIO()
    with pdf_settings():
        c = new_canvas(buf, form.title)
        form.draw(c, alone=True)
        c.save()
    return buf.getvalue()
