"""A profile whose file was damaged (bytes overwritten inside it): every command says so in
plain words, with what to do, and never writes to it; a daily backup is restored, and what
can still be read is exported. Real processes, plain and encrypted profiles."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories as fx

PASSPHRASE = "lúa chín vàng ở Hạc Thành"


def run(data: Path, *args: str, lang: str = "en", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", lang, *args],
                          capture_output=True, text=True, timeout=120, encoding="utf-8", env=env)


def profile(tmp_path: Path, encrypted: bool) -> tuple[Path, Path, dict[str, str]]:
    """A profile of 60 households with today's backup (made when it was opened after the import)."""
    env = {**os.environ, "LABOUR_SURVEY_PASSPHRASE": PASSPHRASE} if encrypted else dict(os.environ)
    src = tmp_path / "village.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fx.generated(60)), encoding="utf-8")
    data = tmp_path / "data"
    assert run(data, "households", "import", str(src), env=env).returncode == 0
    r = run(data, "households", "list", "--limit", "1", env=env)
    assert r.returncode == 0, r.stderr
    db = data / "profiles" / "default" / "households.sqlite"
    assert list(db.parent.glob("households.sqlite.daily-*.bak")), "no backup was made"
    return data, db, env


def damage(db: Path, offset: int) -> None:
    with open(db, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xde\xad\xbe\xef" * 16)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def offsets(db: Path) -> list[int]:
    size = db.stat().st_size
    return [30, 4096 * 2 + 700, size // 2, size - 3000]  # the header, a b-tree page, records


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_damage_is_said_plainly_and_the_backup_restores(tmp_path: Path, encrypted: bool) -> None:
    data, db, env = profile(tmp_path, encrypted)
    whole = db.read_bytes()
    detected, found_at = 0, -1
    for offset in offsets(db):
        db.write_bytes(whole)
        damage(db, offset)
        before = digest(db)
        for args in (["households", "list"], ["households", "show", "HT-000001"], ["households", "export"]):
            r = run(data, *args, env=env, lang="vi")
            assert "Traceback" not in r.stderr, (offset, r.stderr)
            if r.returncode == 2 and "bị hỏng" in r.stderr:
                assert "profile restore-backup" in r.stderr and "60 hộ" in r.stderr
                detected += 1
                found_at = offset
            assert digest(db) == before, f"the damaged file was written to (offset {offset})"
        if encrypted:  # every page's HMAC is checked: no damage goes unnoticed
            assert "bị hỏng" in run(data, "households", "list", env=env, lang="vi").stderr, offset
    assert detected >= (12 if encrypted else 6)

    db.write_bytes(whole)
    damage(db, found_at)
    before = digest(db)
    r = run(data, "profile", "check", env=env)
    assert r.returncode == 1 and "is damaged" in r.stderr and "Backup of" in r.stdout and "60 households" in r.stdout
    r = run(data, "profile", "restore-backup", env=env)
    assert r.returncode == 0, r.stderr
    assert "Restored the backup of" in r.stdout and "(60 households)" in r.stdout and "damaged file is kept" in r.stdout
    r = run(data, "households", "list", "--limit", "100", env=env)
    assert r.returncode == 0 and "Draft: 60" in r.stdout, r.stderr
    aside = next(p for p in db.parent.glob("households.sqlite.damaged-*") if not p.name.endswith(("-wal", "-shm")))
    assert digest(aside) == before  # kept as it was, for salvage
    r = run(data, "profile", "restore-backup", env=env)
    assert r.returncode == 2 and "is whole; there is nothing to restore" in r.stderr


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_what_can_still_be_read_is_salvaged(tmp_path: Path, encrypted: bool) -> None:
    data, db, env = profile(tmp_path, encrypted)
    damage(db, db.stat().st_size // 2)
    out = tmp_path / "salvaged.jsonl"
    r = run(data, "profile", "salvage", "-o", str(out), env=env)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert 30 <= len(lines) <= 60 and f"Wrote the {len(lines)} households" in r.stdout
    assert all(json.loads(line)["household"]["household_code"].startswith("HT-") for line in lines)
    # They go back in, into a profile restored from its backup or a new one.
    r = run(tmp_path / "other", "households", "import", str(out), env=env)
    assert r.returncode == 0 and f"Imported {len(lines)} new household(s)" in r.stdout, r.stderr


def test_no_backup_yet_says_to_salvage(tmp_path: Path) -> None:
    data, db, env = profile(tmp_path, encrypted=False)
    for backup in db.parent.glob("households.sqlite.daily-*.bak"):
        backup.unlink()
    damage(db, 30)  # the header's page counts
    r = run(data, "households", "list", env=env)
    assert r.returncode == 2 and "there is no backup yet" in r.stderr and "profile salvage" in r.stderr
    r = run(data, "profile", "restore-backup", env=env)
    assert r.returncode == 2 and "There is no whole backup" in r.stderr


def test_a_plain_profiles_backups_go_when_it_is_encrypted(tmp_path: Path) -> None:
    """A backup in clear must not outlive the encryption of its profile (names, citizen IDs)."""
    data, db, env = profile(tmp_path, encrypted=False)
    r = run(data, "profile", "encrypt", env={**env, "LABOUR_SURVEY_NEW_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 0, r.stderr
    assert not list(db.parent.glob("households.sqlite.daily-*"))
    for f in db.parent.iterdir():
        assert b"HT-0000" not in f.read_bytes(), f
    r = run(data, "households", "list", env={**env, "LABOUR_SURVEY_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 0 and "Draft: 60" in r.stdout
    backups = list(db.parent.glob("households.sqlite.daily-*.bak"))
    assert len(backups) == 1 and not backups[0].read_bytes().startswith(b"SQLite format 3")
