"""The commune summary report: counts of the people aged 15 and over by labour force status,
sex and age group; education and technical qualification; work abroad under contract (people
abroad now by country, departures of the year, people back, people who want to go, by
destination and by the support they need); training wanted; poor and near-poor households
whose members want work or training. With the collection period, the officers and two charts,
in black and white.

Only complete households are counted unless drafts are asked for (then the header says how
many); every table's total equals the header's count of people aged 15 and over, with a
"not recorded" line where an answer is missing, so the page never disagrees with itself.

summarize() reads the store (long work: progress and cancel) and returns plain counts;
write_report() lays them out with reportlab's platypus. Code labels come from the
questionnaire definition; the report's own headings from printing.yaml. Questions that only
version 2 of the questionnaire asks (the labour-export module) read as missing in version 1
records, which count a member abroad through workplace type 11 alone.
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
from forms.printing.fonts import BOLD, REGULAR
from forms.printing.text import t
from forms.progress import Cancelled, TaskState
from forms.store import Store

# The questions the report counts, by their id in the definition (Circular 01/2022 minimum).
STATUS, SEX, AGE, EDUCATION, QUALIFICATION = "labour_status", "sex", "age", "general_education", "qualification"
JOB_WANTED, DESTINATION, TRAINING = "job_wanted", "destination_country", "training_wanted"
ABROAD_CODES = ("2", "3")  # job_wanted: abroad under contract, or both
# The labour-export module (questionnaire version 2) and the v1 way of recording work abroad.
ABROAD_STATUS, WORKPLACE_TYPE, WORKPLACE_COUNTRY = "abroad_status", "workplace_type", "workplace_country"
DEPARTURE_YEAR, GO_AGAIN, NEEDS, LANGUAGE_TEST = "departure_year", "go_again", "abroad_needs", "language_test"
POLICY_LOAN, LOAN_AMOUNT, POVERTY = "policy_loan", "policy_loan_amount", "poverty_class"
ABROAD_NOW, ABROAD_BACK, WORKPLACE_ABROAD, YES = "1", "2", "11", "1"
POOR_CLASSES = ("1", "2")  # poverty_class: poor, near-poor
NOT_RECORDED = ""  # the code under which a missing answer is counted
COUNTED_STATUSES = ("complete", "sent")
DRAFT_STATUSES = ("draft", "returned")
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
    abroad: Counter[tuple[str, str]] = field(default_factory=Counter)  # want to go: (destination, sex)
    training: Counter[tuple[str, str]] = field(default_factory=Counter)
    drafts_left_out: int = 0  # drafts in the chosen area that were not counted
    working_abroad: Counter[tuple[str, str]] = field(default_factory=Counter)  # (country, sex)
    departed_this_year: Counter[tuple[str, str]] = field(default_factory=Counter)  # (country, sex)
    back: Counter[str] = field(default_factory=Counter)  # sex
    back_going_again: Counter[str] = field(default_factory=Counter)  # sex
    needs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (need code, sex), of those who want to go
    language_test: Counter[str] = field(default_factory=Counter)  # registered (code != 0), by sex
    loans: int = 0
    loan_total: int = 0  # million VND
    poor: Counter[tuple[str, str]] = field(default_factory=Counter)  # (class, what): households and people


def summarize(state: TaskState, store: Store, *, commune: str | None = None, village: str | None = None,
              status: str | None = None, drafts: bool = False) -> Summary:
    """Counts over the households in the store (not deleted), optionally of one commune or
    village or status. Without a status, complete (and sent) households only, or drafts too when
    `drafts` is set. Each household is evaluated with its own questionnaire version."""
    wanted = (status,) if status else COUNTED_STATUSES + (DRAFT_STATUSES if drafts else ())
    summaries = []
    out = Summary()
    offset = 0
    while batch := store.list(village=village, status=status, limit=1000, offset=offset):
        if state.cancelled:
            raise Cancelled
        in_area = [h for h in batch if commune is None or h.commune_code == commune]
        summaries.extend(h for h in in_area if h.status in wanted)
        out.drafts_left_out += sum(h.status in DRAFT_STATUSES and h.status not in wanted for h in in_area)
        offset += len(batch)
    total = len(summaries)
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
    out.drafts += h.status in DRAFT_STATUSES
    hh = ev.household
    date = hh.get(HOUSEHOLD_DATE)
    if isinstance(date, str) and date:
        out.first_date = min(out.first_date or date, date)
        out.last_date = max(out.last_date or date, date)
    if hh.get(HOUSEHOLD_OFFICER):
        out.officers[str(hh[HOUSEHOLD_OFFICER])] += 1
    out.communes[(str(hh.get(PROVINCE) or ""), str(hh.get(COMMUNE) or ""))] += 1
    roster = definition.rosters[0].id if definition.rosters else None
    year = str(date)[:4] if isinstance(date, str) else ""
    wanting = {"job": 0, "abroad": 0, "training": 0}
    for i, row in enumerate(ev.rows.get(roster, []) if roster else []):
        out.members += 1
        if not ev.is_relevant(FieldRef(STATUS, roster, i)):
            continue
        out.adults += 1
        sex = _code(row.get(SEX))
        # the labour module applies from 15, so an adult always has an age and an age group
        out.status[(_code(row.get(STATUS)), sex, age_group(row.get(AGE)) or "")] += 1
        for counter, fid in ((out.education, EDUCATION), (out.qualification, QUALIFICATION), (out.training, TRAINING)):
            counter[(_code(row.get(fid)), sex)] += 1
        _count_abroad(out, row, sex, year)
        job = _code(row.get(JOB_WANTED))
        wanting["job"] += job not in (NOT_RECORDED, "0")
        wanting["abroad"] += job in ABROAD_CODES
        wanting["training"] += _code(row.get(TRAINING)) not in (NOT_RECORDED, "0")
    poverty = _code(hh.get(POVERTY))
    if poverty in POOR_CLASSES:
        out.poor[(poverty, "households")] += 1
        out.poor[(poverty, "households_wanting")] += bool(wanting["job"] or wanting["training"])
        for what, n in wanting.items():
            out.poor[(poverty, what)] += n


def _code(value: Any) -> str:
    return str(value) if value not in (None, "") else NOT_RECORDED


def _count_abroad(out: Summary, row: dict[str, Any], sex: str, year: str) -> None:
    """Work abroad under contract: now (version 2's module, or version 1's workplace type 11),
    back home, and wanted (by destination, with the support asked for)."""
    status = _code(row.get(ABROAD_STATUS))
    if status == ABROAD_NOW or (status == NOT_RECORDED and _code(row.get(WORKPLACE_TYPE)) == WORKPLACE_ABROAD):
        country = _code(row.get(WORKPLACE_COUNTRY))
        out.working_abroad[(country, sex)] += 1
        if year and _code(row.get(DEPARTURE_YEAR)) == year:
            out.departed_this_year[(country, sex)] += 1
        if _code(row.get(POLICY_LOAN)) == YES:
            out.loans += 1
            amount = row.get(LOAN_AMOUNT)
            out.loan_total += amount if isinstance(amount, int) else 0
    elif status == ABROAD_BACK:
        out.back[sex] += 1
        out.back_going_again[sex] += _code(row.get(GO_AGAIN)) == YES
    if _code(row.get(JOB_WANTED)) in ABROAD_CODES:
        out.abroad[(_code(row.get(DESTINATION)), sex)] += 1
        for need in row.get(NEEDS) or ():
            out.needs[(str(need), sex)] += 1
        test = _code(row.get(LANGUAGE_TEST))
        if test not in (NOT_RECORDED, "0"):
            out.language_test[sex] += 1


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
           spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (), total_row: bool = True) -> Table:
    st = _styles()
    cells = [[Paragraph(_esc(str(v)), st["head"] if r < header_rows or c == 0 else st["cell"])
              if isinstance(v, str) else v for c, v in enumerate(row)] for r, row in enumerate(rows)]
    table = Table(cells, colWidths=list(widths), repeatRows=header_rows)
    style = [("FONT", (0, 0), (-1, -1), REGULAR, L.SMALL), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("BACKGROUND", (0, 0), (-1, header_rows - 1), GREY), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, header_rows), (-1, -1), "RIGHT")]
    if total_row:
        style.append(("FONT", (0, -1), (-1, -1), BOLD, L.SMALL))
    style.extend(("SPAN", a, b) for a, b in spans)
    table.setStyle(TableStyle(style))
    return table


def _with_missing(codes: list[tuple[str, str]], present: Any, lang: str) -> list[tuple[str, str]]:
    """The codes, then a "not recorded" line when some count has no answer (so totals agree)."""
    return [*codes, (NOT_RECORDED, t("report_not_recorded", lang))] if NOT_RECORDED in set(present) else codes


def _by_sex(rows_codes: list[tuple[str, str]], counts: Counter[tuple[str, str]], sexes: list[tuple[str, str]],
            lang: str) -> list[list[Any]]:
    rows_codes = _with_missing(rows_codes, (code for code, _ in counts), lang)
    rows: list[list[Any]] = [[t("report_category", lang), *(label for _, label in sexes), t("report_total", lang)]]
    for code, label in rows_codes:
        values = [counts[(code, s)] for s, _ in sexes]
        rows.append([f"{code} {label}".strip(), *values, sum(values)])
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
    sexes = _with_missing(_codes(definition, SEX, lang), (key[1] for key in summary.status), lang)
    statuses = _with_missing(_codes(definition, STATUS, lang), (key[0] for key in summary.status), lang)
    communes = ", ".join(_commune_name(definition, p, c, lang) for (p, c), _ in summary.communes.most_common())
    officers = officer or ", ".join(name for name, _ in summary.officers.most_common())
    flow: list[Any] = [
        Paragraph(_esc(t("report_title", lang)), st["title"]),
        Paragraph(_esc(t("report_commune", lang, commune=communes or "—")), st["base"]),
        Paragraph(_esc(t("report_period", lang, first=_date(summary.first_date), last=_date(summary.last_date))),
                  st["base"]),
        Paragraph(_esc(t("report_officer", lang, officer=officers or "—")), st["base"]),
        Paragraph(_esc(_counts_line(summary, lang)), st["base"]),
        Paragraph(_esc(t("report_made", lang, date=(printed or dt.date.today()).strftime("%d/%m/%Y"),
                         form=definition.title.text(lang), version=definition.version)), st["note"]),
    ]
    flow += _status_section(summary, statuses, sexes, lang, st)
    for key, fid, counter in (("report_education", EDUCATION, summary.education),
                              ("report_qualification", QUALIFICATION, summary.qualification)):
        rows = _by_sex(_codes(definition, fid, lang), counter, sexes, lang)
        flow.append(KeepTogether([Paragraph(_esc(t(key, lang)), st["h2"]),
                                  _table(rows, [96 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1))]))
    flow += _working_abroad_section(summary, definition, sexes, lang, st)
    flow += _abroad_section(summary, definition, sexes, lang, st)
    rows = _by_sex(_codes(definition, TRAINING, lang), summary.training, sexes, lang)
    flow.append(KeepTogether([Paragraph(_esc(t("report_training", lang)), st["h2"]),
                              _table(rows, [96 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1))]))
    flow += _poor_section(summary, definition, lang, st)
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


def _countries(definition: Definition, fid: str, counts: Counter[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """The countries counted, most frequent first, labelled from the question's list."""
    f = definition.by_id.get(fid)
    choices = definition.choices(f) if f is not None and f.list_name else None
    totals: Counter[str] = Counter()
    for (country, _), n in counts.items():
        totals[country] += n
    return [(code, choices.label(code, lang) if choices and code else code)
            for code, _ in totals.most_common() if code != NOT_RECORDED]


