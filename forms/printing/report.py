"""The commune summary report: counts of the people aged 15 and over by labour force status,
sex and age group; education and technical qualification; people who want to work abroad by
destination country; training wanted; with the collection period and the officers, two
charts, in black and white.

summarize() reads the store (long work: progress and cancel) and returns plain counts;
write_report() lays them out with reportlab's platypus. Code labels come from the
questionnaire definition; the report's own headings from printing.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from forms.definition import Definition
from forms.engine import FieldRef
from forms.i18n import current_language
from forms.printing import fonts, household_form
from forms.printing import layout as L
from forms.printing.batch import Cancelled, ProgressState
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.text import t
from forms.store import Store

# The questions the report counts, by their id in the definition (Circular 01/2022 minimum).
STATUS, SEX, AGE, EDUCATION, QUALIFICATION = "labour_status", "sex", "age", "general_education", "qualification"
JOB_WANTED, DESTINATION, TRAINING = "job_wanted", "destination_country", "training_wanted"
ABROAD_CODES = ("2", "3")  # job_wanted: abroad under contract, or both
AGE_GROUPS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))
HOUSEHOLD_DATE, HOUSEHOLD_OFFICER, COMMUNE, PROVINCE = "interview_date", "officer", "commune_code", "province_code"
GREY = colors.Color(L.HEADER_GREY, L.HEADER_GREY, L.HEADER_GREY)


def age_group(age: Any) -> str | None:
    if not isinstance(age, int):
        return None
    for low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return f"{low}–{high}" if high is not None else f"{low}+"
    return None


@dataclass(eq=False)
class Summary:
    households: int = 0
    drafts: int = 0
    members: int = 0
    adults: int = 0  # members whose labour module applies (15 and over)
    first_date: str | None = None
    last_date: str | None = None
    officers: Counter[str] = field(default_factory=Counter)
    communes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (province, commune) codes
    status: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (status, sex, age group)
    education: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, sex)
    qualification: Counter[tuple[str, str]] = field(default_factory=Counter)
    abroad: Counter[tuple[str, str]] = field(default_factory=Counter)  # (country, sex)
    training: Counter[tuple[str, str]] = field(default_factory=Counter)


def summarize(state: ProgressState, store: Store, *, commune: str | None = None, village: str | None = None,
              status: str | None = None) -> Summary:
    """Counts over the households in the store (not deleted), optionally of one commune or
    village or status. Each household is evaluated with its own questionnaire version."""
    summaries = []
    offset = 0
    while batch := store.list(village=village, status=status, limit=1000, offset=offset):
        summaries.extend(h for h in batch if commune is None or h.commune_code == commune)
        offset += len(batch)
    total = len(summaries)
    out = Summary()
    state.progress(0, total, t("progress_report", done=0, total=total))
    for done, h in enumerate(summaries, 1):
        if state.cancelled:
            raise Cancelled
        _count(out, store, store.get(h.uuid))
        if done % 50 == 0 or done == total:
            state.progress(done, total, t("progress_report", done=done, total=total))
    return out


def _count(out: Summary, store: Store, h: Any) -> None:
    definition = store.definition_of(h)
    record = h.record or {"uuid": h.uuid}
    ev = store.forms.engine(definition).evaluate(record)
    out.households += 1
    out.drafts += h.status == "draft"
    hh = ev.household
    date = hh.get(HOUSEHOLD_DATE)
    if isinstance(date, str) and date:
        out.first_date = min(out.first_date or date, date)
        out.last_date = max(out.last_date or date, date)
    if hh.get(HOUSEHOLD_OFFICER):
        out.officers[str(hh[HOUSEHOLD_OFFICER])] += 1
    out.communes[(str(hh.get(PROVINCE) or ""), str(hh.get(COMMUNE) or ""))] += 1
    roster = definition.rosters[0].id if definition.rosters else None
    for i, row in enumerate(ev.rows.get(roster, []) if roster else []):
        out.members += 1
        if not ev.is_relevant(FieldRef(STATUS, roster, i)):
            continue
        out.adults += 1
        sex = str(row.get(SEX) or "")
        group = age_group(row.get(AGE))
        if row.get(STATUS) and group:
            out.status[(str(row[STATUS]), sex, group)] += 1
        for counter, fid in ((out.education, EDUCATION), (out.qualification, QUALIFICATION), (out.training, TRAINING)):
            if row.get(fid):
                counter[(str(row[fid]), sex)] += 1
        if str(row.get(JOB_WANTED) or "") in ABROAD_CODES and row.get(DESTINATION):
            out.abroad[(str(row[DESTINATION]), sex)] += 1


# -- the PDF --------------------------------------------------------------------------------
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=L.SIZE, leading=L.leading())
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=14, leading=18, spaceAfter=2 * mm),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=4 * mm, spaceAfter=1.5 * mm),
        "cell": ParagraphStyle("cell", base, fontSize=L.SMALL, leading=L.leading(L.SMALL)),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=L.SMALL, leading=L.leading(L.SMALL)),
        "note": ParagraphStyle("note", base, fontSize=L.SMALL, leading=L.leading(L.SMALL)),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows: list[list[Any]], widths: Sequence[float], header_rows: int = 1,
           spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> Table:
    st = _styles()
    cells = [[Paragraph(_esc(str(v)), st["head"] if r < header_rows or c == 0 else st["cell"])
              if isinstance(v, str) else v for c, v in enumerate(row)] for r, row in enumerate(rows)]
    table = Table(cells, colWidths=list(widths), repeatRows=header_rows)
    style = [("FONT", (0, 0), (-1, -1), REGULAR, L.SMALL), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("BACKGROUND", (0, 0), (-1, header_rows - 1), GREY), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, header_rows), (-1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), BOLD, L.SMALL)]
    style.extend(("SPAN", a, b) for a, b in spans)
    table.setStyle(TableStyle(style))
    return table


def _by_sex(rows_codes: list[tuple[str, str]], counts: Counter[tuple[str, str]], sexes: list[tuple[str, str]],
            lang: str) -> list[list[Any]]:
    rows: list[list[Any]] = [[t("report_category", lang), *(label for _, label in sexes), t("report_total", lang)]]
    for code, label in rows_codes:
        values = [counts[(code, s)] for s, _ in sexes]
        rows.append([f"{code} {label}", *values, sum(values)])
    totals = [sum(counts[(code, s)] for code, _ in rows_codes) for s, _ in sexes]
    rows.append([t("report_total", lang), *totals, sum(totals)])
    return rows


def _codes(definition: Definition, fid: str, lang: str) -> list[tuple[str, str]]:
    f = definition.by_id.get(fid)
    if f is None or not f.list_name:
        return []
    return [(c.code, c.label.text(lang)) for c in definition.choices(f).items]


def _bar_chart(categories: list[str], series: list[list[int]], names: list[str], lang: str) -> Drawing:
    """Grouped bars in black and white: the first series black, the second white outlined."""
    d = Drawing(L.CONTENT_W, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 12 * mm, L.CONTENT_W - 60 * mm, 46 * mm
    chart.data = series
    slot = chart.width / max(len(categories), 1) - 2 * mm
    chart.categoryAxis.categoryNames = ["\n".join(L.wrap(name, slot, REGULAR, L.SMALL)) for name in categories]
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = L.SMALL
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = L.SMALL
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = 1
    top = max((v for s in series for v in s), default=0)
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.valueMax = max(chart.valueAxis.valueStep * 5, 1)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = L.SMALL
    chart.barLabels.nudge = 6
    fills = [colors.black, colors.white, colors.Color(0.6, 0.6, 0.6)]
    for i in range(len(series)):
        chart.bars[i].fillColor = fills[i % len(fills)]
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = 0.7
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = L.CONTENT_W - 40 * mm, 50 * mm
    legend.fontName, legend.fontSize = REGULAR, L.SMALL
    legend.strokeColor = colors.black
    legend.colorNamePairs = [(fills[i % len(fills)], names[i]) for i in range(len(series))]
    d.add(legend)
    return d


def _country_chart(rows: list[tuple[str, int]]) -> Drawing:
    height = max(30 * mm, len(rows) * 6 * mm + 14 * mm)
    d = Drawing(L.CONTENT_W, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 48 * mm, 8 * mm, L.CONTENT_W - 70 * mm, height - 12 * mm
    chart.data = [[n for _, n in reversed(rows)]]
    chart.categoryAxis.categoryNames = [name for name, _ in reversed(rows)]
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = REGULAR, L.SMALL
    chart.valueAxis.valueMin = 0
    top = max((n for _, n in rows), default=0)
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.valueMax = max(chart.valueAxis.valueStep * 5, 1)
    chart.bars[0].fillColor = colors.black
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = REGULAR, L.SMALL
    chart.barLabels.nudge = 8
    d.add(chart)
    return d


def _date(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def story(summary: Summary, definition: Definition, *, lang: str, officer: str | None = None,
          printed: dt.date | None = None) -> list[Any]:
    st = _styles()
    sexes = _codes(definition, SEX, lang)
    statuses = _codes(definition, STATUS, lang)
    communes = ", ".join(_commune_name(definition, p, c, lang) for (p, c), _ in summary.communes.most_common())
    officers = officer or ", ".join(name for name, _ in summary.officers.most_common())
    flow: list[Any] = [
        Paragraph(_esc(t("report_title", lang)), st["title"]),
        Paragraph(_esc(t("report_commune", lang, commune=communes or "—")), st["base"]),
        Paragraph(_esc(t("report_period", lang, first=_date(summary.first_date), last=_date(summary.last_date))),
                  st["base"]),
        Paragraph(_esc(t("report_officer", lang, officer=officers or "—")), st["base"]),
        Paragraph(_esc(t("report_counts", lang, households=summary.households, drafts=summary.drafts,
                         members=summary.members, adults=summary.adults)), st["base"]),
        Paragraph(_esc(t("report_made", lang, date=(printed or dt.date.today()).strftime("%d/%m/%Y"),
                         form=definition.title.text(lang), version=definition.version)), st["note"]),
    ]
    flow += _status_section(summary, statuses, sexes, lang, st)
    for key, fid, counter in (("report_education", EDUCATION, summary.education),
                              ("report_qualification", QUALIFICATION, summary.qualification)):
        rows = _by_sex(_codes(definition, fid, lang), counter, sexes, lang)
        flow.append(KeepTogether([Paragraph(_esc(t(key, lang)), st["h2"]),
                                  _table(rows, [96 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1))]))
    flow += _abroad_section(summary, definition, sexes, lang, st)
    rows = _by_sex(_codes(definition, TRAINING, lang), summary.training, sexes, lang)
    flow.append(KeepTogether([Paragraph(_esc(t("report_training", lang)), st["h2"]),
                              _table(rows, [96 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1))]))
    flow.append(Spacer(1, 8 * mm))
    flow.append(KeepTogether([Paragraph(_esc(t("report_signed", lang)), st["base"]), Spacer(1, 16 * mm),
                              Paragraph(_esc(officer or ""), st["base"])]))
    return flow


def _status_section(summary: Summary, statuses: list[tuple[str, str]], sexes: list[tuple[str, str]], lang: str,
                    st: dict[str, ParagraphStyle]) -> list[Any]:
    groups = [age_group(low) or "" for low, _ in AGE_GROUPS]
    head1: list[Any] = [t("report_age_group", lang)]
    head2: list[Any] = [""]
    spans = [((0, 0), (0, 1))]
    for i, (_, label) in enumerate(statuses):
        head1 += [label] + [""] * (len(sexes) - 1)
        head2 += [s for _, s in sexes]
        col = 1 + i * len(sexes)
        spans.append(((col, 0), (col + len(sexes) - 1, 0)))
    head1.append(t("report_total", lang))
    head2.append("")
    spans.append(((len(head1) - 1, 0), (len(head1) - 1, 1)))
    rows: list[list[Any]] = [head1, head2]
    for group in groups:
        values = [summary.status[(code, s, group)] for code, _ in statuses for s, _ in sexes]
        rows.append([group, *values, sum(values)])
    totals = [sum(summary.status[(code, s, g)] for g in groups) for code, _ in statuses for s, _ in sexes]
    rows.append([t("report_total", lang), *totals, sum(totals)])
    first = 24 * mm
    other = (L.CONTENT_W - first) / (len(head1) - 1)
    chart = _bar_chart([label for _, label in statuses],
                       [[sum(summary.status[(code, s, g)] for g in groups) for code, _ in statuses] for s, _ in sexes],
                       [label for _, label in sexes], lang)
    return [KeepTogether([Paragraph(_esc(t("report_status", lang)), st["h2"]),
                          _table(rows, [first] + [other] * (len(head1) - 1), header_rows=2, spans=spans)]),
            KeepTogether([Paragraph(_esc(t("report_status_chart", lang)), st["h2"]), chart])]


def _abroad_section(summary: Summary, definition: Definition, sexes: list[tuple[str, str]], lang: str,
                    st: dict[str, ParagraphStyle]) -> list[Any]:
    f = definition.by_id.get(DESTINATION)
    choices = definition.choices(f) if f is not None and f.list_name else None
    totals = Counter()
    for (country, _), n in summary.abroad.items():
        totals[country] += n
    countries = [(code, choices.label(code, lang) if choices else code) for code, _ in totals.most_common()]
    rows = _by_sex(countries, summary.abroad, sexes, lang)
    rows[0][0] = t("report_country", lang)
    out: list[Any] = [Paragraph(_esc(t("report_abroad", lang)), st["h2"])]
    if not countries:
        out.append(Paragraph(_esc(t("report_nobody", lang)), st["base"]))
        return [KeepTogether(out)]
    out.append(_table(rows, [96 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1)))
    out.append(Spacer(1, 2 * mm))
    out.append(_country_chart([(f"{code} {label}", totals[code]) for code, label in countries[:12]]))
    return [KeepTogether(out)]


def _commune_name(definition: Definition, province: str, commune: str, lang: str) -> str:
    parts = []
    for fid, code in ((COMMUNE, commune), (PROVINCE, province)):
        f = definition.by_id.get(fid)
        label = definition.choices(f).label(code, lang) if f is not None and f.list_name and code else ""
        if code:
            parts.append(f"{label} ({code})" if label else code)
    return ", ".join(parts)


def write_report(state: ProgressState, store: Store, target: str | Path, *, commune: str | None = None,
                 village: str | None = None, status: str | None = None, officer: str | None = None,
                 lang: str | None = None) -> Summary:
    """Count, then write the report as a PDF (FILE.part renamed when done)."""
    lang = lang or current_language()
    summary = summarize(state, store, commune=commune, village=village, status=status)
    definition = store.forms.current()
    fonts.register()
    target = Path(target)
    partial = target.with_name(target.name + ".part")
    footer = t("report_footer", lang, date=dt.date.today().strftime("%d/%m/%Y"))

    def on_page(c: Any, doc: Any) -> None:
        c.setFont(REGULAR, L.SMALL)
        c.drawString(L.MARGIN, L.MARGIN + 2 * mm, footer)
        c.drawRightString(L.MARGIN + L.CONTENT_W, L.MARGIN + 2 * mm, str(doc.page))

    try:
        with household_form.pdf_settings():
            doc = SimpleDocTemplate(str(partial), pagesize=(L.PAGE_W, L.PAGE_H), leftMargin=L.MARGIN,
                                    rightMargin=L.MARGIN, topMargin=L.MARGIN, bottomMargin=L.MARGIN + 8 * mm,
                                    title=t("report_title", lang), author="labour-survey")
            doc.build(story(summary, definition, lang=lang, officer=officer), onFirstPage=on_page, onLaterPages=on_page)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return summary
