"""Households in and out of the store as files: JSON Lines (one household per line, with its
members) and CSV for spreadsheets."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from forms import records
from forms.definition import Definition
from forms.store import STATUSES, Store, StoreError
from forms.text import nfc


@dataclass(slots=True)
class BadLine:
    line: int
    reason: str


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


class _Bad(Exception):
    pass


def import_jsonl(store: Store, lines: Iterable[str], *, actor: str, all_or_nothing: bool = False,
                 replace: bool = False, chunk: int = 1000) -> ImportReport:
    """Import households, one JSON object per line.

    Each line goes in whole or not at all. With all_or_nothing, a single bad line means
    nothing is stored (every bad line is still reported); otherwise good lines are stored in
    transactions of `chunk` lines and bad ones are listed."""
    report = ImportReport(all_or_nothing)
    seen: dict[str, int] = {}
    numbered = enumerate(lines, 1)
    while True:
        batch = list(_take(numbered, 10**12 if all_or_nothing else chunk))
        if not batch:
            break
        counts = [0, 0, 0]
        try:
            with store.transaction():
                for number, text in batch:
                    if not text.strip():
                        continue
                    try:
                        with store.savepoint():
                            counts[_import_line(store, text, number, seen, actor, replace)] += 1
                    except _Bad as exc:
                        report.bad.append(BadLine(number, str(exc)))
                if all_or_nothing and report.bad:
                    raise _Rollback
        except _Rollback:
            report.committed = False
            return report
        report.added += counts[0]
        report.replaced += counts[1]
        report.unchanged += counts[2]
    return report


class _Rollback(Exception):
    pass


def _take(it: Iterator[tuple[int, str]], n: int) -> Iterator[tuple[int, str]]:
    for _ in range(n):
        try:
            yield next(it)
        except StopIteration:
            return


def _import_line(store: Store, text: str, number: int, seen: dict[str, int], actor: str, replace: bool) -> int:
    """Store one line; 0 added, 1 replaced, 2 unchanged. Raises _Bad with the reason."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Bad(f"not valid JSON ({exc.msg} at character {exc.pos + 1})") from None
    if not isinstance(raw, dict):
        raise _Bad("each line must be one JSON object (a household)")
    status = raw.get("status") or "draft"
    if status not in STATUSES:
        raise _Bad(f"status {status!r} is not one of {', '.join(STATUSES)}")
    uuid = str(raw.get("uuid") or "")
    if uuid and uuid in seen:
        raise _Bad(f"uuid {uuid} already appeared on line {seen[uuid]}")
    existing = None
    if uuid:
        seen[uuid] = number
        try:
            existing = store.get(uuid)
        except StoreError:
            existing = None
    if existing is not None and existing.deleted_at:
        raise _Bad(f"household {uuid} was deleted on this laptop; give the line a new uuid to add it again")
    answers = {k: v for k, v in raw.items() if k not in records.META_KEYS or k == "uuid"}
    try:
        definition = store.definition_of(existing) if existing else _definition(store, raw)
        if existing is not None:
            same = records.answers_only(existing.record or {}, definition) == records.answers_only(
                records.normalize(definition, answers), definition)
            if same:
                return 2
            if not replace:
                raise _Bad(f"household {uuid} already exists with other answers (revision {existing.revision}); "
                           "use --replace to overwrite it")
        else:
            answers["form_id"], answers["form_version"] = definition.form_id, definition.version
        saved = store.save_within(answers, actor=actor, action="import", status=status)
    except (records.RecordError, KeyError) as exc:
        raise _Bad(str(exc).strip('"')) from None
    except StoreError as exc:
        raise _Bad(exc.msg.en) from None
    if status in ("complete", "sent") and saved.evaluation.errors:
        first = "; ".join(f"{f.ref}: {f.message.en}" for f in saved.evaluation.errors[:3])
        raise _Bad(f"marked {status} but has {len(saved.evaluation.errors)} error(s): {first}")
    return 1 if existing is not None else 0


def _definition(store: Store, raw: dict[str, Any]) -> Definition:
    if raw.get("form_id") or raw.get("form_version"):
        return store.forms.get(str(raw.get("form_id") or "labour_supply"), str(raw.get("form_version") or ""))
    return store.forms.current()


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
