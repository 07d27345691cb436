"""The store's schema and its forward migrations. PRAGMA user_version holds the version."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlite_utils import Database

from forms.engine import unique_keys
from forms.records import search_text
from forms.registry import FormRegistry

Migration = Callable[[Database, FormRegistry], None]


def _v1(db: Database, _forms: FormRegistry) -> None:
    db["households"].create({
        "uuid": str, "form_id": str, "form_version": str, "revision": int, "status": str,
        "household_code": str, "province_code": str, "commune_code": str, "village": str,
        "head_name": str, "member_count": int, "error_count": int, "warning_count": int,
        "officer": str, "created_at": str, "updated_at": str, "deleted_at": str, "data": str,
    }, pk="uuid", not_null={"form_id", "form_version", "revision", "status", "created_at", "updated_at"})
    db["change_log"].create({
        "id": int, "household_uuid": str, "revision": int, "at": str, "actor": str,
        "action": str, "changes": str,
    }, pk="id", not_null={"household_uuid", "revision", "at", "actor", "action", "changes"})
    db["change_log"].create_index(["household_uuid", "id"])
    # The change log is append-only: history that can be rewritten is no history.
    db.execute("CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log "
               "BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END")
    db.execute("CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log "
               "BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END")
    db["settings"].create({"key": str, "value": str}, pk="key")


def _v2(db: Database, forms: FormRegistry) -> None:
    """Diacritic-free search, database-wide uniqueness checks, list indexes."""
    # Keyed by the households table's rowid, so that replacing one household's entry is a
    # lookup, not a scan of the whole index.
    db.execute("CREATE VIRTUAL TABLE household_search USING fts5(body, tokenize='unicode61')")
    db["unique_values"].create({"household_uuid": str, "field": str, "scope": str, "value": str})
    db["unique_values"].create_index(["field", "scope", "value"])
    db["unique_values"].create_index(["household_uuid"])
    db["households"].add_column("sent_revision", int)
    db["households"].create_index(["status"])
    db["households"].create_index(["updated_at"])
    db["households"].create_index(["village"])
    rows = db.execute("SELECT rowid, uuid, form_id, form_version, data FROM households WHERE deleted_at IS NULL")
    for rowid, uuid, form_id, version, data in rows.fetchall():
        definition = forms.get(form_id, version)
        record = json.loads(data)
        db.execute("INSERT INTO household_search(rowid, body) VALUES (?, ?)", [rowid, search_text(definition, record)])
        for field, within, value in unique_keys(definition, record):
            db.execute("INSERT INTO unique_values VALUES (?, ?, ?, ?)", [uuid, field, "\x1f".join(within), value])


def _v3(db: Database, _forms: FormRegistry) -> None:
    """Sync: the server's revision of each household, the batches waiting for a receipt."""
    db["households"].add_column("server_revision", int)
    db["households"].add_column("server_note", str)  # why the server refused it, in both languages
    # A batch is written here, payload and all, before it is sent, and sent again unchanged
    # until its receipt is stored: a cut link or a killed program never makes a second batch
    # of the same records.
    db["sync_batches"].create({
        "batch_id": str, "created_at": str, "payload": bytes, "records": str, "state": str,
        "receipt": str, "done_at": str,
    }, pk="batch_id", not_null={"created_at", "payload", "records", "state"})
    db["sync_batches"].create_index(["state"])


def _v4(db: Database, _forms: FormRegistry) -> None:
    """Indexes that let the household list filter by status or village, newest change first,
    and count by status, without reading the whole table (100,000 households)."""
    db["households"].create_index(["status", "updated_at"])
    db["households"].create_index(["village", "updated_at"])
    db["households"].create_index(["deleted_at", "status"])
    db["households"].create_index(["deleted_at", "updated_at"])


# Prefix indexes for prefixes of 1 to 8 characters: a prefix query of another length makes FTS5
# read and merge the doclists of every matching term (all of them for "n" or "van") before the
# first row, where an indexed prefix is read like a single term and stops at the LIMIT. 1 to 6
# covers Vietnamese syllables as they are typed, 7 and 8 the start of citizen IDs and phone
# numbers. Measured at 20,000 households: the index grows from 2 to 8 MB (the file is 160 MB),
# a save's index update from 0.05 to 0.09 ms (plain) and 0.17 to 0.26 ms (encrypted), and
# searches take about a third of the time (an eighth with Store._SEARCH_SIGN's order).
# Tokenizer options (ascii; remove_diacritics 0, as the text is folded already) made no
# measurable difference and were left as they were.
SEARCH_INDEX = "CREATE VIRTUAL TABLE {name} USING fts5(body, tokenize='unicode61', prefix='1 2 3 4 5 6 7 8')"


def _v5(db: Database, _forms: FormRegistry) -> None:
    """The search index again, with prefix indexes and keyed by minus the household's rowid,
    so that newest first is FTS5's ascending rowid order (see Store._SEARCH_SIGN).

    The texts are copied from the old index, not made again from the answers: the same text
    gives the same matches, and needs no questionnaire version. Runs in the migration's one
    transaction: a kill leaves the schema 4 index as it was, and the next opening starts over."""
    db.execute(SEARCH_INDEX.format(name="household_search_v5"))
    # Ascending new rowids: a rowid lower than the last one in the same transaction makes FTS5
    # write out what it holds, a segment per row here.
    db.execute("INSERT INTO household_search_v5(rowid, body) "
               "SELECT -rowid, body FROM household_search ORDER BY rowid DESC")
    db.execute("DROP TABLE household_search")
    db.execute("ALTER TABLE household_search_v5 RENAME TO household_search")
    # Merged into one b-tree: half the search time of the index as the insert leaves it
    # (20,000 households), until the officer's saves have added segments of their own.
    db.execute("INSERT INTO household_search(household_search) VALUES ('optimize')")


MIGRATIONS: list[Migration] = [_v1, _v2, _v3, _v4, _v5]
LATEST = len(MIGRATIONS)
