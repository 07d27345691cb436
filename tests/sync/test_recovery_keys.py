"""The province's recovery key: made at the province (the private key to a file only), handed
to laptops at enrollment and at each sync, and used by the district with no server at all."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from forms import profiles
from forms.store import Store, keys
from sync import client
from tests.security.data import secret_household
from tests.security.helpers import FAST, PASSPHRASE, cli
from tests.sync.conftest import Server
from tests.sync.test_sync import complete_households

KEY_PASSPHRASE = "tủ khóa phòng thống kê huyện 2026"
NEW = "mật khẩu mới sau khi khôi phục"
KEY_ENV = {"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": KEY_PASSPHRASE}


@pytest.fixture(autouse=True)
def _forget_keys() -> Iterator[None]:
    keys.forget()  # a data key remembered by an earlier test would open a profile without its passphrase
    yield
    keys.forget()


def create_key(server: Server, out: Path, *flags: str) -> str:
    r = server.admin("--lang", "en", "recovery-key", "create", "--out", str(out), *flags, env=KEY_ENV)
    assert r.returncode == 0, r.stderr
    return keys.fingerprint(keys.load_recovery_public_key(out.with_name(out.name[:-4] + ".pub.pem").read_bytes()))


def key_rows(server: Server) -> list[dict[str, object]]:
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM recovery_keys"))]
    engine.dispose()
    return rows


def test_the_district_recovers_an_enrolled_profile_with_no_server_running(tmp_path: Path, server: Server) -> None:
    r = server.admin("--lang", "en", "recovery-key", "show")
    assert r.returncode == 1 and "no recovery key" in r.stdout

    private = tmp_path / "district-office" / "province-recovery.pem"
    private.parent.mkdir()
    r = server.admin("--lang", "en", "recovery-key", "create", "--out", str(private), env=KEY_ENV)
    assert r.returncode == 0, r.stderr
    assert str(private.resolve()) in r.stdout and "OFFLINE" in r.stdout and "not kept on the server" in r.stdout
    assert private.read_bytes().startswith(b"-----BEGIN LABOUR SURVEY RECOVERY ENCRYPTED PRIVATE KEY-----")  # Argon2id
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public_pem = (private.parent / "province-recovery.pub.pem").read_bytes()
    fp = keys.fingerprint(keys.load_recovery_public_key(public_pem))
    # The server keeps the public key, and nothing it could recover a profile with.
    [row] = key_rows(server)
    assert row["fingerprint"] == fp and row["public_pem"] == public_pem.decode() and row["retired_at"] is None
    assert not any("PRIVATE" in str(v) for v in row.values())
    with pytest.raises(keys.KeyFileError):  # the file needs its passphrase
        keys.load_recovery_private_key(private.read_bytes())

    # The officer's laptop: an encrypted profile, then enrolled.
    data = tmp_path / "laptop"
    r = cli(data, "profile", "create", new=PASSPHRASE)
    assert r.returncode == 0 and "no provincial recovery key" in r.stderr, r.stderr
    r = cli(data, "enroll", server.url, server.add_officer("lan"), passphrase=PASSPHRASE)
    assert r.returncode == 0, r.stderr
    assert f"Added the province's recovery key ({fp})" in r.stdout
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(secret_household(0), ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli(data, "households", "import", str(src), passphrase=PASSPHRASE).returncode == 0
    r = cli(data, "profile", "status", passphrase=PASSPHRASE)
    assert fp in r.stdout

    server.stop()  # recovery happens at the district office, with no server to ask
    with pytest.raises(requests.RequestException):
        requests.get(f"{server.url}/api/v1/health", timeout=2)
    assert cli(data, "households", "list", passphrase="what was it again").returncode == 2
    r = cli(data, "profile", "recover", "--recovery-key", str(private), new=NEW)
    assert r.returncode == 2 and "LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE" in r.stderr  # the key file's passphrase
    r = cli(data, "profile", "recover", "--recovery-key", str(private), new=NEW,
            env={"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "not the key's passphrase"})
    assert r.returncode == 2 and "password is missing or wrong" in r.stderr
    r = cli(data, "profile", "recover", "--recovery-key", str(private), new=NEW, env=KEY_ENV)
    assert r.returncode == 0, r.stderr
    assert f"({fp})" in r.stdout
    r = cli(data, "households", "list", passphrase=NEW)
    assert r.returncode == 0 and "HT-SEC-0" in r.stdout
    assert cli(data, "households", "list", passphrase=PASSPHRASE).returncode == 2


def test_a_laptop_enrolled_before_the_key_gets_it_at_its_next_sync(tmp_path: Path, server: Server) -> None:
    db = tmp_path / "lan" / "households.sqlite"
    profiles.create(db, PASSPHRASE, kdf=FAST)
    store = Store(db)
    answer = client.enroll(store, server.url, server.add_officer("lan"), "laptop-lan")
    assert answer["recovery_keys"] == [] and answer["recovery_added"] == []
    assert keys.KeyFile.load(db).recovery == []

    first = create_key(server, tmp_path / "first.pem")
    complete_households(store, 2)
    result = client.SyncClient(store).sync()
    assert result.accepted == 2 and result.recovery_keys_added == [first]
    assert [r["fingerprint"] for r in keys.KeyFile.load(db).recovery] == [first]
    assert client.SyncClient(store).sync().recovery_keys_added == []  # nothing new: the key file is not rewritten

    # A second key needs a decision: refused without one, and nothing is written.
    r = server.admin("--lang", "en", "recovery-key", "create", "--out", str(tmp_path / "second.pem"), env=KEY_ENV)
    assert r.returncode == 2 and "--add" in r.stderr and "--replace" in r.stderr
    assert not (tmp_path / "second.pem").exists() and not (tmp_path / "second.pub.pem").exists()
    r = server.admin("--lang", "en", "recovery-key", "create", "--out", str(tmp_path / "first.pem"), "--add", env=KEY_ENV)
    assert r.returncode == 2 and "never overwritten" in r.stderr  # the only copy of a private key

    second = create_key(server, tmp_path / "second.pem", "--replace")
    assert client.SyncClient(store).sync().recovery_keys_added == [second]
    # The laptop keeps its wrap for the first key: its private key still recovers it.
    assert sorted(r["fingerprint"] for r in keys.KeyFile.load(db).recovery) == sorted([first, second])
    shown = server.admin("--lang", "en", "recovery-key", "show").stdout
    assert any(line.startswith(first) and "retired" in line for line in shown.splitlines())
    assert any(line.startswith(second) and "active" in line for line in shown.splitlines())
    store.close()
    keys.forget()

    # A new laptop gets only the key in use.
    other = client.enroll(Store(tmp_path / "hoa.sqlite"), server.url, server.add_officer("hoa"), "laptop-hoa")
    assert [k["fingerprint"] for k in other["recovery_keys"]] == [second]

    # Either private key recovers the profile, offline.
    for private, new in ((tmp_path / "first.pem", NEW), (tmp_path / "second.pem", NEW + " hai")):
        assert profiles.recover(db, private.read_bytes(), new, pem_password=KEY_PASSPHRASE.encode(), kdf=FAST) \
            in (first, second)
        assert profiles.unlock(db, new)


def test_a_plain_profile_keeps_the_newest_key_and_gets_the_others_once_encrypted(tmp_path: Path, server: Server) -> None:
    office = create_key(server, tmp_path / "office.pem")
    backup = create_key(server, tmp_path / "backup.pem", "--add")
    db = tmp_path / "lan" / "households.sqlite"
    store = Store(db)
    answer = client.enroll(store, server.url, server.add_officer("lan"), "laptop-lan")
    assert [k["fingerprint"] for k in answer["recovery_keys"]] == [office, backup]
    assert answer["recovery_added"] == [backup] and client.profile_recovery_fingerprints(store) == {backup}
    assert client.SyncClient(store).sync().recovery_keys_added == []  # no back and forth between the two
    store.close()

    profiles.encrypt(db, PASSPHRASE, kdf=FAST)  # the pending key is wrapped
    assert [r["fingerprint"] for r in keys.KeyFile.load(db).recovery] == [backup]
    store = Store(db)
    assert client.SyncClient(store).sync().recovery_keys_added == [office]
    assert sorted(r["fingerprint"] for r in keys.KeyFile.load(db).recovery) == sorted([office, backup])
    store.close()


def test_a_public_key_made_elsewhere_and_what_is_refused(tmp_path: Path, server: Server) -> None:
    private_pem, public_pem = keys.make_recovery_keypair(KEY_PASSPHRASE.encode())
    (tmp_path / "made-elsewhere.pub.pem").write_bytes(public_pem)
    (tmp_path / "made-elsewhere.pem").write_bytes(private_pem)
    r = server.admin("--lang", "en", "recovery-key", "set", str(tmp_path / "made-elsewhere.pem"))
    assert r.returncode == 2 and "PRIVATE key" in r.stderr
    r = server.admin("--lang", "en", "recovery-key", "set", str(tmp_path / "nowhere.pub.pem"))
    assert r.returncode == 2 and "nowhere.pub.pem" in r.stderr
    (tmp_path / "junk.pem").write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    r = server.admin("--lang", "en", "recovery-key", "set", str(tmp_path / "junk.pem"))
    assert r.returncode == 2 and "not a provincial recovery public key" in r.stderr
    assert key_rows(server) == []

    r = server.admin("--lang", "en", "recovery-key", "set", str(tmp_path / "made-elsewhere.pub.pem"))
    assert r.returncode == 0, r.stderr
    fp = keys.fingerprint(keys.load_recovery_public_key(public_pem))
    assert fp in r.stdout and [row["origin"] for row in key_rows(server)] == ["imported"]
    assert server.admin("recovery-key", "set", str(tmp_path / "made-elsewhere.pub.pem")).returncode == 0  # again: fine
    assert len(key_rows(server)) == 1

    # Without a passphrase at hand (no terminal, no variable) no private key is written.
    r = server.admin("--lang", "en", "recovery-key", "create", "--out", str(tmp_path / "x.pem"), "--add",
                     env={"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "short"})
    assert r.returncode == 2 and "at least 10 characters" in r.stderr and not (tmp_path / "x.pem").exists()

    r = server.admin("--lang", "en", "recovery-key", "retire", fp[:8])
    assert r.returncode == 0 and "no longer handed to laptops" in r.stdout and "no recovery key" in r.stderr
    store = Store(tmp_path / "lan.sqlite")
    assert client.enroll(store, server.url, server.add_officer("lan"), "laptop")["recovery_keys"] == []
    assert server.admin("--lang", "en", "recovery-key", "retire", "ffff0000").returncode == 2
    audit = server.admin("audit").stdout
    assert "set recovery key" in audit and "retire recovery key" in audit


def test_the_recovery_keys_address_and_the_enroll_answer_are_described(server: Server) -> None:
    assert requests.get(f"{server.url}/api/v1/recovery-keys", timeout=10).status_code == 401
    server.stop()
    server.serve_args = ["--api-docs"]  # the description is published only when asked
    server.start()
    schema = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    assert "/api/v1/recovery-keys" in schema["paths"]
    enroll_answer = schema["components"]["schemas"]["EnrollAnswer"]
    assert "recovery_keys" in enroll_answer["properties"] and "recovery_keys" not in enroll_answer.get("required", [])
    assert set(schema["components"]["schemas"]["RecoveryPublicKey"]["properties"]) == {"fingerprint", "public_key",
                                                                                      "created_at"}


def test_offered_keys_that_are_not_keys_are_skipped(tmp_path: Path) -> None:
    _private, public_pem = keys.make_recovery_keypair()
    store = Store(tmp_path / "lan.sqlite")
    offered = [{"public_key": "junk"}, 5, {"fingerprint": "x"}, {"public_key": "ñ"}, {"public_key": public_pem.decode()}]
    assert client.adopt_recovery_keys(store, offered) == [keys.fingerprint(keys.load_recovery_public_key(public_pem))]
    assert client.adopt_recovery_keys(store, None) == []  # an older server's answer has no keys
    assert keys.pending_recovery_key(store.path) == public_pem
    store.close()
    assert os.path.exists(keys.pending_recovery_path(store.path))
