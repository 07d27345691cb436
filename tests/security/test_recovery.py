"""A forgotten passphrase: the district recovers the profile with the province's recovery
private key, offline, and sets a new passphrase; another private key recovers nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from forms import paths, profiles
from forms.store import Store, keys
from tests.security.data import secret_household
from tests.security.helpers import FAST, OTHER_PASSPHRASE, PASSPHRASE, cli

NEW = "mật khẩu mới sau khi khôi phục"


def test_the_district_recovers_a_profile_with_the_provinces_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    private_pem, public_pem = keys.make_recovery_keypair()
    (tmp_path / "province-public.pem").write_bytes(public_pem)
    (tmp_path / "province-private.pem").write_bytes(private_pem)
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(secret_household(0), ensure_ascii=False) + "\n", encoding="utf-8")
    r = cli(data, "--profile", "lan", "profile", "create", "--recovery-public-key", str(tmp_path / "province-public.pem"),
            new=PASSPHRASE)
    assert r.returncode == 0 and "no provincial recovery key" not in r.stderr, r.stderr
    assert cli(data, "--profile", "lan", "households", "import", str(src), passphrase=PASSPHRASE).returncode == 0
    # The officer forgot it, and tried a few.
    for _ in range(2):
        cli(data, "--profile", "lan", "households", "list", passphrase="what was it again")

    r = cli(data, "profile", "recover", "--profile", "lan", "--recovery-key", str(tmp_path / "province-private.pem"),
            new=NEW)
    assert r.returncode == 0, r.stderr
    fp = keys.fingerprint(keys.load_recovery_public_key(public_pem))
    assert f"Recovered the profile lan with the province's key ({fp})" in r.stdout
    r = cli(data, "--profile", "lan", "households", "list", passphrase=NEW)
    assert r.returncode == 0 and "HT-SEC-0" in r.stdout, "no wait left over, and the data is there"
    assert cli(data, "--profile", "lan", "households", "list", passphrase=PASSPHRASE).returncode == 2


def test_another_private_key_recovers_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _private, public_pem = keys.make_recovery_keypair()
    other_private, _other_public = keys.make_recovery_keypair()
    (tmp_path / "public.pem").write_bytes(public_pem)
    (tmp_path / "other-private.pem").write_bytes(other_private)
    cli(data, "profile", "create", "--recovery-public-key", str(tmp_path / "public.pem"), new=PASSPHRASE)
    key_file = keys.key_file_path(paths.store_path("default", data))
    before = key_file.read_bytes()
    r = cli(data, "profile", "recover", "--recovery-key", str(tmp_path / "other-private.pem"), new=NEW)
    assert r.returncode == 2 and "is not one registered for the profile" in r.stderr
    assert key_file.read_bytes() == before
    assert cli(data, "households", "list", passphrase=PASSPHRASE).returncode == 0
    # Nor does the public key, nor a file that is no key at all.
    r = cli(data, "profile", "recover", "--recovery-key", str(tmp_path / "public.pem"), new=NEW)
    assert r.returncode == 2 and "not the province's private recovery key" in r.stderr
    assert key_file.read_bytes() == before


def test_a_doctored_fingerprint_does_not_fool_the_unwrap(tmp_path: Path) -> None:
    """The fingerprint only picks the wrap to try; the wrap itself is bound to its key."""
    db = tmp_path / "households.sqlite"
    private_pem, public_pem = keys.make_recovery_keypair()
    other_private, _ = keys.make_recovery_keypair()
    profiles.create(db, PASSPHRASE, recovery_public_keys=[public_pem], kdf=FAST)
    kf = keys.KeyFile.load(db)
    other = keys.load_recovery_private_key(other_private)
    kf.recovery[0]["fingerprint"] = keys.fingerprint(other.public_key())
    assert kf.recover(other) is None
    assert keys.KeyFile.load(db).recover(keys.load_recovery_private_key(private_pem)) == keys.unlocked_key(db)


def test_a_password_protected_recovery_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    private_pem, public_pem = keys.make_recovery_keypair(b"province vault password")
    assert keys.private_key_is_encrypted(private_pem)
    (tmp_path / "public.pem").write_bytes(public_pem)
    (tmp_path / "private.pem").write_bytes(private_pem)
    cli(data, "profile", "create", "--recovery-public-key", str(tmp_path / "public.pem"), new=PASSPHRASE)
    r = cli(data, "profile", "recover", "--recovery-key", str(tmp_path / "private.pem"), new=NEW,
            env={"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "not it"})
    assert r.returncode == 2 and "password is missing or wrong" in r.stderr
    r = cli(data, "profile", "recover", "--recovery-key", str(tmp_path / "private.pem"), new=NEW,
            env={"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "province vault password"})
    assert r.returncode == 0, r.stderr


def test_enrollment_adds_the_recovery_key_to_an_open_store(tmp_path: Path) -> None:
    """What sync enrollment does with the public key the server hands over."""
    db = tmp_path / "households.sqlite"
    private_pem, public_pem = keys.make_recovery_keypair()
    profiles.create(db, PASSPHRASE, kdf=FAST)
    assert profiles.status(db).recovery == []
    with Store(db) as store:
        store.add_recovery_key(public_pem)
        store.add_recovery_key(public_pem)  # enrolled again: still one wrap for that key
    assert len(profiles.status(db).recovery) == 1
    keys.forget()
    profiles.recover(db, private_pem, NEW, kdf=FAST)
    profiles.unlock(db, NEW)
    Store(db).close()


def test_a_profile_enrolled_before_it_was_encrypted_gets_the_wrap_when_encrypted(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    private_pem, public_pem = keys.make_recovery_keypair()
    with Store(db) as store:
        store.save(secret_household(0), actor="lan")
        store.add_recovery_key(public_pem)  # a plain profile: kept for later
    assert profiles.status(db).pending_recovery
    profiles.encrypt(db, PASSPHRASE, kdf=FAST)
    st = profiles.status(db)
    assert not st.pending_recovery and st.recovery == [keys.fingerprint(keys.load_recovery_public_key(public_pem))]
    keys.forget()
    profiles.recover(db, private_pem, OTHER_PASSPHRASE, kdf=FAST)
    profiles.unlock(db, OTHER_PASSPHRASE)
    with Store(db) as store:
        assert store.count() == 1


def test_a_wrap_copied_from_another_profile_does_not_open_this_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "households.sqlite", tmp_path / "b" / "households.sqlite"
    profiles.create(a, PASSPHRASE, kdf=FAST)
    profiles.create(b, OTHER_PASSPHRASE, kdf=FAST)
    keys.forget()
    ka, kb = keys.KeyFile.load(a), keys.KeyFile.load(b)
    kb.passphrase = ka.passphrase  # the thief knows A's passphrase and swaps A's wrap into B
    kb.save(b)
    with pytest.raises(profiles.WrongPassphrase):
        profiles.unlock(b, PASSPHRASE)


def test_a_doctored_key_file_cannot_ask_for_unbounded_memory(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    profiles.create(db, PASSPHRASE, kdf=FAST)
    raw = json.loads(keys.key_file_path(db).read_text())
    raw["passphrase"]["memory_kib"] = 2**40
    keys.key_file_path(db).write_text(json.dumps(raw))
    with pytest.raises(profiles.StoreError, match="damaged"):
        profiles.unlock(db, PASSPHRASE)


def test_the_province_key_file_resists_guessing_and_keys_made_elsewhere_still_load() -> None:
    """The private key opens every profile of the province: its file is protected by Argon2id
    (256 MiB), not by the PEM format's 2,048 rounds of PBKDF2; a standard encrypted PEM (made
    with openssl, say) is still read."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private_pem, public_pem = keys.make_recovery_keypair(b"province key 2026")
    assert private_pem.startswith(b"-----BEGIN LABOUR SURVEY RECOVERY ENCRYPTED PRIVATE KEY-----")
    assert keys.private_key_is_encrypted(private_pem)
    body = json.loads(base64.b64decode(b"".join(private_pem.splitlines()[1:-1])))
    assert body["kdf"] == "argon2id" and body["memory_kib"] >= 256 * 1024 and body["iterations"] >= 4
    loaded = keys.load_recovery_private_key(private_pem, b"province key 2026")
    assert keys.fingerprint(loaded.public_key()) == keys.fingerprint(keys.load_recovery_public_key(public_pem))
    for wrong in (b"province key 2025", None):
        with pytest.raises(keys.KeyFileError):
            keys.load_recovery_private_key(private_pem, wrong)
    damaged = private_pem.replace(private_pem.splitlines()[2], b"A" * len(private_pem.splitlines()[2]))
    with pytest.raises(keys.KeyFileError):
        keys.load_recovery_private_key(damaged, b"province key 2026")

    elsewhere = X25519PrivateKey.generate()
    pem = elsewhere.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"made with openssl"))
    assert keys.load_recovery_private_key(pem, b"made with openssl").public_key().public_bytes_raw() == \
        elsewhere.public_key().public_bytes_raw()


