"""Households in and out of the store as files: JSON Lines (one household per line, with its
members) and CSV for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from forms import records
from forms.definition import Definition
from forms.engine import Engine, Evaluation
from forms.i18n import Message, message
from forms.registry import FormRegistry
from forms.store import STATUSES, ConflictError, NotCompletable, NotFound, Store, StoreError
from forms.text import nfc


@dataclass(slots=True)
class BadLine:
    line: int
    msg: Message

    @property
    def reason(self) -> str:
        """Why, in the current language."""
        return self.msg.text()


@dataclass(slots=True)
class ImportReport:
    all_or_nothing: bool
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    bad: list[BadLine] = field(default_factory=list)
    committed: bool = True

    @property
    def stored(self) -> int:
        return self.added + self.replaced


@dataclass(slots=True)
class _Line:
    """One line read, normalised and evaluated (without the database), maybe in a worker."""

    number: int
    # A Message, not a str: a worker process does not know the language the command chose.
    bad: Message | None = None
    status: str = "draft"
    uuid: str = ""
    raw: dict[str, Any] | None = None
    clean: dict[str, Any] | None = None
    evaluation: Evaluation | None = None


class _Bad(Exception):
    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


def _plain(text: str) -> Message:
    """A reason worded elsewhere in English only (the questionnaire's record checks)."""
    return Message(text, text)


def json_problem(exc: json.JSONDecodeError, text: str) -> Message:
    """Why a line is not JSON, in both languages: Python's own wording is English only."""
    # The line stops inside the household: at its end, or in a string never closed (json
    # reports that one where the string starts).
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return message("import_line_cut_short", n=len(text.rstrip()))
    return message("import_line_bad_json", n=exc.pos + 1)


class _Rollback(Exception):
    pass


WORKER_CHUNK = 250  # lines per task sent to a worker process


def import_jsonl(store: Store, lines: Iterable[str], *, actor: str, all_or_nothing: bool = False,
                 replace: bool = False, chunk: int = 1000, workers: int | None = 0) -> ImportReport:
    """Import households, one JSON object per line.

    Each line goes in whole or not at all. With all_or_nothing, a single bad line means
    nothing is stored (every bad line is still reported); otherwise good lines are stored in
    transactions of `chunk` lines and bad ones are listed.

    workers=None reads and checks lines against the questionnaire in one process per core
    (for large files) while this process writes. Worker processes are spawned, which imports
    the caller's main module again: use it only from a main module guarded by
    `if __name__ == "__main__"` (the command line is). The default, 0, works in-process."""
    report = ImportReport(all_or_nothing)
    seen: dict[str, int] = {}
    with _prepared_lines(store.forms, lines, workers) as prepared:
        while True:
            batch = list(islice(prepared, 10**12 if all_or_nothing else chunk))
            if not batch:
                break
            counts = [0, 0, 0]
            try:
                with store.transaction():
                    for line in batch:
                        try:
                            counts[_store_line(store, line, seen, actor, replace)] += 1
                        except _Bad as exc:
                            report.bad.append(BadLine(line.number, exc.msg))
                    if all_or_nothing and report.bad:
                        raise _Rollback
            except _Rollback:
                report.committed = False
                return report
            report.added += counts[0]
            report.replaced += counts[1]
            report.unchanged += counts[2]
    return report


@contextlib.contextmanager
def _prepared_lines(forms: FormRegistry, lines: Iterable[str], workers: int | None) -> Iterator[Iterator[_Line]]:
    numbered = ((n, text) for n, text in enumerate(lines, 1) if text.strip())
    head = list(islice(numbered, 2 * WORKER_CHUNK))
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(head) == 2 * WORKER_CHUNK else 0
    if workers <= 1:
        yield (line for n, text in chain(head, numbered) for line in [_prepare(forms, n, text)])
        return
    # spawn, not fork: the parent holds an open SQLite connection, and Windows has no fork.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=([str(d) for d in forms.directories],)) as pool:
        tasks = _chunks(chain(head, numbered), WORKER_CHUNK)
        yield (line for result in pool.imap(_prepare_chunk, tasks) for line in result)


def _chunks(it: Iterator[tuple[int, str]], n: int) -> Iterator[list[tuple[int, str]]]:
    while batch := list(islice(it, n)):
        yield batch


_worker_forms: FormRegistry | None = None


def _init_worker(directories: list[str]) -> None:
    global _worker_forms
    _worker_forms = FormRegistry([Path(d) for d in directories])


def _prepare_chunk(batch: list[tuple[int, str]]) -> list[_Line]:
    assert _worker_forms is not None
    return [_prepare(_worker_forms, n, text) for n, text in batch]


def _prepare(forms: FormRegistry, number: int, text: str) -> _Line:
    line = _Line(number)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        line.bad = json_problem(exc, text)
        return line
    if not isinstance(raw, dict):
        line.bad = message("import_line_not_object")
        return line
    line.status = raw.get("status") or "draft"
    if line.status not in STATUSES:
        line.bad = message("import_line_bad_status", status=repr(line.status), choices=", ".join(STATUSES))
        return line
    line.uuid = str(raw.get("uuid") or "")
    line.raw = {k: v for k, v in raw.items() if k not in records.META_KEYS or k in ("uuid", "form_id", "form_version")}
    try:
        definition = _definition(forms, raw)
    except KeyError as exc:  # a form version this program does not have
        line.bad = _plain(str(exc).strip('"'))
        return line
    try:
        clean = records.normalize(definition, line.raw)
    except records.RecordError as exc:
        line.bad = exc.message()
        return line
    clean["form_id"], clean["form_version"] = definition.form_id, definition.version
    line.clean = clean
    line.evaluation = Engine.slim(forms.engine(definition).evaluate(clean))
    return line


def _store_line(store: Store, line: _Line, seen: dict[str, int], actor: str, replace: bool) -> int:
    """Store one prepared line; 0 added, 1 replaced, 2 unchanged. Raises _Bad with the reason."""
    if line.bad is not None:
        raise _Bad(line.bad)
    assert line.raw is not None and line.clean is not None
    uuid = line.uuid
    if uuid and uuid in seen:
        raise _Bad(message("import_line_repeated", uuid=uuid, line=seen[uuid]))
    existing = None
    if uuid:
        seen[uuid] = line.number
        try:
            existing = store.get(uuid)
        except StoreError:
            existing = None
    if existing is not None:
        if existing.deleted_at:
            raise _Bad(message("import_line_deleted", uuid=uuid))
        definition = store.definition_of(existing)
        try:
            same = records.answers_only(existing.record or {}, definition) == records.answers_only(
                records.normalize(definition, line.raw), definition)
        except records.RecordError as exc:
            raise _Bad(exc.message()) from None
        if same:
            return 2
        if not replace:
            raise _Bad(message("import_line_exists", uuid=uuid, revision=existing.revision))
    try:
        store.save_within(line.clean, actor=actor, action="import", status=line.status, prepared=line.evaluation,
                          refuse_errors=line.status in ("complete", "sent"))
    except NotCompletable as exc:
        errors = exc.evaluation.errors
        first = Message(*("; ".join(f"{f.ref}: {f.message.text(lang)}" for f in errors[:3]) for lang in ("vi", "en")))
        raise _Bad(message("import_line_has_errors", status=line.status, n=len(errors), first=first)) from None
    except records.RecordError as exc:
        raise _Bad(exc.message()) from None
    except StoreError as exc:
        if isinstance(exc, (NotFound, ConflictError)) or "deleted" in exc.msg.en:
            raise _Bad(exc.msg) from None
        raise  # disk full, locked...: stop the import; what was committed stays
    return 1 if existing is not None else 0


def _definition(forms: FormRegistry, raw: dict[str, Any]) -> Definition:
    if raw.get("form_id") or raw.get("form_version"):
        return forms.get(str(raw.get("form_id") or "labour_supply"), str(raw.get("form_version") or ""))
    return forms.current()


def export_jsonl(store: Store, out: IO[str], *, status: str | None = None) -> int:
    n = 0
    for h in iter_households(store, status=status):
        out.write(json.dumps(h.export(), ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def iter_households(store: Store, *, status: str | None = None, page: int = 500):
    offset = 0
    while True:
        batch = store.list(status=status, limit=page, offset=offset)
        if not batch:
            return
        for summary in batch:
            yield store.get(summary.uuid)
        offset += page


def export_csv(store: Store, out: IO[str], *, level: str = "members", status: str | None = None,
               labels: bool = False, lang: str | None = None, excel_text: bool = False) -> int:
    """A CSV file Excel opens with Vietnamese intact: UTF-8 with a byte order mark, CRLF.

    level="members": one row per member, household columns first; "households": one row per
    household. With labels, coded answers are written as their labels. With excel_text,
    codes and numbers with leading zeros (citizen IDs, phones) are written so Excel keeps them."""
    definition = store.forms.current()
    hh_fields = definition.answer_fields(None)
    roster = definition.rosters[0]
    member_fields = definition.answer_fields(roster.id)
    meta = ["household_uuid", "status", "revision", "form_version"]
    header = meta + [f.id for f in hh_fields]
    if level == "members":
        header += ["member_no"] + [f.id for f in member_fields]
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    n = 0

    def cell(d: Definition, f: Any, v: Any) -> str:
        if v is None:
            return ""
        if labels and f.list_name:
            cl = d.choices(f)
            v = [cl.label(c, lang) for c in v] if isinstance(v, list) else cl.label(v, lang) or v
        text = " ".join(map(str, v)) if isinstance(v, list) else str(v)
        if excel_text and (text[:1] in "=+-@" or (text.isdigit() and (text.startswith("0") or len(text) > 11))):
            return f'="{text}"'
        return text

    for h in iter_households(store, status=status):
        d = store.definition_of(h)
        rec = h.record or {}
        hh = rec.get("household") or {}
        base = [h.uuid, h.status, str(h.revision), h.form_version] + [
            cell(d, f, hh.get(f.id)) for f in hh_fields]
        if level == "households":
            writer.writerow(nfc(base))
            n += 1
            continue
        for i, row in enumerate(rec.get(roster.id) or [], 1):
            writer.writerow(nfc(base + [str(i)] + [cell(d, f, row.get(f.id)) for f in member_fields]))
            n += 1
    return n
