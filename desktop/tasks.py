"""Long work as plain functions `fn(state, ...)`, run by desktop.worker in a thread.

Each opens its own Store on the profile's file (a Store is used from one thread only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from desktop.progress import TaskState
from desktop.text import t
from forms import exchange
from forms.registry import FormRegistry
from forms.store import Store


@dataclass(slots=True)
class Overview:
    """What the status bar and the list need: counts by status, the filtered total, villages."""

    counts: dict[str, int]
    total: int
    villages: list[str]


def overview(state: TaskState, path: Path, filters: dict[str, str | None], forms: FormRegistry | None = None) -> Overview:
    """Counts for the status bar and the total of the filtered list (a full scan on a large
    database, hence off the window's thread)."""
    with Store(path, forms) as store:
        counts = store.counts()
        state.check()
        if any(filters.values()):
            total = store.count(**filters)
        else:
            total = sum(counts[s] for s in ("draft", "complete", "sent", "returned"))
        state.check()
        return Overview(counts, total, store.villages())


@dataclass(slots=True)
class CheckReport:
    checked: int = 0
    with_errors: list[tuple[str, str, int]] = field(default_factory=list)  # (uuid, household code, errors)
    with_warnings: int = 0


def check_all(state: TaskState, path: Path, forms: FormRegistry | None = None) -> CheckReport:
    """Check every household against its questionnaire version's rules."""
    report = CheckReport()
    with Store(path, forms) as store:
        total = store.count()
        state.progress(0, total, t("task_check_progress", done=0, total=total))
        for h in exchange.iter_households(store):
            ev = store.evaluate(h.record or {"uuid": h.uuid}, store.definition_of(h))
            report.checked += 1
            if ev.errors:
                report.with_errors.append((h.uuid, h.household_code or "", len(ev.errors)))
            elif ev.warnings:
                report.with_warnings += 1
            if report.checked % 50 == 0 or report.checked == total:
                state.progress(report.checked, total, t("task_check_progress", done=report.checked, total=total))
    return report


class _CountingWriter:
    """A text file that counts the households written (the CSV's first column) and stops
    when the officer cancels."""

    def __init__(self, out: IO[str], state: TaskState, total: int):
        self.out, self.state, self.total = out, state, total
        self.households = 0
        self._last = ""

    def write(self, text: str) -> int:
        key = text.split(",", 1)[0]
        if key != self._last and len(key) == 36:
            self._last = key
            self.households += 1
            if self.households % 50 == 0 or self.households == self.total:
                self.state.progress(self.households, self.total,
                                    t("task_export_progress", done=self.households, total=self.total))
        return self.out.write(text)


def export_csv(state: TaskState, path: Path, target: Path, forms: FormRegistry | None = None) -> int:
    """Every household, one row per member, as a CSV file Excel opens with Vietnamese intact.
    A cancelled export leaves no half-written file behind."""
    partial = target.with_name(target.name + ".part")
    with Store(path, forms) as store:
        total = store.count()
        state.progress(0, total, t("task_export_progress", done=0, total=total))
        try:
            with open(partial, "w", encoding="utf-8", newline="") as fh:
                writer = _CountingWriter(fh, state, total)
                rows = exchange.export_csv(store, writer, level="members", labels=True, excel_text=True)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return rows


def print_household(state: TaskState, path: Path, uuid: str, target: Path, forms: FormRegistry | None = None) -> int:
    """The pre-filled form of one household, to check with it and sign; returns the pages."""
    from forms.printing import batch

    with Store(path, forms) as store:
        return batch.print_households(state, store, [uuid], target).pages


def print_blank(state: TaskState, path: Path, target: Path, forms: FormRegistry | None = None) -> int:
    """A blank form of the questionnaire this program uses now; returns the pages."""
    from forms.printing import batch

    with Store(path, forms) as store:
        return batch.print_blank(state, store.forms.current(), target).pages


def print_report(state: TaskState, path: Path, target: Path, officer: str, forms: FormRegistry | None = None) -> int:
    """The commune summary report of every household on this laptop; returns 1 (page count
    is not tracked for reports)."""
    from forms.printing import report

    with Store(path, forms) as store:
        report.write_report(state, store, target, officer=officer or None)
    return 1
