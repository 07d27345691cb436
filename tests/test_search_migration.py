"""Store schema 5 rebuilds the search index (prefix indexes, keyed by minus the household's
rowid, see forms/store/schema.py): a schema 4 profile, plain or encrypted, migrates with every
household, finds the same households in the same order for the same queries as before, a kill
during the migration leaves the schema 4 profile as it was, and a newer profile is refused."""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forms import profiles
from forms.registry import FormRegistry
from forms.store import NewerDatabaseError, Store, cipher, keys, schema
from forms.store.store import fts_query
from tests import factories as fx
from tests.security.helpers import FAST, PASSPHRASE, files_under, found_in

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "profile-v4.sqlite"
Connection = Any  # sqlite3 or sqlcipher3: the same DB-API

# Typed as officers type them: capitals, diacritics or none, decomposed (NFD), several words,
# a code with its dash, nothing to find, nothing at all.
TYPED = ["Đặng Văn", "ĐẶNG văn hùng", unicodedata.normalize("NFD", "Đặng Văn Hùng"), "dang van hung", "Hoà", "hoa",
         "Thôn Yên Trường", "to dan pho", "HT-0001", "ht-00", "ht 0003", "lo van pang", "ngo quy duc", "bui thi yen",
         "nguyen thi anh tuyet", "ho thi huong", "0912", "038", "n", "đ", "zzz", "   ", ""]


class SchemaFourStore(Store):
    """The store as the program with store schema 4 kept it (as bench/bench_crypto.py's): the
    same migrations up to 4 only, and that schema's search index keyed by the household's rowid."""

    _SEARCH_SIGN = 1

    def _migrate(self, target: int = 4) -> None:
        super()._migrate(target)


@pytest.fixture(autouse=True)
def _no_key_outlives_its_test() -> Iterator[None]:
    keys.forget()
    yield
    keys.forget()


def found_before(conn: Connection, text: str) -> list[str]:
    """What the schema 4 program's search found (its Store.search without a limit): newest
    first, read backwards in an index keyed by the household's rowid."""
    query = fts_query(text)
    if not query:
        return []
    return [r[0] for r in conn.execute(
        "SELECT h.uuid FROM household_search s CROSS JOIN households h ON h.rowid = s.rowid "
        "WHERE household_search MATCH ? AND h.deleted_at IS NULL ORDER BY s.rowid DESC", [query])]


def found_now(store: Store, text: str) -> list[str]:
    return [h.uuid for h in store.search(text, limit=100_000)]


