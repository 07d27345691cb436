"""Converting an existing plain profile, once: the encrypted copy is verified before it
replaces the plain file, the plain file, its journal files and its plain schema backups are
overwritten and deleted, and a kill at any moment leaves either the old plain profile intact or
the new encrypted one complete, never neither."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from forms import paths, profiles
from forms.store import Store, cipher, encryption, keys, schema
from forms.store.store import utc_now
from tests import factories as fx
from tests.security.data import CITIZEN_IDS, NAMES, SECRETS, secret_household
from tests.security.helpers import FAST, PASSPHRASE, ROOT, cli, files_under, found_in


def make_plain_profile(db: Path, households: int) -> None:
    """A profile as an older program left it: made at schema 3 (so that opening it now keeps a
    plain `.schema-3.bak`), then used: many households, the secret ones among them."""
    db.parent.mkdir(parents=True)
    old = Database(str(db))
    for migration in schema.MIGRATIONS[:3]:
        migration(old, None)  # type: ignore[arg-type]  # no households yet: the forms are not read
    now = utc_now()
    old.execute("INSERT INTO households (uuid, form_id, form_version, revision, status, head_name, member_count, "
                "error_count, warning_count, created_at, updated_at, data) VALUES (?, 'labour_supply', '1', 1, "
                "'draft', ?, 1, 0, 0, ?, ?, ?)", ["old-1", NAMES[3], now, now, f'{{"cid": "{CITIZEN_IDS[3]}"}}'])
    old.execute("PRAGMA user_version = 3")
    old.conn.commit()
    old.close()
    with Store(db) as store:
        with store.transaction():
            for rec in fx.generated(households, seed=9):
                store.save_within(rec, actor="lan", action="import")
        for i in range(2):
            store.save(secret_household(i), actor="lan")
    assert db.with_name(db.name + ".schema-3.bak").exists()


def snapshot(store: Store) -> tuple[str, int, int, str]:
    digest = hashlib.sha256()
    for row in store.conn.execute("SELECT uuid, revision, status, data FROM households ORDER BY uuid"):
        digest.update(repr(row).encode())
    return (store.integrity_check(), store.count(), store.conn.execute("SELECT count(*) FROM change_log").fetchone()[0],
            digest.hexdigest())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, int, int, str]]:
    db = tmp_path_factory.mktemp("template") / "profiles" / "lan" / paths.DB_NAME
    make_plain_profile(db, 3000)
    with Store(db) as store:
        return db, snapshot(store)


def copy_profile(template_db: Path, to: Path) -> Path:
    shutil.copytree(template_db.parent, to / "profiles" / "lan")
    return to / "profiles" / "lan" / paths.DB_NAME


def test_encrypting_a_plain_profile_with_its_backup(tmp_path: Path, template) -> None:
    template_db, expected = template
    db = copy_profile(template_db, tmp_path / "data")
    folder = db.parent
    backup = db.with_name(db.name + ".schema-3.bak")
    assert found_in([db, backup], SECRETS), "the plain files hold the data in clear before"
    # Hard links keep the old files' contents reachable after they are deleted: they show
    # whether the contents were overwritten, not just unlinked.
    os.link(db, tmp_path / "old-db-link")
    os.link(backup, tmp_path / "old-backup-link")

    r = cli(tmp_path / "data", "--profile", "lan", "profile", "encrypt", new=PASSPHRASE)
    assert r.returncode == 0, r.stderr
    assert "Encrypted the profile lan: 3003 household(s)" in r.stdout and "SSD" in r.stderr

    assert found_in(files_under(folder), SECRETS) == []
    assert not backup.exists() and not encryption.plain_old_path(db).exists()
    assert not encryption.encrypting_path(db).exists()
    for link in ("old-db-link", "old-backup-link"):
        data = (tmp_path / link).read_bytes()
        assert len(data) > 50_000 and data.count(0) == len(data), f"{link}: overwritten with zeros"
    profiles.unlock(db, PASSPHRASE)
    with Store(db) as store:
        assert snapshot(store) == expected
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    r = cli(tmp_path / "data", "--profile", "lan", "households", "search", "khong thi xuyen", passphrase=PASSPHRASE)
    assert r.returncode == 0 and "HT-SEC-0" in r.stdout
    r = cli(tmp_path / "data", "--profile", "lan", "profile", "encrypt", new=PASSPHRASE)
    assert r.returncode == 2 and "encrypted already" in r.stderr


def test_a_profile_open_in_another_program_is_not_converted(tmp_path: Path, template) -> None:
    template_db, expected = template
    db = copy_profile(template_db, tmp_path)
    desktop = Store(db)  # the officer's window holds it
    with pytest.raises(profiles.StoreError, match="open in another program"):
        profiles.encrypt(db, PASSPHRASE, kdf=FAST)
    assert not keys.is_encrypted(db) and cipher.is_plain_file(db)
    assert snapshot(desktop) == expected
    desktop.close()


def start(db: Path, kill_at: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.security.encrypter", str(db), kill_at], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def outcome_after_kill(db: Path, expected: tuple[str, int, int, str]) -> str:
    """What the officer finds after the kill: 'plain' (untouched) or 'encrypted' (complete)."""
    keys.forget()
    if keys.is_encrypted(db):
        profiles.unlock(db, PASSPHRASE)
        with Store(db) as store:  # finishes a conversion cut after its key file was written
            assert snapshot(store) == expected
        assert found_in(files_under(db.parent), SECRETS) == []
        assert not encryption.plain_old_path(db).exists() and not encryption.encrypting_path(db).exists()
        return "encrypted"
    assert cipher.is_plain_file(db)
    with Store(db) as store:
        assert snapshot(store) == expected
    # And the conversion can be done again, to the end.
    profiles.encrypt(db, PASSPHRASE, kdf=FAST)
    assert found_in(files_under(db.parent), SECRETS) == []
    with Store(db) as store:
        assert snapshot(store) == expected
    return "plain"


@pytest.mark.parametrize(("kill_at", "expected_outcome"), [
    ("exported", "plain"), ("verified", "plain"), ("key_file", "encrypted"), ("moved_aside", "encrypted"),
    ("swapped", "encrypted"),
])
def test_a_kill_after_each_step_leaves_one_whole_profile(tmp_path: Path, template, kill_at: str,
                                                         expected_outcome: str) -> None:
    template_db, expected = template
    db = copy_profile(template_db, tmp_path)
    proc = start(db, kill_at)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    assert out.splitlines()[-1] == kill_at
    if kill_at == "moved_aside":
        assert not db.exists(), "killed between the two renames: no file at the profile's path"
    assert outcome_after_kill(db, expected) == expected_outcome


def test_kills_at_random_moments_leave_one_whole_profile(tmp_path: Path, template) -> None:
    template_db, expected = template
    # How long a whole conversion takes here, to spread the kills over all of it.
    proc = start(copy_profile(template_db, tmp_path / "timing"), "none")
    assert proc.stdout is not None and proc.stdout.readline() == "started\n"
    began = time.monotonic()
    proc.communicate(timeout=120)
    duration = time.monotonic() - began
    rnd = random.Random(20261124)
    outcomes = []
    for i in range(8):
        db = copy_profile(template_db, tmp_path / f"run{i}")
        proc = start(db, "none")
        assert proc.stdout is not None
        assert proc.stdout.readline() == "started\n", proc.stderr.read() if proc.stderr else ""
        time.sleep(duration * (i + rnd.random()) / 8)  # one kill in each eighth of the conversion
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        last = (out.splitlines() or ["(during the copy)"])[-1]
        outcomes.append(f"{last}: {outcome_after_kill(db, expected)}")
    # The timed kills land wherever this machine's load puts them. So that every stretch of the
    # conversion is hit whatever the load, also kill a few milliseconds after each step is reported.
    for n, after in enumerate(("exported", "verified", "key_file", "moved_aside")):
        db = copy_profile(template_db, tmp_path / f"after{n}")
        proc = start(db, "none")
        assert proc.stdout is not None
        while (line := proc.stdout.readline()) and line.strip() != after:
            pass
        time.sleep(rnd.random() * 0.005)
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        last = ([after, *out.splitlines()])[-1]
        outcomes.append(f"{last}: {outcome_after_kill(db, expected)}")
    print(f"conversion {duration:.2f} s; killed after: {outcomes}")
    assert any(o.endswith("plain") for o in outcomes) and any(o.endswith("encrypted") for o in outcomes)


def test_a_profile_from_a_newer_program_is_not_converted(tmp_path: Path) -> None:
    import sqlite3

    db = paths.store_path("lan", tmp_path / "data")
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    r = cli(tmp_path / "data", "--profile", "lan", "profile", "encrypt", new=PASSPHRASE)
    assert r.returncode == 2 and "newer" in r.stderr
    assert db.read_bytes() == before and not keys.is_encrypted(db)
