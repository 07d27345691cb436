"""Benchmarks of printed forms. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_printing.py [--households 500] [--repeat 40]

- reportlab itself: platypus table pages with the TTF font, in the same run (the reference)
- one form per PDF file: blank, and pre-filled (the 5-member household of tests/factories)
- a village of N households (default 500) from a store into one PDF, pre-filled
  (target >= 100 forms/s), and N blank forms for an assignment list into one PDF
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

from forms.engine import Engine
from forms.printing import batch, fonts, household_form
from forms.printing.fonts import REGULAR
from forms.progress import TaskState
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories as fx

VILLAGE = "Thôn Yên Trường"


def row(name: str, value: float, unit: str, extra: str = "") -> None:
    print(f"{name:<58} {value:>9.1f} {unit:<10} {extra}")


def reportlab_tables(pages: int) -> float:
    """reportlab's own speed: one 45-row, 5-column table of Vietnamese text per page."""
    fonts.register()
    cells = [[f"Nguyễn Thị Hoà {r}", "Tổ dân phố Đông Sơn", "0912345678", f"{r * 7 % 100}", "Có việc làm"] for r in range(45)]
    style = TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 9), ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))])
    story = []
    for _ in range(pages):
        story += [Table(cells, colWidths=[50 * mm, 50 * mm, 30 * mm, 15 * mm, 35 * mm], style=style), PageBreak()]
    start = time.perf_counter()
    with household_form.pdf_settings():
        SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)
    return pages / (time.perf_counter() - start)


def single_forms(definition, record, repeat: int) -> tuple[float, int]:
    evaluation = Engine(definition).evaluate(record) if record else None
    household_form.render(definition, record, evaluation)  # warm the caches
    start = time.perf_counter()
    for _ in range(repeat):
        data = household_form.render(definition, record, evaluation, revision=1)
    elapsed = time.perf_counter() - start
    return repeat / elapsed, data.count(b"/Type /Page\n") or data.count(b"/Type /Page")


def village(households: int, tmp: Path) -> None:
    store = Store(tmp / "bench.sqlite")
    records = fx.generated(households, seed=11)
    for rec in records:
        rec["household"]["village"] = VILLAGE
    with store.transaction():
        for rec in records:
            store.save_within(rec, actor="bench", action="import")
    state = TaskState()
    start = time.perf_counter()
    printed = batch.print_village(state, store, VILLAGE, tmp / "village.pdf")
    elapsed = time.perf_counter() - start
    size = (tmp / "village.pdf").stat().st_size / 1e6
    row(f"village of {printed.forms}, pre-filled, one PDF (store read + check + print)", printed.forms / elapsed,
        "forms/s", f"{printed.pages / elapsed:.0f} pages/s, {printed.pages} pages, {elapsed:.2f} s, {size:.1f} MB; "
        f"target >= 100 forms/s")
    definition = store.forms.current()
    assignments = [{"household_code": f"TH-{i:05d}", "village": VILLAGE} for i in range(households)]
    start = time.perf_counter()
    printed = batch.print_blank(state, definition, tmp / "blank.pdf", assignments=assignments)
    elapsed = time.perf_counter() - start
    row(f"{printed.forms} blank forms for an assignment list, one PDF", printed.forms / elapsed, "forms/s",
        f"{printed.pages / elapsed:.0f} pages/s, {printed.pages} pages, {elapsed:.2f} s")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    definition = FormRegistry().current()
    reportlab_tables(5)
    row("reportlab platypus: table pages, TTF (reference)", reportlab_tables(200), "pages/s")
    rate, pages = single_forms(definition, None, args.repeat)
    row("blank form, one PDF each (6 member slots)", rate, "forms/s", f"{rate * pages:.0f} pages/s, {pages} pages")
    household = fx.household()
    rate, pages = single_forms(definition, household, args.repeat)
    row("pre-filled form, one PDF each (5 members)", rate, "forms/s", f"{rate * pages:.0f} pages/s, {pages} pages")
    with tempfile.TemporaryDirectory() as tmp:
        village(args.households, Path(tmp))


if __name__ == "__main__":
    main()