def queries(conn: Connection) -> list[str]:
    """Every word in the index and each of its prefixes (a few of the numbers: citizen IDs,
    phones and codes are each their own word), pairs of words, and TYPED."""
    bodies = [r[0] for r in conn.execute("SELECT body FROM household_search ORDER BY rowid")]
    words = sorted({w for body in bodies for w in re.findall(r"\w+", body)})
    numbers = [w for w in words if w.isdigit()]
    chosen = [w for w in words if not w.isdigit()] + numbers[:: max(1, len(numbers) // 6)]
    prefixes = {w[:n] for w in chosen for n in range(1, len(w) + 1)}
    pairs = {" ".join(body.split()[i:i + 2]) for body in bodies[:: max(1, len(bodies) // 20)] for i in (0, 3, 6)}
    return sorted(prefixes | pairs) + TYPED


def expected_results(conn: Connection) -> dict[str, list[str]]:
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'household_search'").fetchone()
    assert index is not None and "prefix" not in index[0], index
    return {q: found_before(conn, q) for q in queries(conn)}


def check_same_results(store: Store, expected: dict[str, list[str]]) -> None:
    assert store.schema_version == 5
    different = {q: (found, found_now(store, q)) for q, found in expected.items() if found_now(store, q) != found}
    assert different == {}
    for q in [q for q in expected if fts_query(q)][::7]:  # no text at all counts every household
        assert store.count(text=q) == len(expected[q]), q
    # Found at all: a comparison of empty results would prove nothing.
    assert sum(1 for found in expected.values() if found) > len(expected) // 2
    live = {r[0] for r in store.conn.execute("SELECT rowid FROM households WHERE deleted_at IS NULL")}
    assert {-r[0] for r in store.conn.execute("SELECT rowid FROM household_search")} == live
    assert "prefix='1 2 3 4 5 6 7 8'" in store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'household_search'").fetchone()[0]
    assert store.integrity_check() == "ok"


def profile_copy(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "profiles" / "default" / "households.sqlite"
    db.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURE, db)
    return db


def make_v4_profile(db: Path, forms: FormRegistry, key: bytes | None, households: int = 300) -> list[dict[str, Any]]:
    """A schema 4 profile used for a while: households imported, some renamed (their index
    entries replaced), some deleted. Returns the households as imported."""
    recs = fx.generated(households, seed=4)
    with SchemaFourStore(db, forms, key=key) as old:
        assert old.schema_version == 4
        with old.transaction():
            for rec in recs:
                old.save_within(rec, actor="lan", action="import")
        for rec in recs[::10]:
            renamed = copy.deepcopy(old.get(rec["uuid"]).record)
            renamed["members"][0]["full_name"] = "Khổng Văn Quỳnh"
            old.save(renamed, actor="lan")
        for rec in recs[5::25]:
            old.delete(rec["uuid"], actor="lan")
    return recs


def connect(db: Path, key: bytes | None) -> Connection:
    return sqlite3.connect(db) if key is None else cipher.connect(db, key)


def test_the_committed_v4_profile_finds_the_same_households_after_migrating(tmp_path: Path) -> None:
    before = hashlib.sha256(FIXTURE.read_bytes()).digest()
    db = profile_copy(tmp_path)
    conn = sqlite3.connect(db)
    expected = expected_results(conn)
    conn.close()
    assert expected["dang van hung"] == ["0b6f7a2e-3c1d-4e8f-9a10-000000000001"]
    assert expected["ho thi huong"] == []  # deleted

    with Store(db) as store:
        check_same_results(store, expected)
        assert len(store.list()) == 5 and len(store.deleted()) == 1
    backup = sqlite3.connect(db.with_name(db.name + ".schema-4.bak"))
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 4
    backup.close()
    assert hashlib.sha256(FIXTURE.read_bytes()).digest() == before


def test_an_encrypted_v4_profile_migrates_and_stays_encrypted(tmp_path: Path) -> None:
    db = profile_copy(tmp_path)
    key, _counts = profiles.encrypt(db, PASSPHRASE, kdf=FAST)
    assert not cipher.is_plain_file(db)
    conn = cipher.connect(db, key)
    expected = expected_results(conn)
    conn.close()
    assert expected["bui thi yen"] == ["0b6f7a2e-3c1d-4e8f-9a10-000000000006"]

    with Store(db) as store:  # the key profiles.encrypt left unlocked
        assert store.encrypted
        check_same_results(store, expected)
    backup = db.with_name(db.name + ".schema-4.bak")
    assert not cipher.is_plain_file(backup)
    conn = cipher.connect(backup, key)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()
    heads = ["Đặng Văn Hùng", "Nguyễn Thị Ánh Tuyết", "Lò Văn Pâng", "Ngô Quý Đức", "Bùi Thị Yến"]
    assert found_in(files_under(db.parent), heads) == []


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_used_profile_migrates_and_search_goes_on(tmp_path: Path, forms_registry: FormRegistry,
                                                    encrypted: bool) -> None:
    db = tmp_path / "households.sqlite"
    key = keys.new_data_key() if encrypted else None
    recs = make_v4_profile(db, forms_registry, key)
    conn = connect(db, key)
    expected = expected_results(conn)
    households = conn.execute("SELECT uuid, revision, data FROM households ORDER BY uuid").fetchall()
    renamed = {r["uuid"] for r in recs[::10]} - {r["uuid"] for r in recs[5::25]}
    assert set(found_before(conn, "khong van quynh")) == renamed and len(renamed) == 24
    conn.close()

    with Store(db, forms_registry, key=key) as store:
        check_same_results(store, expected)
        assert store.conn.execute("SELECT uuid, revision, data FROM households ORDER BY uuid").fetchall() == households
        # The index as schema 5 keeps it, kept up by saves and deletions.
        renamed = copy.deepcopy(store.get(recs[1]["uuid"]).record)
        renamed["members"][0]["full_name"] = "Triệu Thị Nhung"
        store.save(renamed, actor="lan")
        assert found_now(store, "trieu thi nhung") == [recs[1]["uuid"]]
        store.delete(recs[1]["uuid"], actor="lan")
        assert found_now(store, "trieu thi nhung") == []
        new = fx.generated(1, seed=99)[0]
        store.save(new, actor="lan")
        surname = fx.SURNAMES.index(new["members"][0]["full_name"].split()[0])
        assert found_now(store, fx.SURNAMES[surname])[0] == new["uuid"]  # newest first
        assert store.count(text="khong van quynh") == len(found_now(store, "khong van quynh")) == 24


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_migration_killed_midway_leaves_schema_4_and_runs_again(tmp_path: Path, forms_registry: FormRegistry,
                                                                  encrypted: bool) -> None:
    db = tmp_path / "households.sqlite"
    key = keys.new_data_key() if encrypted else None
    make_v4_profile(db, forms_registry, key, households=200)
    conn = connect(db, key)
    expected = expected_results(conn)
    conn.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.search_migrator", str(db), *([key.hex()] if key else [])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the old index dropped, the new one built, nothing committed
    proc.send_signal(signal.SIGKILL)
    _out, err = proc.communicate()
    assert line == "dropped\n", err

    conn = connect(db, key)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert expected_results(conn) == expected  # schema 4 and its index, as they were
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'household_search_v5%'").fetchone()[0] == 0
    conn.close()
    with Store(db, forms_registry, key=key) as store:
        check_same_results(store, expected)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_profile_from_a_newer_program_is_refused_untouched(tmp_path: Path, forms_registry: FormRegistry,
                                                             encrypted: bool) -> None:
    db = tmp_path / "households.sqlite"
    key = keys.new_data_key() if encrypted else None
    Store(db, forms_registry, key=key).close()
    conn = connect(db, key)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(NewerDatabaseError):
        Store(db, forms_registry, key=key)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []


def test_a_save_that_changes_no_searched_answer_keeps_its_index_entry(store: Store) -> None:
    def index() -> list[tuple[int, bytes]]:
        return store.conn.execute("SELECT id, block FROM household_search_data ORDER BY id").fetchall()

    h = store.save(fx.household(), actor="lan").household
    before = index()
    rec = copy.deepcopy(h.record)
    rec["members"][0]["job"] = "Thợ điện"  # not searched
    assert store.save(rec, actor="lan").changed
    assert index() == before
    rec["members"][0]["full_name"] = "Khổng Văn Quỳnh"
    store.save(rec, actor="lan")
    assert index() != before
    assert found_now(store, "khong van quynh") == [h.uuid] and found_now(store, "dang van hung") == []
    assert found_now(store, "dang minh duc") == [h.uuid]