def _sex_table(rows: list[list[Any]], sexes: list[tuple[str, str]], extra: int = 0, total_row: bool = True) -> Table:
    return _table(rows, [96 * mm - extra * 24 * mm] + [(L.CONTENT_W - 96 * mm) / (len(sexes) + 1)] * (len(sexes) + 1)
                  + [24 * mm] * extra, total_row=total_row)


def _working_abroad_section(summary: Summary, definition: Definition, sexes: list[tuple[str, str]], lang: str,
                            st: dict[str, ParagraphStyle]) -> list[Any]:
    """People abroad under contract now, by country and sex, with the year's departures; people back."""
    out: list[Any] = [Paragraph(_esc(t("report_working_abroad", lang)), st["h2"])]
    countries = _countries(definition, WORKPLACE_COUNTRY, summary.working_abroad, lang)
    if summary.working_abroad:
        rows = _by_sex(countries, summary.working_abroad, sexes, lang)
        rows[0][0] = t("report_country_of_work", lang)
        rows[0].append(t("report_departed_this_year", lang))
        for row, (code, _) in zip(rows[1:-1], _with_missing(countries, (c for c, _ in summary.working_abroad), lang)):
            row.append(sum(n for (c, _), n in summary.departed_this_year.items() if c == code))
        rows[-1].append(sum(summary.departed_this_year.values()))
        out.append(_sex_table(rows, sexes, extra=1))
    else:
        out.append(Paragraph(_esc(t("report_nobody", lang)), st["base"]))
    back, again = sum(summary.back.values()), sum(summary.back_going_again.values())
    by_sex = ", ".join(f"{label} {summary.back[code]}" for code, label in sexes if summary.back[code])
    out.append(Paragraph(_esc(t("report_back", lang, back=back, by_sex=by_sex or "—", again=again)), st["base"]))
    out.append(Paragraph(_esc(t("report_loans", lang, loans=summary.loans, total=f"{summary.loan_total:,}".replace(",", "."))),
                         st["base"]))
    return [KeepTogether(out)]


