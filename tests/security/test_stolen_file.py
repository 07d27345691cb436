"""A thief copies the profile folder of an encrypted profile: no name, citizen ID or address
can be read from any file in it (database, -wal, -shm, backups, key file). The same check on a
plain profile finds them all, so the check is able to fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from forms import profiles
from forms.store import Store, cipher, keys, schema
from forms.store.store import utc_now
from tests.security.data import CITIZEN_IDS, NAMES, SECRETS, secret_household
from tests.security.helpers import FAST, PASSPHRASE, files_under, found_in


def fill(store: Store) -> None:
    """What an officer does: new households, a correction, one complete, one deleted."""
    for i in range(3):
        store.save(secret_household(i), actor="lan")
    h = store.get(secret_household(0)["uuid"])
    record = h.record
    record["household"]["phone"] = "0987654321"
    store.save(record, actor="lan")
    store.complete(h.uuid, actor="lan")
    store.delete(secret_household(2)["uuid"], actor="lan")
    assert store.search("xuyen")  # the search index is filled (folded text)


def test_a_stolen_encrypted_profile_gives_away_no_personal_data(tmp_path: Path) -> None:
    db = tmp_path / "profiles" / "lan" / "households.sqlite"
    profiles.create(db, PASSPHRASE, kdf=FAST)
    store = Store(db)
    assert store.encrypted
    fill(store)
    wal = db.with_name(db.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the recent saves are in the WAL: it is looked at too"
    # Copied while the program is open (the WAL holds the last saves), then after it closed.
    assert found_in(files_under(db.parent), SECRETS) == []
    store.close()
    assert found_in(files_under(db.parent), SECRETS) == []
    assert {p.name for p in files_under(db.parent)} >= {"households.sqlite", "households.sqlite.keys.json"}

    # The data is all there for the officer who has the passphrase.
    keys.forget()
    profiles.unlock(db, PASSPHRASE)
    with Store(db) as again:
        found = again.search("khong thi xuyen")
        assert sorted(h.household_code for h in found) == ["HT-SEC-0", "HT-SEC-1"]  # HT-SEC-2 was deleted
        [h] = again.search(CITIZEN_IDS[1])
        assert h.household_code == "HT-SEC-0" and again.get(h.uuid).record["members"][0]["full_name"] == NAMES[0]


def test_the_same_check_finds_everything_in_a_plain_profile(tmp_path: Path) -> None:
    db = tmp_path / "profiles" / "plain" / "households.sqlite"
    store = Store(db)
    fill(store)
    store.close()
    hits = found_in(files_under(db.parent), SECRETS)
    found = {value for value in SECRETS if any(value.encode() in n or value.encode("utf-16-le") in n for _f, n in hits)}
    assert found == set(SECRETS), "the thief's search must be able to find what a plain file holds"
    assert any(n == b"khong thi xuyen" for _f, n in hits), "the folded form of the search index too"


def test_a_schema_backup_of_an_encrypted_profile_is_encrypted(tmp_path: Path) -> None:
    """The store backs a database up before migrating its schema (`.schema-N.bak`): for an
    encrypted profile the backup is encrypted under the same key."""
    db = tmp_path / "profiles" / "old" / "households.sqlite"
    db.parent.mkdir(parents=True)
    key = keys.new_data_key()
    conn = cipher.connect(db, key)
    old = Database(conn)
    for migration in schema.MIGRATIONS[:3]:
        migration(old, None)  # type: ignore[arg-type]  # no households yet: the forms are not read
    conn.execute("PRAGMA user_version = 3")
    now = utc_now()
    conn.execute("INSERT INTO households (uuid, form_id, form_version, revision, status, head_name, member_count, "
                 "error_count, warning_count, created_at, updated_at, data) VALUES (?, 'labour_supply', '1', 1, "
                 "'draft', ?, 1, 0, 0, ?, ?, ?)", ["u-1", NAMES[0], now, now, f'{{"cid": "{CITIZEN_IDS[0]}"}}'])
    conn.close()

    with Store(db, key=key) as store:
        assert store.schema_version == schema.LATEST
    backup = db.with_name(db.name + ".schema-3.bak")
    assert backup.exists() and not cipher.is_plain_file(backup)
    assert found_in(files_under(db.parent), SECRETS) == []
    restored = cipher.connect(backup, key)
    assert restored.execute("SELECT head_name FROM households").fetchone()[0] == NAMES[0]
    assert restored.execute("PRAGMA user_version").fetchone()[0] == 3
    restored.close()


def test_wal_fts5_triggers_and_sqlite_utils_work_on_an_encrypted_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "households.sqlite", key=keys.new_data_key())
    fill(store)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert "household_search" in store.db.table_names()
    assert store.db["households"].count == 3
    assert store.integrity_check() == "ok"
    with pytest.raises(cipher.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE change_log SET actor = 'someone else'")
    store.close()


def test_the_wrong_key_opens_nothing(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    Store(db, key=keys.new_data_key()).close()
    with pytest.raises(profiles.StoreError, match="not a labour-survey data file"):
        Store(db, key=keys.new_data_key())
    with pytest.raises(profiles.StoreError, match="not a labour-survey data file"):
        Store(db)  # no key file beside it: opened as plain SQLite, which it is not
