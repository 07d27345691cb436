"""The local store: saves, statuses, change log, search, uniqueness, tombstones, errors."""

from __future__ import annotations

import copy
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from forms.registry import FormRegistry
from forms.store import (
    ConflictError,
    NeedsConfirmation,
    NewerDatabaseError,
    NotCompletable,
    Store,
    StoreError,
    schema,
)
from tests import factories as fx


def test_save_and_read_back(store: Store) -> None:
    saved = store.save(fx.household(), actor="lan")
    h = store.get(saved.household.uuid)
    assert (h.revision, h.status, h.household_code, h.head_name, h.member_count) == (1, "draft", "HT-0001", "Đặng Văn Hùng", 5)
    assert h.record["members"][0]["full_name"] == "Đặng Văn Hùng"
    assert all(len(m["_id"]) == 32 for m in h.record["members"])
    assert (h.error_count, h.warning_count) == (0, 0)
    assert h.form_id == "labour_supply" and h.form_version == "2"


def test_a_draft_saves_whatever_its_errors(store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = "12"
    del rec["household"]["village"]
    saved = store.save(rec, actor="lan")
    assert saved.household.status == "draft"
    assert store.get(saved.household.uuid).error_count == 2


def test_text_is_stored_nfc(store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["full_name"] = unicodedata.normalize("NFD", "Đặng Văn Hùng")
    uuid = store.save(rec, actor="lan").household.uuid
    raw = store.conn.execute("SELECT data FROM households WHERE uuid = ?", [uuid]).fetchone()[0]
    assert "Đặng Văn Hùng" in raw and unicodedata.is_normalized("NFC", raw)


def test_revisions_and_change_log(store: Store) -> None:
    rec = fx.household()
    first = store.save(rec, actor="lan").household
    rec = copy.deepcopy(first.record)
    rec["members"][0]["job"] = "Thợ điện"
    second = store.save(rec, actor="lan").household
    assert second.revision == 2
    again = store.save(rec, actor="lan")  # nothing changed: no new revision, no log entry
    assert not again.changed and again.household.revision == 2
    history = store.history(first.uuid)
    assert [(e["revision"], e["action"]) for e in history] == [(1, "create"), (2, "update")]
    assert history[0]["changes"] == [["", None, {k: first.record[k] for k in ("household", "members")}]]
    row_id = first.record["members"][0]["_id"]
    assert history[1]["changes"] == [[f"members/{row_id}/job", "Công nhân may", "Thợ điện"]]


def test_change_log_is_append_only(store: Store) -> None:
    store.save(fx.household(), actor="lan")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE change_log SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM change_log")


def test_stale_edit_is_refused(store: Store) -> None:
    h = store.save(fx.household(), actor="lan").household
    rec = copy.deepcopy(h.record)
    rec["household"]["address"] = "14 Lê Lợi"
    store.save(rec, actor="lan", expected_revision=1)
    rec["household"]["address"] = "16 Lê Lợi"
    with pytest.raises(ConflictError):
        store.save(rec, actor="other window", expected_revision=1)
    assert store.get(h.uuid).record["household"]["address"] == "14 Lê Lợi"


def test_complete_is_refused_while_errors_remain(store: Store) -> None:
    rec = fx.household()
    del rec["members"][0]["job"]
    uuid = store.save(rec, actor="lan").household.uuid
    with pytest.raises(NotCompletable) as info:
        store.complete(uuid, actor="lan")
    assert [str(f.ref) for f in info.value.evaluation.errors] == ["members[0].job"]
    assert "1 error" in info.value.msg.en
    assert store.get(uuid).status == "draft"


def test_warnings_need_confirmation(store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = "123456789"  # old card number: a warning
    uuid = store.save(rec, actor="lan").household.uuid
    with pytest.raises(NeedsConfirmation):
        store.complete(uuid, actor="lan")
    assert store.complete(uuid, actor="lan", accept_warnings=True).household.status == "complete"


def test_complete_removes_answers_that_no_longer_apply(store: Store) -> None:
    rec = fx.household()
    rec["members"][4]["labour_status"] = "1"  # the 12-year-old
    uuid = store.save(rec, actor="lan").household.uuid
    assert store.get(uuid).record["members"][4]["labour_status"] == "1"  # a draft keeps it
    done = store.complete(uuid, actor="lan").household
    assert done.status == "complete" and done.revision == 2
    assert "labour_status" not in store.get(uuid).record["members"][4]
    last = store.history(uuid)[-1]
    assert last["action"] == "complete"
    assert next(c for c in last["changes"] if c[0].endswith("/labour_status"))[1:] == ["1", None]


def test_editing_a_complete_household_makes_it_a_draft(store: Store) -> None:
    uuid = store.save(fx.household(), actor="lan").household.uuid
    store.complete(uuid, actor="lan")
    rec = store.get(uuid).record
    rec["household"]["address"] = "20 Lê Lợi"
    assert store.save(rec, actor="lan").household.status == "draft"


def test_search_ignores_case_and_diacritics_including_d(store: Store) -> None:
    store.save(fx.household(), actor="lan")
    other = fx.household(household_code="HT-0002")
    other["uuid"] = None
    for m in other["members"]:
        m.pop("citizen_id", None)
        m["full_name"] = m["full_name"].replace("Đặng", "Trần")
    store.save(other, actor="lan")
    assert [h.household_code for h in store.search("dang")] == ["HT-0001"]
    assert [h.household_code for h in store.search("ĐẶNG văn")] == ["HT-0001"]
    assert {h.household_code for h in store.search("hoa")} == {"HT-0001", "HT-0002"}  # Hoà
    assert [h.household_code for h in store.search("tran duc")] == ["HT-0002"]
    assert [h.household_code for h in store.search("ht-0002")] == ["HT-0002"]
    assert [h.household_code for h in store.search(fx.citizen_id(1975, "1", serial=1))] == ["HT-0001"]
    assert store.search("nguyen") == []
    assert store.search("   ") == []


def test_citizen_id_seen_in_another_household_is_a_warning(store: Store) -> None:
    store.save(fx.household(), actor="lan")
    moved = fx.household(household_code="HT-0099")
    moved["members"] = [copy.deepcopy(fx.household()["members"][0])]  # the head moved here
    saved = store.save(moved, actor="lan")
    found = {(str(f.ref), f.rule, f.severity) for f in saved.evaluation.findings}
    assert ("members[0].citizen_id", "citizen_id:unique:database", "warning") in found


def test_household_code_unique_within_the_commune(store: Store) -> None:
    store.save(fx.household(), actor="lan")
    twin = fx.household()  # same code HT-0001 in the same commune
    for m in twin["members"]:
        m.pop("citizen_id", None)
    found = {(str(f.ref), f.rule) for f in store.save(twin, actor="lan").evaluation.errors}
    assert ("household_code", "household_code:unique:database") in found
    elsewhere = fx.household(commune_code="14758")  # Phường Hàm Rồng, Thanh Hóa
    for m in elsewhere["members"]:
        m.pop("citizen_id", None)
    assert not store.save(elsewhere, actor="lan").evaluation.errors


def test_the_list_counts_the_error_a_later_household_gives_an_earlier_one(store: Store) -> None:
    first = store.save(fx.household(), actor="lan").household
    assert (first.error_count, first.warning_count) == (0, 0)
    twin = fx.household()  # HT-0001 again, typed from another paper form, same people
    second = store.save(twin, actor="lan").household

    def counts(uuid: str) -> tuple[int, int]:
        h = store.get(uuid)
        return h.error_count, h.warning_count

    # the code taken twice is an error of both, each citizen ID seen elsewhere a warning of both
    assert counts(first.uuid)[0] == 1 and counts(first.uuid)[1] >= 1
    assert counts(first.uuid) == counts(second.uuid)
    assert counts(first.uuid) == (len(store.evaluate(first.record).errors), len(store.evaluate(first.record).warnings))
    revision = store.get(first.uuid).revision  # recounting is not an edit
    store.delete(second.uuid, actor="lan")
    assert counts(first.uuid) == (0, 0) and store.get(first.uuid).revision == revision

    third = fx.household(household_code="HT-0003")
    for m in third["members"]:
        m.pop("citizen_id", None)
    third_uuid = store.save(third, actor="lan").household.uuid
    third = store.get(third_uuid).record
    third["household"]["household_code"] = "HT-0001"
    store.save(third, actor="lan")
    assert counts(first.uuid)[0] == 1
    third["household"]["household_code"] = "HT-0003"  # corrected from the paper
    store.save(third, actor="lan")
    assert counts(first.uuid) == (0, 0)


def test_delete_leaves_a_tombstone(store: Store) -> None:
    uuid = store.save(fx.household(), actor="lan").household.uuid
    store.delete(uuid, actor="lan")
    assert store.list() == [] and store.search("dang") == []
    (t,) = store.deleted()
    assert (t.uuid, t.revision) == (uuid, 2) and t.deleted_at and t.record is None
    assert store.history(uuid)[-1]["action"] == "delete"
    with pytest.raises(StoreError):
        store.save(fx.household() | {"uuid": uuid}, actor="lan")


def test_counts_and_filters(store: Store) -> None:
    for i, rec in enumerate(fx.generated(12)):
        saved = store.save(rec, actor="lan")
        if i % 3 == 0 and not saved.evaluation.errors:
            store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
    counts = store.counts()
    assert counts["draft"] + counts["complete"] == 12
    assert counts["complete"] == 4
    assert len(store.list(status="complete")) == 4
    village = store.villages()[0]
    assert all(h.village == village for h in store.list(village=village))


def test_refuses_a_database_from_a_newer_program(tmp_path: Path, forms_registry: FormRegistry) -> None:
    path = tmp_path / "newer.sqlite"
    Store(path, forms_registry).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError) as info:
        Store(path, forms_registry)
    assert "newer version" in info.value.msg.en and "mới hơn" in info.value.msg.vi
    assert path.read_bytes() == before


def test_migrates_a_schema_1_database_forward(tmp_path: Path, forms_registry: FormRegistry) -> None:
    """A profile made by the first release (schema 1: no search index) is upgraded in place,
    backed up first, and its households become searchable."""
    import json

    from sqlite_utils import Database

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](Database(conn), forms_registry)
    conn.execute("PRAGMA user_version = 1")
    rec = fx.household()
    answers = {"household": rec["household"], "members": [{"_id": f"{i:032x}", **m} for i, m in enumerate(rec["members"])]}
    conn.execute(
        "INSERT INTO households (uuid, form_id, form_version, revision, status, household_code, village, "
        "head_name, member_count, error_count, warning_count, officer, created_at, updated_at, data) "
        "VALUES ('8c5d1a2e-0000-4000-8000-000000000001', 'labour_supply', '1', 3, 'complete', 'HT-0001', "
        "'Tổ dân phố Đông Sơn', 'Đặng Văn Hùng', 5, 0, 0, 'lan', '2026-10-15', '2026-10-15', ?)",
        [json.dumps(answers, ensure_ascii=False)])
    conn.close()

    with Store(path, forms_registry) as store:
        assert store.schema_version == schema.LATEST
        assert [h.revision for h in store.search("dang hung")] == [3]
        assert store.get("8c5d1a2e-0000-4000-8000-000000000001").status == "complete"
        assert store.integrity_check() == "ok"
    backup = path.with_name(path.name + ".schema-1.bak")
    assert sqlite3.connect(backup).execute("PRAGMA user_version").fetchone()[0] == 1


def test_disk_full_is_a_plain_message_and_loses_nothing(store: Store) -> None:
    saved = store.save(fx.household(), actor="lan").household
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    big = fx.generated(1, members=8)[0]
    big["household"]["address"] = "x" * 200_000
    with pytest.raises(StoreError) as info:
        store.save(big, actor="lan")
    assert "disk is full" in info.value.msg.en and "Ổ đĩa đã đầy" in info.value.msg.vi
    assert store.get(saved.uuid).revision == 1
    assert store.integrity_check() == "ok"


def test_not_a_database(tmp_path: Path, forms_registry: FormRegistry) -> None:
    path = tmp_path / "households.sqlite"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(StoreError) as info:
        Store(path, forms_registry)
    assert "not a labour-survey data file" in info.value.msg.en


def test_households_with_a_server_note_newest_first_and_counted(store: Store) -> None:
    """What the sync panel lists: refused or returned households still to correct, not the
    deleted ones nor those corrected and marked complete again."""
    uuids = [store.save(fx.household(household_code=f"HT-N{i}"), actor="lan").household.uuid for i in range(5)]
    note = '{"outcome": "rejected", "message": {"vi": "Sai", "en": "Wrong"}}'
    for uuid in uuids[:4]:
        store.conn.execute("UPDATE households SET server_note = ? WHERE uuid = ?", (note, uuid))
    store.delete(uuids[0], actor="lan")
    store.conn.execute("UPDATE households SET status = 'complete' WHERE uuid = ?", (uuids[1],))
    store.conn.execute("UPDATE households SET status = 'returned' WHERE uuid = ?", (uuids[3],))
    found, total = store.with_server_note()
    assert total == 2 and [h.household_code for h in found] == ["HT-N3", "HT-N2"]
    assert all(h.server_note == note for h in found)
    found, total = store.with_server_note(limit=1)
    assert total == 2 and len(found) == 1


def test_a_damaged_encrypted_file_is_refused_untouched(tmp_path: Path, forms_registry: FormRegistry) -> None:
    """Any overwritten bytes in any page of an encrypted profile: found at opening (page HMACs),
    the file left as it was; the message says how to go back to the backup."""
    from forms.store import health, keys

    key = keys.new_data_key()
    path = tmp_path / "p" / "households.sqlite"
    with Store(path, forms_registry, key=key) as store:
        for rec in fx.generated(30):
            store.save(rec, actor="lan")
    with Store(path, forms_registry, key=key):
        pass  # a second opening (a new process would do the same): today's backup
    assert len(health.backups(path)) == 1
    health._CHECKED.clear()  # what a new process starts with
    data = bytearray(path.read_bytes())
    data[len(data) // 2 + 100] ^= 0x01  # one bit
    path.write_bytes(bytes(data))
    with pytest.raises(health.Damaged) as info:
        Store(path, forms_registry, key=key)
    assert "is damaged" in info.value.msg.en and "bị hỏng" in info.value.msg.vi and "(30 households)" in info.value.msg.en
    assert path.read_bytes() == bytes(data)