def _abroad_section(summary: Summary, definition: Definition, sexes: list[tuple[str, str]], lang: str,
                    st: dict[str, ParagraphStyle]) -> list[Any]:
    """People who want to work abroad under contract, by destination, with the support they need."""
    countries = _countries(definition, DESTINATION, summary.abroad, lang)
    rows = _by_sex(countries, summary.abroad, sexes, lang)
    rows[0][0] = t("report_country", lang)
    out: list[Any] = [Paragraph(_esc(t("report_abroad", lang)), st["h2"])]
    if not summary.abroad:
        out.append(Paragraph(_esc(t("report_nobody", lang)), st["base"]))
        return [KeepTogether(out)]
    out.append(_sex_table(rows, sexes))
    if summary.needs:
        needs = _by_sex(_codes(definition, NEEDS, lang), summary.needs, sexes, lang)
        needs[0][0] = t("report_needs", lang)
        out += [Spacer(1, 2 * mm), _sex_table(needs[:-1], sexes, total_row=False)]  # several needs each: no total
    registered = sum(summary.language_test.values())
    out.append(Paragraph(_esc(t("report_language_test", lang, registered=registered)), st["base"]))
    totals = Counter({code: sum(n for (c, _), n in summary.abroad.items() if c == code) for code, _ in countries})
    if countries:
        out.append(Spacer(1, 2 * mm))
        out.append(_country_chart([(f"{code} {label}", totals[code]) for code, label in countries[:12]]))
    return [KeepTogether(out)]


