"""The officer's local store: one SQLite file per profile.

WAL journal with full synchronous commits (an officer's typing is worth an fsync); every
change is one transaction together with its entry in the append-only change log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from forms import codelists, records
from forms.definition import DEFINITIONS_DIR, Definition
from forms.engine import ElsewhereLookup, Evaluation, unique_keys
from forms.i18n import message
from forms.registry import FormRegistry
from forms.store import cipher, encryption, health, keys, profile_lock, schema
from forms.store.cipher import plain_errors
from forms.store.errors import (
    ConflictError,
    NeedsConfirmation,
    NewerDatabaseError,
    NotCompletable,
    NotFound,
    OutsideCommunes,
    StoreError,
)
from forms.text import fold

STATUSES = ("draft", "complete", "sent", "returned")
# The households columns that Household holds, in its field order.
_COLUMNS = ("uuid", "form_id", "form_version", "revision", "status", "household_code", "province_code",
            "commune_code", "village", "head_name", "member_count", "error_count", "warning_count", "officer",
            "created_at", "updated_at", "deleted_at", "sent_revision", "server_revision", "server_note")
_SUMMARY = ", ".join(_COLUMNS)
_UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in (*_COLUMNS, "data") if c != "uuid")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(slots=True)
class Household:
    uuid: str
    form_id: str
    form_version: str
    revision: int
    status: str
    household_code: str | None
    province_code: str | None
    commune_code: str | None
    village: str | None
    head_name: str | None
    member_count: int
    error_count: int
    warning_count: int
    officer: str | None
    created_at: str
    updated_at: str
    deleted_at: str | None
    sent_revision: int | None  # the local revision the server last accepted
    server_revision: int | None  # the server's revision of it, what the next upload builds on
    server_note: str | None  # JSON: why the server refused or returned it (vi and en)
    record: dict[str, Any] | None = None  # the answers; None in lists

    def export(self) -> dict[str, Any]:
        """The record with its identity and state, as written to JSON Lines."""
        meta = {"uuid": self.uuid, "form_id": self.form_id, "form_version": self.form_version,
                "revision": self.revision, "status": self.status, "officer": self.officer,
                "created_at": self.created_at, "updated_at": self.updated_at}
        return {**meta, **{k: v for k, v in (self.record or {}).items() if k != "uuid"}}


@dataclass(slots=True)
class Saved:
    household: Household
    evaluation: Evaluation
    changed: bool


class Store:
    # The search index's rowid is the household's rowid times this: -1 since schema 5, so that
    # newest first is FTS5's ascending rowid order. FTS5 reads a doclist backwards more slowly
    # (each page is walked forwards first, to find where its entries start): with the prefix
    # indexes, searches take 40% less time forwards (20,000 households). The price:
    # households saved together in one transaction (an import) come in descending index order,
    # which makes FTS5 write a small segment for each, about 0.03 ms a household.
    # bench/bench_crypto.py and tests/test_search_migration.py set 1 for schema 4's index.
    _SEARCH_SIGN = -1

    def __init__(self, path: str | Path, forms: FormRegistry | None = None,
                 clock: Callable[[], str] = utc_now, *, key: bytes | None = None):
        """`key`: the 32-byte data key of an encrypted profile (SQLCipher). Without it, the key
        this process unlocked for `path` (forms.profiles.unlock); without either, a plain
        SQLite file, and an encrypted profile is refused with ProfileLocked."""
        self.path = Path(path)
        self._key = key if key is not None else keys.unlocked_key(self.path)
        if self._key is None and keys.is_encrypted(self.path):
            raise keys.ProfileLocked(message("security_profile_locked", path=self.path))
        # The shipped questionnaire versions and those the provincial server sent this profile,
        # with the code lists it sent (which those versions may use).
        codelists.publish_directory(self.code_lists_dir)
        self.forms = forms or FormRegistry([DEFINITIONS_DIR, self.forms_dir])
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Held while open: converting the profile to an encrypted one waits for every holder.
        self._lock = profile_lock.shared(self.path)
        try:
            with plain_errors(str(self.path)):
                self.conn = self._connect()
                try:
                    self._configure()
                    self._migrate()
                    self._daily_backup()
                except BaseException:
                    self.conn.close()
                    raise
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self.db = Database(self.conn)

    # -- opening ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._key is None:
            self._refuse_damaged()
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        if keys.is_encrypted(self.path):
            encryption.finish_interrupted(self.path)  # a conversion cut after its key file was written
        if self.path.exists() and cipher.is_plain_file(self.path) and self.path.stat().st_size > 0:
            raise StoreError(message("security_not_encrypted", path=self.path))
        self._refuse_damaged()
        return cipher.connect(self.path, self._key)  # type: ignore[return-value]  # the same DB-API

    def _refuse_damaged(self) -> None:
        """Check the file before anything writes to it (forms.store.health): a damaged profile
        is refused whole, with what to do, rather than failing midway through a command."""
        if not self.path.exists() or self.path.stat().st_size == 0 or health.checked_already(self.path):
            return
        found = health.problems(self.path, self._key)
        if not found:
            health.mark_checked(self.path)
            return
        if found[0].lower().startswith(("file is not a database", "file is encrypted")) and not self._key_opens_a_backup():
            # A first page that cannot be read is a file that was never a profile, or a key not
            # its own, as often as damage: store_not_a_database says both.
            raise StoreError(message("store_not_a_database", path=self.path))
        raise health.Damaged(self.path, self._key, found)

    def _key_opens_a_backup(self) -> bool:
        """This key reads a backup of this profile: so it is the profile's key, and a first page
        it cannot read is damaged."""
        return self._key is not None and any(b.households is not None for b in health.describe(self.path, self._key))

    def _daily_backup(self) -> None:
        """Something to go back to if the file is damaged later (forms.store.health)."""
        try:
            health.backup_if_due(self.conn, self.path, self._key)
        except (OSError, sqlite3.Error, cipher.DatabaseError):
            pass  # a full disk must not keep the officer from the profile: tomorrow's try may work

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    def add_recovery_key(self, public_pem: bytes) -> None:
        """Wrap this profile's data key for a provincial recovery public key (PEM), so that the
        district can recover it if the passphrase is forgotten. A plain profile keeps the
        public key for when it is encrypted."""
        keys.add_recovery_key(self.path, public_pem, self._key)

    def _configure(self) -> None:
        c = self.conn
        c.execute("PRAGMA busy_timeout = 5000")
        c.execute("PRAGMA cache_size = -32768")  # 32 MB: random UUID keys miss a small cache
        found = c.execute("PRAGMA user_version").fetchone()[0]
        if found > schema.LATEST:
            raise NewerDatabaseError(message("store_newer_schema", path=self.path, found=found, known=schema.LATEST))
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, target: int = schema.LATEST) -> None:
        found = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if found >= target:
            return
        if found > 0:
            self._backup(f".schema-{found}.bak")
        db = Database(self.conn)
        for version in range(found + 1, target + 1):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                schema.MIGRATIONS[version - 1](db, self.forms)
                self.conn.execute(f"PRAGMA user_version = {version}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _backup(self, suffix: str) -> Path:
        target = self.path.with_name(self.path.name + suffix)
        cipher.backup(self.conn, target, self._key)  # encrypted under the same key, if any
        return target

    def close(self) -> None:
        self.conn.close()
        if self._lock is not None:
            self._lock.release()

    @property
    def code_lists_dir(self) -> Path:
        return self.path.parent / "code_lists"

    @property
    def forms_dir(self) -> Path:
        """Where questionnaire versions received from the server are kept, beside the database."""
        return self.path.parent / "forms"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def _write(self) -> Iterator[None]:
        with plain_errors(str(self.path)):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    # -- reading ---------------------------------------------------------------------------
    def _row(self, uuid: str, with_record: bool = True) -> Household | None:
        cols = _SUMMARY + (", data" if with_record else "")
        row = self.conn.execute(f"SELECT {cols} FROM households WHERE uuid = ?", [uuid]).fetchone()
        if row is None:
            return None
        n = len(_COLUMNS)
        h = Household(*row[:n])
        if with_record and row[n] is not None:
            h.record = {"uuid": h.uuid, **json.loads(row[n])}
        return h

    def get(self, uuid: str) -> Household:
        h = self._row(uuid)
        if h is None:
            raise NotFound(message("store_not_found", uuid=uuid))
        return h

    def definition_of(self, h: Household) -> Definition:
        return self.forms.get(h.form_id, h.form_version)

    def list(self, *, status: str | None = None, village: str | None = None, text: str | None = None,
             limit: int = 100, offset: int = 0, include_deleted: bool = False) -> list[Household]:
        """Households, most recently changed first; with `text`, matches newest first."""
        query = fts_query(text or "")
        if query:
            # Walk the search index newest first and stop at the limit, rather than sorting
            # every match: "hoa" matches a third of a large commune. CROSS JOIN keeps that
            # order: the newer SQLite inside SQLCipher otherwise scans households and probes
            # the index once per row (minutes at 20,000 households).
            where, params = self._filters(status, village, None, include_deleted)
            where = where.replace("WHERE", "AND", 1)
            cols = ", ".join(f"h.{c.strip()}" for c in _SUMMARY.split(","))
            newest = "" if self._SEARCH_SIGN < 0 else " DESC"
            sql = (f"SELECT {cols} FROM household_search s CROSS JOIN households h "
                   f"ON h.rowid = {self._SEARCH_SIGN} * s.rowid "
                   f"WHERE household_search MATCH ? {where} ORDER BY s.rowid{newest} LIMIT ? OFFSET ?")
            return [Household(*r) for r in self.conn.execute(sql, [query, *params, limit, offset])]
        where, params = self._filters(status, village, None, include_deleted)
        sql = (f"SELECT {_SUMMARY} FROM households {where} "
               "ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?")
        return [Household(*r) for r in self.conn.execute(sql, [*params, limit, offset])]

    def with_server_note(self, statuses: tuple[str, ...] = ("draft", "returned"),
                         limit: int = 200) -> tuple[list[Household], int]:
        """Households the server refused or returned (a server_note kept), newest change first,
        at most `limit`, and how many there are: one pass in SQL, not every draft in Python."""
        marks = ", ".join("?" for _ in statuses)
        where = f"WHERE deleted_at IS NULL AND server_note IS NOT NULL AND status IN ({marks})"
        total = self.conn.execute(f"SELECT count(*) FROM households {where}", statuses).fetchone()[0]
        rows = self.conn.execute(f"SELECT {_SUMMARY} FROM households {where} "
                                 "ORDER BY updated_at DESC, rowid DESC LIMIT ?", [*statuses, limit])
        return [Household(*r) for r in rows], total

    def count(self, *, status: str | None = None, village: str | None = None, text: str | None = None) -> int:
        where, params = self._filters(status, village, text, False)
        return self.conn.execute(f"SELECT count(*) FROM households {where}", params).fetchone()[0]

    def _filters(self, status: str | None, village: str | None, text: str | None,
                 include_deleted: bool) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if not include_deleted:
            clauses.append("deleted_at IS NULL")
        if status:
            clauses.append("status = ?")
            params.append(status)
        if village:
            clauses.append("village = ?")
            params.append(village)
        query = fts_query(text or "")
        if query:
            clauses.append(f"rowid IN (SELECT {self._SEARCH_SIGN} * rowid FROM household_search "
                           "WHERE household_search MATCH ?)")
            params.append(query)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(self, text: str, limit: int = 50) -> list[Household]:
        """Households whose code, village, address, phone, members' names or citizen IDs
        contain words starting with the words of `text`, ignoring case and diacritics."""
        if not fts_query(text):
            return []
        return self.list(text=text, limit=limit)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for status, n in self.conn.execute(
                "SELECT status, count(*) FROM households WHERE deleted_at IS NULL GROUP BY status"):
            out[status] = n
        out["waiting"] = self.conn.execute(
            "SELECT count(*) FROM households WHERE status = 'complete' AND deleted_at IS NULL").fetchone()[0]
        return out

    def villages(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT village FROM households WHERE village IS NOT NULL AND deleted_at IS NULL ORDER BY village")]

    def matching_villages(self, wanted: str) -> list[str]:
        """The villages as stored that `wanted` names the way search matches: exactly, else each
        of its words the start of a word of the village, ignoring case and diacritics
        ("dong son" -> "Tổ dân phố Đông Sơn")."""
        villages = self.villages()
        if wanted in villages:
            return [wanted]
        words = re.findall(r"\w+", fold(wanted))
        if not words:
            return []
        exact = [v for v in villages if fold(v) == fold(wanted)]
        if exact:
            return exact

        def matches(village: str) -> bool:
            theirs = re.findall(r"\w+", fold(village))
            return all(any(t.startswith(w) for t in theirs) for w in words)
        return [v for v in villages if matches(v)]

    def history(self, uuid: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, revision, at, actor, action, changes FROM change_log WHERE household_uuid = ? ORDER BY id",
            [uuid])
        return [{"id": i, "revision": r, "at": at, "actor": a, "action": act, "changes": json.loads(ch)}
                for i, r, at, a, act, ch in rows]

    # -- evaluating ------------------------------------------------------------------------
    def elsewhere(self, uuid: str) -> ElsewhereLookup:
        """Values of database-wide unique questions already used by other households."""
        def lookup(field: str, within: tuple[str, ...], values: list[str]) -> set[str]:
            marks = ",".join("?" * len(values))
            rows = self.conn.execute(
                f"SELECT DISTINCT value FROM unique_values WHERE field = ? AND scope = ? "
                f"AND value IN ({marks}) AND household_uuid != ?",
                [field, "\x1f".join(within), *values, uuid])
            return {r[0] for r in rows}
        return lookup

    def evaluate(self, record: dict[str, Any], definition: Definition | None = None) -> Evaluation:
        definition = definition or self.forms.current()
        engine = self.forms.engine(definition)
        return engine.evaluate(record, elsewhere=self.elsewhere(record.get("uuid", "")))

    def _definition_for(self, record: dict[str, Any], existing: Household | None) -> Definition:
        if existing is not None:
            return self.definition_of(existing)
        if record.get("form_id") and record.get("form_version"):
            return self.forms.get(str(record["form_id"]), str(record["form_version"]))
        return self.forms.current()

    # -- writing ---------------------------------------------------------------------------
    def new_record(self, *, officer: str = "", definition: Definition | None = None) -> dict[str, Any]:
        """An empty household with its prefilled answers; nothing is stored until saved."""
        definition = definition or self.forms.current()
        prefills = {"officer": officer, "today": dt.date.today().isoformat()}
        household = {f.id: prefills[f.prefill] for f in definition.answer_fields(None)
                     if prefills.get(f.prefill)}
        return {"uuid": records.new_uuid(), "form_id": definition.form_id,
                "form_version": definition.version, "household": household,
                **{r.id: [] for r in definition.rosters}}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT) around several operations."""
        with self._write():
            yield

    def save_within(self, record: dict[str, Any], *, actor: str, action: str, status: str | None = None,
                    prepared: Evaluation | None = None, refuse_errors: bool = False) -> Saved:
        """save() for use inside transaction(): the caller commits.

        `prepared`: the record is normalised already and this is its evaluation without the
        database-wide rules (made in another process); `refuse_errors`: raise NotCompletable
        instead of writing a household that has errors."""
        return self._save(record, actor=actor, expected_revision=None, action=action, status=status,
                          prepared=prepared, refuse_errors=refuse_errors)

    def save(self, record: dict[str, Any], *, actor: str, expected_revision: int | None = None) -> Saved:
        """Save a household as it is (a draft keeps its errors). One transaction."""
        with self._write():
            return self._save(record, actor=actor, expected_revision=expected_revision, action=None)

    def _save(self, record: dict[str, Any], *, actor: str, expected_revision: int | None,
              action: str | None, status: str | None = None, prepared: Evaluation | None = None,
              refuse_errors: bool = False) -> Saved:
        uuid = str(record.get("uuid") or "")
        existing = self._row(uuid) if uuid else None
        definition = self._definition_for(record, existing)
        made_with = (record.get("form_id"), record.get("form_version"))
        if prepared is not None and made_with == (definition.form_id, definition.version):
            clean = record
        else:
            clean, prepared = records.normalize(definition, record), None
        uuid = clean["uuid"]
        if existing is not None:
            if existing.deleted_at is not None:
                raise StoreError(message("store_deleted", uuid=uuid))
            if expected_revision is not None and existing.revision != expected_revision:
                raise ConflictError(message("store_conflict", uuid=uuid, found=existing.revision,
                                            expected=expected_revision))
        engine = self.forms.engine(definition)
        if prepared is not None:
            evaluation = prepared
            engine.check_database_unique(evaluation, clean, self.elsewhere(uuid))
        else:
            evaluation = engine.evaluate(clean, elsewhere=self.elsewhere(uuid))
        if refuse_errors and evaluation.errors:
            raise NotCompletable(message("store_has_errors", n=len(evaluation.errors)), evaluation)
        old_answers = records.answers_only(existing.record or {}, definition) if existing else None
        new_answers = records.answers_only(clean, definition)
        if existing is not None and old_answers == new_answers and status in (None, existing.status):
            return Saved(existing, evaluation, changed=False)
        if status is None:
            status = existing.status if existing and existing.status in ("draft", "returned") else "draft"
        now = self.clock()
        h = Household(
            uuid=uuid, form_id=definition.form_id, form_version=definition.version,
            revision=(existing.revision + 1) if existing else 1, status=status,
            member_count=len(new_answers.get(definition.rosters[0].id, [])) if definition.rosters else 0,
            error_count=len(evaluation.errors), warning_count=len(evaluation.warnings),
            officer=(existing.officer if existing else None) or new_answers["household"].get("officer") or actor,
            created_at=existing.created_at if existing else now, updated_at=now, deleted_at=None,
            sent_revision=existing.sent_revision if existing else None,
            server_revision=existing.server_revision if existing else None,
            server_note=existing.server_note if existing else None,
            record={"uuid": uuid, **new_answers},
            **{col: _text(evaluation.household.get(fid)) for col, fid in _summary_fields(definition).items()},
        )
        data = self._write_household(h, definition, new_answers, is_new=existing is None)
        verb = action or ("create" if existing is None else "update")
        if existing is None:
            # A new household's log entry holds its first answers whole; later entries hold diffs.
            self._log(uuid, h.revision, actor, verb, f'[["",null,{data}]]')
        else:
            changes = records.diff(definition, old_answers, new_answers)
            if existing.status != status:
                changes.append(["status", existing.status, status])
            self._log(uuid, h.revision, actor, verb, changes)
        return Saved(h, evaluation, changed=True)

    def _write_household(self, h: Household, definition: Definition, answers: dict[str, Any], is_new: bool) -> str:
        """Write the household row, its search entry and unique values; returns its answers as JSON."""
        data = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
        c = self.conn
        values = [getattr(h, col) for col in _COLUMNS] + [data]
        # An upsert keeps the row's rowid, which keys its search entry.
        rowid = c.execute(
            f"INSERT INTO households ({_SUMMARY}, data) VALUES ({','.join('?' * (len(_COLUMNS) + 1))}) "
            f"ON CONFLICT(uuid) DO UPDATE SET {_UPDATE_ALL} RETURNING rowid", values).fetchone()[0]
        key, body = self._SEARCH_SIGN * rowid, records.search_text(definition, answers)
        # Most saves change answers that are not searched (a job, a labour status): their index
        # entry is kept, where rewriting it costs about 0.3 ms for ten members and grows the index.
        old = None if is_new else c.execute("SELECT body FROM household_search WHERE rowid = ?", [key]).fetchone()
        if old is None or old[0] != body:
            if old is not None:
                c.execute("DELETE FROM household_search WHERE rowid = ?", [key])
            c.execute("INSERT INTO household_search(rowid, body) VALUES (?, ?)", [key, body])
        before = set() if is_new else self._sharers(h.uuid)
        if not is_new:
            c.execute("DELETE FROM unique_values WHERE household_uuid = ?", [h.uuid])
        c.executemany("INSERT INTO unique_values VALUES (?, ?, ?, ?)",
                      [(h.uuid, f, "\x1f".join(w), v) for f, w, v in unique_keys(definition, answers)])
        self._recount(before | self._sharers(h.uuid))
        return data

    def _sharers(self, uuid: str) -> set[str]:
        """Other households holding a value of a database-wide unique question that this one holds."""
        return {r[0] for r in self.conn.execute(
            "SELECT DISTINCT o.household_uuid FROM unique_values m JOIN unique_values o "
            "ON o.field = m.field AND o.scope = m.scope AND o.value = m.value "
            "WHERE m.household_uuid = ? AND o.household_uuid != ?", [uuid, uuid])}

    def _recount(self, uuids: set[str]) -> None:
        """Count again the errors and warnings of households whose database-wide findings a save
        or a deletion changed (HT-0002 saved with HT-0001's code gives HT-0001 an error too;
        fixing it takes the error away from both), so that the list never shows 0 errors for a
        household that has one. Their answers and revisions stay as they are."""
        for uuid in uuids:
            h = self.get(uuid)
            if h.deleted_at is not None or h.record is None:
                continue
            ev = self.forms.engine(self.definition_of(h)).evaluate(h.record, elsewhere=self.elsewhere(uuid))
            counts = (len(ev.errors), len(ev.warnings))
            if counts != (h.error_count, h.warning_count):
                self.conn.execute("UPDATE households SET error_count = ?, warning_count = ? WHERE uuid = ?",
                                  [*counts, uuid])

    def _log(self, uuid: str, revision: int, actor: str, action: str, changes: list[Any] | str) -> None:
        text = changes if isinstance(changes, str) else json.dumps(changes, ensure_ascii=False)
        self.conn.execute(
            "INSERT INTO change_log (household_uuid, revision, at, actor, action, changes) VALUES (?, ?, ?, ?, ?, ?)",
            [uuid, revision, self.clock(), actor, action, text])

    def complete(self, uuid: str, *, actor: str, accept_warnings: bool = False) -> Saved:
        """Mark a household complete: refused while errors remain; warnings need
        `accept_warnings`. Answers left in questions that no longer apply are removed."""
        with self._write():
            h = self.get(uuid)
            if h.deleted_at:
                raise StoreError(message("store_deleted", uuid=uuid))
            self._refuse_outside_communes(h)
            definition = self.definition_of(h)
            record = h.record or {"uuid": uuid}
            evaluation = self.forms.engine(definition).evaluate(record, elsewhere=self.elsewhere(uuid))
            if evaluation.errors:
                raise NotCompletable(message("store_has_errors", n=len(evaluation.errors)), evaluation)
            if evaluation.warnings and not accept_warnings:
                raise NeedsConfirmation(message("store_has_warnings", n=len(evaluation.warnings)), evaluation)
            cleaned = records.clear_irrelevant(record, evaluation.irrelevant_answers)
            return self._save(cleaned, actor=actor, expected_revision=h.revision, action="complete",
                              status="complete")

    def enrolled_communes(self) -> list[str]:
        """The communes the provincial server gave this laptop's officer at enrollment ([] when
        not enrolled: a laptop used before enrollment keeps no such limit)."""
        try:
            return [str(c) for c in json.loads(self.get_setting("sync.communes") or "[]")]
        except ValueError:
            return []

    def _refuse_outside_communes(self, h: Household) -> None:
        """The server refuses a household of a commune the officer is not enrolled for: say so
        when it is marked complete, not at the next sync days later."""
        communes = self.enrolled_communes()
        if communes and (h.commune_code or "") not in communes:
            raise OutsideCommunes(message("store_outside_communes", code=h.household_code or h.uuid[:8],
                                          commune=h.commune_code or "-", communes=", ".join(communes)))

    def reopen(self, uuid: str, *, actor: str) -> Saved:
        """Back to draft, for a correction after marking complete."""
        with self._write():
            h = self.get(uuid)
            return self._save(h.record or {"uuid": uuid}, actor=actor, expected_revision=h.revision,
                              action="reopen", status="draft")

    def delete(self, uuid: str, *, actor: str) -> None:
        """Remove a household's answers and keep a tombstone, so the deletion can be synced."""
        with self._write():
            h = self.get(uuid)
            if h.deleted_at:
                return
            now = self.clock()
            rowid = self.conn.execute(
                "UPDATE households SET deleted_at = ?, updated_at = ?, revision = revision + 1, data = NULL "
                "WHERE uuid = ? RETURNING rowid", [now, now, uuid]).fetchone()[0]
            self.conn.execute("DELETE FROM household_search WHERE rowid = ?", [self._SEARCH_SIGN * rowid])
            sharers = self._sharers(uuid)
            self.conn.execute("DELETE FROM unique_values WHERE household_uuid = ?", [uuid])
            self._recount(sharers)
            self._log(uuid, h.revision + 1, actor, "delete", [["household", h.household_code, None]])

    def deleted(self) -> list[Household]:
        return [Household(*r) for r in self.conn.execute(
            f"SELECT {_SUMMARY} FROM households WHERE deleted_at IS NOT NULL ORDER BY deleted_at")]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._write():
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, value])


def _summary_fields(definition: Definition) -> dict[str, str]:
    return {col: definition.summary.get(col, col) for col in
            ("household_code", "province_code", "commune_code", "village", "head_name")}


def _text(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


def fts_query(text: str) -> str:
    """'Đặng Văn' -> '"dang"* AND "van"*': every word as a prefix, diacritics folded."""
    return " AND ".join(f'"{w}"*' for w in re.findall(r"\w+", fold(text)))