def test_recover_checks_the_key_before_asking_a_new_passphrase(tmp_path: Path) -> None:
    """The district technician hears at once that the key file's password is wrong, or that
    this profile has no recovery key, not after typing a new passphrase twice."""
    data = tmp_path / "data"
    private_pem, public_pem = keys.make_recovery_keypair(b"province key 2026")
    (tmp_path / "province.pem").write_bytes(private_pem)
    (tmp_path / "province.pub.pem").write_bytes(public_pem)
    key = tmp_path / "province.pem"
    assert cli(data, "--profile", "lan", "profile", "create", "--recovery-public-key",
               str(tmp_path / "province.pub.pem"), new=PASSPHRASE).returncode == 0
    wrong = {"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "province key 2025"}
    r = cli(data, "--profile", "lan", "profile", "recover", "--recovery-key", str(key), env=wrong)  # no new one given
    assert r.returncode == 2 and "Recovering the profile lan" in r.stderr
    assert "password is missing or wrong" in r.stderr and "run the command again" in r.stderr

    assert cli(data, "--profile", "hoa", "profile", "create", new=OTHER_PASSPHRASE).returncode == 0
    right = {"LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE": "province key 2026"}
    r = cli(data, "--profile", "hoa", "profile", "recover", "--recovery-key", str(key), env=right)
    assert r.returncode == 2 and "has no recovery key" in r.stderr
    r = cli(data, "--profile", "lan", "profile", "recover", "--recovery-key", str(key), env=right, new=OTHER_PASSPHRASE)
    assert r.returncode == 0, r.stderr
    keys.forget()
    assert profiles.unlock(paths.store_path("lan", data), OTHER_PASSPHRASE)
