"""Unlocking: a wrong passphrase is refused and the wait before the next try doubles (1, 2, 4,
8 ... s), kept on disk so that restarting the program does not reset it; the message says how
long to wait and that the district can recover the profile. Two officers sharing a laptop each
open only their own profile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from forms import paths, profiles
from forms.store import Store, keys
from tests.security.data import secret_household
from tests.security.helpers import FAST, OTHER_PASSPHRASE, PASSPHRASE, cli


def wait_out(db: Path) -> None:
    """Wait as long as the officer is told to, after a wrong passphrase."""
    time.sleep(profiles.wait_before_next_try(db))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passphrases_wait_longer_and_longer(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    key = profiles.create(db, PASSPHRASE, kdf=FAST)
    keys.forget()
    clock = Clock()
    waits = []
    for _ in range(5):
        with pytest.raises(profiles.WrongPassphrase) as wrong:
            profiles.unlock(db, "not the passphrase at all", clock=clock)
        waits.append(wrong.value.wait)
        # Too soon: refused without trying, even the right passphrase.
        clock.now += wrong.value.wait - 0.5
        with pytest.raises(profiles.MustWait) as early:
            profiles.unlock(db, PASSPHRASE, clock=clock)
        assert 0 < early.value.wait <= 0.5
        assert keys.unlocked_key(db) is None
        clock.now += 0.5
    assert waits == [1, 2, 4, 8, 16]
    # No recovery key yet: the message says the data would be lost, never that it can be recovered.
    assert "Wait 16 second(s)" in wrong.value.msg.en and "no provincial recovery key" in wrong.value.msg.en
    assert "Hãy đợi 16 giây" in wrong.value.msg.vi and "dữ liệu sẽ mất" in wrong.value.msg.vi
    assert "district" not in wrong.value.msg.en

    assert profiles.unlock(db, PASSPHRASE, clock=clock) == key
    assert keys.unlocked_key(db) == key
    with pytest.raises(profiles.WrongPassphrase) as again:
        profiles.unlock(db, "wrong again, after a success", clock=clock)
    assert again.value.wait == 1, "a right passphrase starts the count again"
    _private, public = keys.make_recovery_keypair(b"province key passphrase")
    keys.add_recovery_key(db, public, key)
    clock.now += 1
    with pytest.raises(profiles.WrongPassphrase) as recoverable:
        profiles.unlock(db, "and wrong once more", clock=clock)
    assert "district" in recoverable.value.msg.en and "huyện" in recoverable.value.msg.vi


def test_the_wait_is_capped_and_said_in_minutes() -> None:
    assert profiles.delay_after(11) == 15 * 60 and profiles.delay_after(40) == 15 * 60
    assert profiles.duration(300).en == "5 minute(s)" and profiles.duration(300).vi == "5 phút"
    assert profiles.duration(0.2).en == "1 second(s)"


def test_a_clock_set_back_does_not_shorten_the_wait(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    profiles.create(db, PASSPHRASE, kdf=FAST)
    clock = Clock()
    for _ in range(4):
        with pytest.raises(profiles.StoreError):
            profiles.unlock(db, "wrong wrong wrong", clock=clock)
        clock.now += 10_000
    clock.now -= 50_000  # before the last failure
    assert profiles.wait_before_next_try(db, clock) == 8


def test_the_command_line_keeps_the_count_across_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli(data, "--profile", "lan", "profile", "create", new=PASSPHRASE).returncode == 0
    r = cli(data, "--profile", "lan", "households", "list", passphrase="a wrong guess here")
    assert r.returncode == 2 and "Wrong passphrase. Wait 1 second(s)" in r.stderr and "data is lost" in r.stderr
    attempts = paths.store_path("lan", data).with_name("households.sqlite.attempts.json")
    assert json.loads(attempts.read_text())["failures"] == 1
    # A new process, at once: still waiting, though the program was started again.
    raw = json.loads(attempts.read_text())
    raw["last_failure"] += 30  # as if the failure had just happened (the process start takes a while)
    attempts.write_text(json.dumps(raw))
    r = cli(data, "--profile", "lan", "households", "list", passphrase=PASSPHRASE)
    assert r.returncode == 2 and "wrong 1 time(s) in a row: wait" in r.stderr
    r = cli(data, "--profile", "lan", "households", "list", passphrase=PASSPHRASE, lang="vi")
    assert r.returncode == 2 and "Đã nhập sai mật khẩu 1 lần liên tiếp" in r.stderr and "dữ liệu sẽ mất" in r.stderr
    raw["last_failure"] -= 60
    attempts.write_text(json.dumps(raw))
    r = cli(data, "--profile", "lan", "households", "list", passphrase=PASSPHRASE)
    assert r.returncode == 0, r.stderr
    assert not attempts.exists()


def test_without_a_terminal_or_the_variable_the_command_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli(data, "--profile", "lan", "profile", "create", new=PASSPHRASE)
    r = cli(data, "--profile", "lan", "households", "list")
    assert r.returncode == 2 and "LABOUR_SURVEY_PASSPHRASE" in r.stderr


def test_two_officers_on_one_laptop_each_open_only_their_own_profile(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(secret_household(0), ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli(data, "--profile", "lan", "profile", "create", new=PASSPHRASE).returncode == 0
    assert cli(data, "--profile", "hung", "profile", "create", new=OTHER_PASSPHRASE).returncode == 0
    r = cli(data, "--profile", "lan", "households", "import", str(src), passphrase=PASSPHRASE)
    assert r.returncode == 0, r.stderr

    r = cli(data, "--profile", "hung", "households", "list", passphrase=PASSPHRASE)
    assert r.returncode == 2 and "Wrong passphrase" in r.stderr
    r = cli(data, "--profile", "lan", "households", "list", passphrase=OTHER_PASSPHRASE)
    assert r.returncode == 2 and "Wrong passphrase" in r.stderr
    # Each wrong try counts for its own profile only.
    assert profiles.status(paths.store_path("hung", data)).failures == 1
    assert profiles.status(paths.store_path("lan", data)).failures == 1
    wait_out(paths.store_path("hung", data))
    r = cli(data, "--profile", "hung", "households", "list", passphrase=OTHER_PASSPHRASE)
    assert r.returncode == 0 and "HT-SEC-0" not in r.stdout and "Draft: 0" in r.stdout

    r = cli(data, "profile", "list")
    assert r.stdout.split() == ["hung", "encrypted", "lan", "encrypted"]
    # Two key files, two data keys: a key file copied over the other does not open it.
    lan, hung = paths.store_path("lan", data), paths.store_path("hung", data)
    assert json.loads(keys.key_file_path(lan).read_text())["passphrase"]["salt"] != \
        json.loads(keys.key_file_path(hung).read_text())["passphrase"]["salt"]
    hung_key = profiles.unlock(hung, OTHER_PASSPHRASE)
    with pytest.raises(profiles.StoreError, match="not a labour-survey data file"):
        Store(lan, key=hung_key)


def test_weak_passphrases_are_refused_with_the_reason(tmp_path: Path) -> None:
    def why(p: str, again: str | None = None) -> list[str]:
        return [m.en for m in profiles.passphrase_problems(p, again)]

    assert "at least 10 characters" in why("ngắn quá")[0]
    assert "digits only" in why("038075000001")[0]
    assert "too easy to guess" in why("Mật khẩu 123")[0]  # "matkhau123", diacritics and spaces aside
    assert "too easy to guess" in why("aaaaaaaaaaaa")[0]
    assert "too easy to guess" in why("abcdefghijk")[0]
    assert "too easy to guess" in why("lúa chín vàng 2026")[0]  # the example of the message above
    assert why(PASSPHRASE) == []
    assert why(PASSPHRASE, PASSPHRASE + " ") == ["The two passphrases are not the same."]
    r = cli(tmp_path / "data", "profile", "create", new="1234567890")
    assert r.returncode == 2 and "digits only" in r.stderr
    assert not keys.is_encrypted(paths.store_path("default", tmp_path / "data"))


def test_the_passphrase_changes_without_rewriting_the_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli(data, "profile", "create", new=PASSPHRASE)
    db = paths.store_path("default", data)
    before = db.read_bytes()
    r = cli(data, "profile", "passphrase", passphrase=PASSPHRASE, new=OTHER_PASSPHRASE)
    assert r.returncode == 0, r.stderr
    assert db.read_bytes() == before
    assert cli(data, "households", "list", passphrase=PASSPHRASE).returncode == 2
    wait_out(db)
    assert cli(data, "households", "list", passphrase=OTHER_PASSPHRASE).returncode == 0


def test_vietnamese_passphrases_match_however_the_input_method_composed_them(tmp_path: Path) -> None:
    import unicodedata

    db = tmp_path / "households.sqlite"
    key = profiles.create(db, unicodedata.normalize("NFC", PASSPHRASE), kdf=FAST)
    assert profiles.unlock(db, unicodedata.normalize("NFD", PASSPHRASE)) == key
