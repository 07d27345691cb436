"""Many household forms in one PDF: the households of a village, a selection, or blank
forms for an assignment list (each with its household code, and the village or address the
list gives).

Long work as plain functions taking a forms.progress.TaskState: the command line prints its
reports, the desktop runs the work in a worker thread behind a progress dialog. The PDF
is written to FILE.part and renamed when done, so a cancelled or failed batch leaves nothing
half-written behind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms.definition import Definition
from forms.printing import household_form
from forms.printing.household_form import Form
from forms.printing.text import t
from forms.progress import Cancelled, TaskState
from forms.store import Store
from forms.text import fold, nfc

PROGRESS_EVERY = 10  # forms between two progress reports


@dataclass(frozen=True, slots=True)
class Printed:
    path: Path
    forms: int
    pages: int


def write_forms(state: TaskState, target: str | Path, jobs: list[Callable[[], Form]], title: str = "") -> Printed:
    """Lay out and draw each form in turn into one PDF, reporting progress and stopping at once
    when cancelled."""
    target = Path(target)
    partial = target.with_name(target.name + ".part")
    total = len(jobs)
    pages = 0
    state.progress(0, total, t("progress_forms", done=0, total=total))
    try:
        with household_form.pdf_settings():
            c = household_form.new_canvas(partial, title)
            for done, job in enumerate(jobs, 1):
                if state.cancelled:
                    raise Cancelled
                form = job()
                form.draw(c)
                pages += len(form.pages)
                if done % PROGRESS_EVERY == 0 or done == total:
                    state.progress(done, total, t("progress_forms", done=done, total=total))
            if state.cancelled:
                raise Cancelled
            c.save()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Printed(target, total, pages)


def _household_job(store: Store, uuid: str, lang: str | None) -> Callable[[], Form]:
    def job() -> Form:
        h = store.get(uuid)
        definition = store.definition_of(h)
        record = h.record or {"uuid": h.uuid}
        evaluation = store.evaluate(record, definition)
        return household_form.build(definition, record, evaluation, revision=h.revision, status=h.status, lang=lang)
    return job


def print_households(state: TaskState, store: Store, uuids: Iterable[str], target: str | Path, *,
                     lang: str | None = None) -> Printed:
    """Pre-filled forms of the households given (a selection), in that order."""
    return write_forms(state, target, [_household_job(store, u, lang) for u in uuids], t("title_batch", lang))


def village_households(store: Store, village: str, status: str | None = None) -> list[str]:
    """UUIDs of a village's households, by household code."""
    found = []
    offset = 0
    while batch := store.list(village=village, status=status, limit=1000, offset=offset):
        found.extend(batch)
        offset += len(batch)
    found.sort(key=lambda h: (h.household_code or "", h.uuid))
    return [h.uuid for h in found]


def match_village(store: Store, wanted: str) -> str | None:
    """The village as stored: exactly, or the only one equal ignoring case and diacritics."""
    villages = store.villages()
    if nfc(wanted) in villages:
        return nfc(wanted)
    folded = [v for v in villages if fold(v) == fold(wanted)]
    return folded[0] if len(folded) == 1 else None


def print_village(state: TaskState, store: Store, village: str, target: str | Path, *,
                  status: str | None = None, lang: str | None = None) -> Printed:
    return print_households(state, store, village_households(store, village, status), target, lang=lang)


def print_blank(state: TaskState, definition: Definition, target: str | Path, *,
                assignments: list[dict[str, Any]] | None = None, members: int = household_form.BLANK_MEMBERS,
                lang: str | None = None) -> Printed:
    """Blank forms: one per assignment (its household answers printed), or one plain form."""
    presets = assignments if assignments else [{}]

    def job(preset: dict[str, Any]) -> Callable[[], Form]:
        return lambda: household_form.build(definition, None, members=members, preset=preset, lang=lang)

    return write_forms(state, target, [job(p) for p in presets], definition.title.text(lang))


def read_assignments(text: str, definition: Definition) -> list[dict[str, str]]:
    """An assignment list: one household code per line, or a CSV whose header names household
    questions (household_code first or anywhere; village, address ... printed too).

    Raises ValueError naming the line of a problem."""
    code_field = definition.summary.get("household_code", "household_code")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    if code_field not in header:
        return [{code_field: nfc(line.strip())} for line in lines]
    known = {f.id for f in definition.answer_fields(None)}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise ValueError(t("assignments_unknown_columns", columns=", ".join(unknown),
                           known=", ".join(sorted(known))))
    out = []
    for number, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), 2):
        preset = {k.strip(): nfc(v.strip()) for k, v in row.items() if k and v and v.strip()}
        if not preset.get(code_field):
            raise ValueError(t("assignments_no_code", line=number))
        out.append(preset)
    return out