def _poor_section(summary: Summary, definition: Definition, lang: str, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Poor and near-poor households whose members want work or training: who the Employment
    Service Centre and the Bank for Social Policies look at first."""
    classes = [(code, label) for code, label in _codes(definition, POVERTY, lang) if code in POOR_CLASSES]
    columns = ("households", "households_wanting", "job", "abroad", "training")
    rows: list[list[Any]] = [[t("report_household_class", lang), *(t(f"report_poor_{c}", lang) for c in columns)]]
    for code, label in classes:
        rows.append([f"{code} {label}", *(summary.poor[(code, c)] for c in columns)])
    rows.append([t("report_total", lang), *(sum(summary.poor[(code, c)] for code, _ in classes) for c in columns)])
    first = 44 * mm
    return [KeepTogether([Paragraph(_esc(t("report_poor", lang)), st["h2"]),
                          _table(rows, [first] + [(L.CONTENT_W - first) / len(columns)] * len(columns))])]


def _counts_line(summary: Summary, lang: str) -> str:
    if summary.drafts:
        return t("report_counts_with_drafts", lang, households=summary.households, drafts=summary.drafts,
                 members=summary.members, adults=summary.adults)
    return t("report_counts", lang, households=summary.households, left_out=summary.drafts_left_out,
             members=summary.members, adults=summary.adults)


def _commune_name(definition: Definition, province: str, commune: str, lang: str) -> str:
    parts = []
    for fid, code in ((COMMUNE, commune), (PROVINCE, province)):
        f = definition.by_id.get(fid)
        label = definition.choices(f).label(code, lang) if f is not None and f.list_name and code else ""
        if code:
            parts.append(f"{label} ({code})" if label else code)
    return ", ".join(parts)


def write_report(state: TaskState, store: Store, target: str | Path, *, commune: str | None = None,
                 village: str | None = None, status: str | None = None, officer: str | None = None,
                 lang: str | None = None, drafts: bool = False) -> Summary:
    """Count, then write the report as a PDF (FILE.part renamed when done)."""
    lang = lang or current_language()
    summary = summarize(state, store, commune=commune, village=village, status=status, drafts=drafts)
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
