"""Upgrading keeps the officer's data: a profile left by the program with store schema 4
(tests/fixtures/profile-v4.sqlite, made by make_profile_v4.py beside it) opens with the current
program, migrated to its latest schema, with every household, status, answer, change-log entry,
setting and search intact. Asserts on the data, not on one schema version, so that it holds
across later migrations."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop import launcher
from forms.store import Store, outbox
from forms.store.schema import LATEST

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "profile-v4.sqlite"
FIXTURE_SCHEMA = 4
U = "0b6f7a2e-3c1d-4e8f-9a10-00000000000"
# code: (uuid, head of household, status, revision, the change log's actions)
HOUSEHOLDS = {
    "HT-0001": (U + "1", "Đặng Văn Hùng", "complete", 5, ["create", "update", "complete", "sent", "reopen", "complete"]),
    "HT-0002": (U + "2", "Nguyễn Thị Ánh Tuyết", "draft", 1, ["create"]),
    "HT-0003": (U + "3", "Lò Văn Pâng", "draft", 3, ["create", "complete", "reopen"]),
    "HT-0005": (U + "5", "Ngô Quý Đức", "sent", 2, ["create", "complete", "sent"]),
    "HT-0006": (U + "6", "Bùi Thị Yến", "complete", 2, ["create", "complete"]),
}
DELETED = (U + "4", "HT-0004", ["create", "delete"])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """A copy of the fixture where the program keeps a profile: never the committed file itself."""
    target = tmp_path / "data" / "profiles" / "default" / "households.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURE, target)
    return target


def test_the_fixture_is_a_single_small_schema_4_file() -> None:
    assert FIXTURE.stat().st_size < 400_000
    assert not FIXTURE.with_name(FIXTURE.name + "-wal").exists()
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FIXTURE_SCHEMA
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_every_household_survives_the_upgrade(profile: Path) -> None:
    before = digest(FIXTURE)
    with Store(profile) as store:
        assert store.schema_version == LATEST
        assert store.integrity_check() == "ok"
        for code, (uuid, head, status, revision, actions) in HOUSEHOLDS.items():
            h = store.get(uuid)
            assert (h.household_code, h.head_name, h.status, h.revision) == (code, head, status, revision)
            assert h.record is not None and h.record["members"][0]["full_name"] == head  # diacritics intact
            assert h.record["household"]["village"] in ("Tổ dân phố Đông Sơn", "Thôn Yên Trường")
            assert [e["action"] for e in store.history(uuid)] == actions
            assert [e["revision"] for e in store.history(uuid)][-1] == revision
        one = store.get(HOUSEHOLDS["HT-0001"][0])
        assert one.record["household"]["phone"] == "0987654321"  # the edit before completing
        assert (one.sent_revision, one.server_revision) == (3, 1)
        uuid, code, actions = DELETED
        gone = store.get(uuid)
        assert gone.deleted_at and gone.record is None and gone.household_code == code
        assert [e["action"] for e in store.history(uuid)] == actions
        assert [h.uuid for h in store.deleted()] == [uuid]
        assert sorted(h.household_code for h in store.list()) == sorted(HOUSEHOLDS)
        assert {k: v for k, v in store.counts().items() if k in ("draft", "complete", "sent")} == \
            {"draft": 2, "complete": 2, "sent": 1}
        assert outbox.waiting(store) == 2 and outbox.pending(store) is None  # HT-0001 again, and HT-0006
    assert digest(FIXTURE) == before  # the committed file was not the one opened


def test_answers_findings_and_settings_survive(profile: Path) -> None:
    with Store(profile) as store:
        for code, (uuid, *_rest) in HOUSEHOLDS.items():
            h = store.get(uuid)
            errors = store.evaluate(h.record, store.definition_of(h)).errors
            assert bool(errors) == (code == "HT-0002"), (code, [str(f.ref) for f in errors])
            assert h.error_count == len(errors)
        assert store.get_setting("officer.name") == "Nguyễn Thị Lan"
        assert json.loads(store.get_setting("officer.villages")) == ["Tổ dân phố Đông Sơn", "Thôn Yên Trường"]
        assert store.get_setting("sync.server_url") == "https://laodong.thanhhoa.example:8470"
        assert store.get_setting("sync.token") == "fixture-token"


@pytest.mark.parametrize(("query", "code"), [
    ("dang van hung", "HT-0001"), ("nguyen thi anh tuyet", "HT-0002"), ("LO VAN PANG", "HT-0003"),
    ("ngo quy duc", "HT-0005"), ("bui thi yen", "HT-0006"), ("Đặng Văn", "HT-0001"),
])
def test_search_without_diacritics_finds_them(profile: Path, query: str, code: str) -> None:
    with Store(profile) as store:
        assert [h.household_code for h in store.search(query)] == [code]
        assert store.search("ho thi huong") == []  # the deleted household is not found


def test_the_old_file_is_backed_up_when_migrated_and_the_profile_stays_writable(profile: Path) -> None:
    with Store(profile) as store:
        six = HOUSEHOLDS["HT-0006"][0]
        store.reopen(six, actor="lan")
        record = store.get(six).record
        record["household"]["address"] = "15 Trần Phú"
        store.save(record, actor="lan")
        store.complete(six, actor="lan", accept_warnings=True)
        assert [e["action"] for e in store.history(six)][-3:] == ["reopen", "update", "complete"]
    backups = sorted(profile.parent.glob("households.sqlite.schema-*.bak"))
    if LATEST > FIXTURE_SCHEMA:  # a migration ran: the schema-4 file was kept first
        assert [b.name for b in backups] == [f"households.sqlite.schema-{FIXTURE_SCHEMA}.bak"]
        conn = sqlite3.connect(backups[0])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FIXTURE_SCHEMA
        conn.close()
    else:
        assert backups == []
    with Store(profile) as store:  # opened again after the upgrade: nothing more to migrate
        assert store.schema_version == LATEST
        assert store.get(HOUSEHOLDS["HT-0006"][0]).record["household"]["address"] == "15 Trần Phú"


def test_the_command_line_lists_them(profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = profile.parent.parent.parent
    assert launcher.main(["--lang", "en", "--data-dir", str(data), "households", "list"]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in HOUSEHOLDS) and "HT-0004" not in out
