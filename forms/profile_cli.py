"""`labour-survey profile create|encrypt|passphrase|recover|add-recovery-key|status|list`, and
the passphrase prompt of every command that opens an encrypted profile.

Passphrases come from the terminal (getpass, never echoed) or, for scripts and tests, from
$LABOUR_SURVEY_PASSPHRASE (the current one) and $LABOUR_SURVEY_NEW_PASSPHRASE (a new one).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from forms import paths, profiles
from forms.i18n import add_command, message, tr
from forms.store import StoreError, keys

ENV_PASSPHRASE = profiles.ENV_PASSPHRASE
ENV_NEW_PASSPHRASE = "LABOUR_SURVEY_NEW_PASSPHRASE"
ENV_KEY_PASSWORD = "LABOUR_SURVEY_RECOVERY_KEY_PASSPHRASE"
ENV_ALLOW_PLAIN = "LABOUR_SURVEY_ALLOW_PLAIN"  # "1": a command may make a new profile unencrypted
TRIES = 3  # passphrases asked at the terminal in one run


def register(sub: argparse._SubParsersAction) -> None:
    pr = add_command(sub, "profile", "help_profile_command")
    psub = pr.add_subparsers(dest="action", required=True)

    def action(name: str, help_key: str, func) -> argparse.ArgumentParser:
        p = add_command(psub, name, help_key)
        # Also after the action (`profile recover --profile lan`), without overriding the global option.
        p.add_argument("--profile", default=argparse.SUPPRESS, help=tr("help_profile_option"))
        p.add_argument("--data-dir", default=argparse.SUPPRESS, help=tr("help_data_dir_short"))
        p.set_defaults(func=func, needs_store=False)
        return p

    p = action("create", "help_profile_create", cmd_create)
    p.add_argument("--recovery-public-key", metavar="PEM", help=tr("help_recovery_public_key"))
    p = action("encrypt", "help_profile_encrypt", cmd_encrypt)
    p.add_argument("--recovery-public-key", metavar="PEM", help=tr("help_recovery_public_key"))
    action("passphrase", "help_profile_passphrase", cmd_passphrase)
    p = action("recover", "help_profile_recover", cmd_recover)
    p.add_argument("--recovery-key", required=True, metavar="PEM", help=tr("help_recovery_private_key"))
    p = action("add-recovery-key", "help_profile_add_recovery_key", cmd_add_recovery)
    p.add_argument("public_key", metavar="PEM", help=tr("help_recovery_public_key"))
    action("status", "help_profile_status", cmd_status)
    action("check", "help_profile_check", cmd_check)
    p = action("restore-backup", "help_profile_restore_backup", cmd_restore_backup)
    p.add_argument("backup", nargs="?", metavar="FILE", help=tr("help_profile_restore_backup_file"))
    p = action("salvage", "help_profile_salvage", cmd_salvage)
    p.add_argument("-o", "--output", required=True, metavar="FILE.jsonl", help=tr("help_profile_salvage_output"))
    p.add_argument("--from", dest="source", metavar="FILE", help=tr("help_profile_salvage_from"))
    action("list", "help_profile_list", cmd_list)


# -- asking ----------------------------------------------------------------------------------
def ask(prompt: str, variable: str) -> str:
    value = os.environ.get(variable)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise StoreError(message("security_no_terminal", variable=variable))
    return getpass.getpass(prompt)


def ask_new() -> str:
    value = os.environ.get(ENV_NEW_PASSPHRASE)
    again = value
    if value is None:
        value = ask(tr("security_prompt_new", n=profiles.MIN_LENGTH), ENV_NEW_PASSPHRASE)
        again = ask(tr("security_prompt_again"), ENV_NEW_PASSPHRASE)
    problems = profiles.passphrase_problems(value, again)
    if problems:
        raise profiles.WeakPassphrase(problems[0])
    return value


def unlock(profile: str, db: Path) -> bytes:
    """Ask the passphrase and unlock the profile for this process (or raise with why not)."""
    wait = profiles.wait_before_next_try(db)
    if wait > 0:  # say so before asking: typing a passphrase that will not be tried is no use
        failures = profiles.status(db).failures
        raise profiles.MustWait(message("security_must_wait", failures=failures, wait=profiles.duration(wait),
                                        recovery=profiles.if_forgotten(keys.KeyFile.load(db))), wait)
    prompt = tr("security_prompt", profile=profile)
    if os.environ.get(ENV_PASSPHRASE) is not None or not sys.stdin.isatty():
        return profiles.unlock(db, ask(prompt, ENV_PASSPHRASE))
    for _ in range(TRIES - 1):  # at the terminal: wait as told, then ask again
        try:
            return profiles.unlock(db, ask(prompt, ENV_PASSPHRASE))
        except profiles.WrongPassphrase as exc:
            print(exc.msg.text(), file=sys.stderr)
            time.sleep(exc.wait)
    return profiles.unlock(db, ask(prompt, ENV_PASSPHRASE))


def create_for_command(profile: str, db: Path) -> None:
    """A new profile for a command that stores data (import, enroll): encrypted with the
    passphrase of $LABOUR_SURVEY_PASSPHRASE or typed twice at the terminal. With neither (a
    script without the variable) nothing is made and the command is refused, unless
    $LABOUR_SURVEY_ALLOW_PLAIN=1 asks for an unencrypted profile (test data, a training laptop):
    a profile of real households must never end up in clear because a script forgot a variable."""
    scripted = os.environ.get(ENV_NEW_PASSPHRASE) or os.environ.get(ENV_PASSPHRASE)
    if scripted is None and not sys.stdin.isatty():
        if os.environ.get(ENV_ALLOW_PLAIN) != "1":
            raise StoreError(message("security_no_passphrase_for_new", profile=profile, path=db,
                                     variable=ENV_PASSPHRASE, plain=ENV_ALLOW_PLAIN))
        print(tr("security_created_plain", profile=profile, path=db, variable=ENV_ALLOW_PLAIN), file=sys.stderr)
        return
    if scripted is not None:
        problems = profiles.passphrase_problems(scripted)
        if problems:
            raise profiles.WeakPassphrase(problems[0])
        passphrase = scripted
    else:
        print(tr("security_new_profile_intro", profile=profile, path=db), file=sys.stderr)
        passphrase = ask_new()
    profiles.create(db, passphrase)
    print(tr("security_created", profile=profile), file=sys.stderr)
    _warn_without_recovery(db)


def _db(args: argparse.Namespace) -> Path:
    return paths.store_path(args.profile, args.data_dir)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise StoreError(message("security_cannot_read", path=path, reason=exc.strerror or str(exc))) from None


def _recovery_keys(args: argparse.Namespace) -> list[bytes]:
    return [_read(args.recovery_public_key)] if args.recovery_public_key else []


def _warn_without_recovery(db: Path) -> None:
    if not profiles.status(db).recovery:
        print(tr("security_no_recovery_warning"), file=sys.stderr)


# -- commands --------------------------------------------------------------------------------
def cmd_create(args: argparse.Namespace, _store: None) -> int:
    db = _db(args)
    if keys.is_encrypted(db) or db.exists():
        raise StoreError(message("security_profile_exists", path=db))
    recovery = _recovery_keys(args)
    profiles.create(db, ask_new(), recovery_public_keys=recovery)
    print(tr("security_created", profile=args.profile))
    _warn_without_recovery(db)
    return 0


def cmd_encrypt(args: argparse.Namespace, _store: None) -> int:
    db = _db(args)
    if keys.is_encrypted(db):
        raise StoreError(message("security_already_encrypted", path=db))
    if not db.exists():
        raise StoreError(message("security_no_profile", path=db))
    recovery = _recovery_keys(args)
    _key, counts = profiles.encrypt(db, ask_new(), recovery_public_keys=recovery)
    print(tr("security_encrypted_done", profile=args.profile, households=max(counts.households, 0),
             changes=max(counts.change_log, 0)))
    print(tr("security_ssd_note"), file=sys.stderr)
    _warn_without_recovery(db)
    return 0


def cmd_passphrase(args: argparse.Namespace, _store: None) -> int:
    db = _db(args)
    data_key = unlock(args.profile, db)  # the current passphrase first, with the wait after wrong ones
    profiles.set_passphrase(db, data_key, ask_new())
    print(tr("security_passphrase_changed", profile=args.profile))
    return 0


def cmd_recover(args: argparse.Namespace, _store: None) -> int:
    db = _db(args)
    key_file = keys.KeyFile.load(db)  # a plain or missing profile: said before any question is asked
    print(tr("security_recovering", profile=args.profile, path=db), file=sys.stderr)
    if not key_file.recovery:
        raise profiles.WrongRecoveryKey(message("security_no_recovery_keys", profile=args.profile))
    private_pem = _read(args.recovery_key)
    password = None
    if keys.private_key_is_encrypted(private_pem):
        password = ask(tr("security_prompt_key_password", path=args.recovery_key), ENV_KEY_PASSWORD).encode("utf-8")
    # The key and its password are checked before the new passphrase is asked: typing a new
    # passphrase twice only to hear that the key file was wrong helps nobody.
    private = keys.load_recovery_private_key(private_pem, password)
    if key_file.recover(private) is None:
        known = ", ".join(str(r.get("fingerprint", "?")) for r in key_file.recovery)
        raise profiles.WrongRecoveryKey(message("security_wrong_recovery_key", path=db,
                                                fingerprint=keys.fingerprint(private.public_key()), known=known))
    fp = profiles.recover(db, private_pem, ask_new(), pem_password=password)
    print(tr("security_recovered", profile=args.profile, fingerprint=fp))
    return 0


def cmd_add_recovery(args: argparse.Namespace, _store: None) -> int:
    db = _db(args)
    pem = _read(args.public_key)
    fp = keys.fingerprint(keys.load_recovery_public_key(pem))
    if not keys.is_encrypted(db):
        keys.add_recovery_key(db, pem)
        print(tr("security_recovery_pending", profile=args.profile, fingerprint=fp))
        return 0
    data_key = keys.unlocked_key(db) or unlock(args.profile, db)
    keys.add_recovery_key(db, pem, data_key)
    print(tr("security_recovery_added", profile=args.profile, fingerprint=fp))
    return 0


def cmd_status(args: argparse.Namespace, _store: None) -> int:
    st = profiles.status(_db(args))
    if not st.exists:
        print(tr("security_status_missing", profile=args.profile, path=st.path))
        return 1
    if not st.encrypted:
        print(tr("security_status_plain", profile=args.profile, path=st.path))
        return 0
    print(tr("security_status_encrypted", profile=args.profile, path=st.path))
    print(tr("security_status_recovery", keys=", ".join(st.recovery) or tr("security_none")))
    if not st.recovery:
        print(tr("security_no_recovery_warning"))
    if st.failures:
        print(tr("security_status_wait", failures=st.failures, wait=profiles.duration(st.wait) if st.wait else "0"))
    return 0


def cmd_list(args: argparse.Namespace, _store: None) -> int:
    for name in profiles.profile_names(args.data_dir):
        db = paths.store_path(name, args.data_dir)
        state = "security_state_encrypted" if keys.is_encrypted(db) else "security_state_plain"
        print(f"{name:<24} {tr(state)}")
    return 0


# -- a damaged profile (forms.store.health) --------------------------------------------------
def _key_of(args: argparse.Namespace, db: Path) -> bytes | None:
    """The data key of an encrypted profile (its passphrase asked), None for a plain one; the
    key file is separate from the database, so a damaged database still unlocks."""
    if not keys.is_encrypted(db):
        if not db.exists():
            raise StoreError(message("cli_no_such_profile", profile=args.profile, path=db,
                                     known=", ".join(profiles.profile_names(args.data_dir)) or "—"))
        return None
    return keys.unlocked_key(db) or unlock(args.profile, db)


def cmd_check(args: argparse.Namespace, _store: None) -> int:
    """Check the file as every opening does, and list the backups there are to go back to."""
    from forms.store import health

    db = _db(args)
    key = _key_of(args, db)
    found = health.problems(db, key)
    if found:
        print(health.damaged_message(db, key).text(), file=sys.stderr)
        for problem in found[:5]:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(tr("sf_check_ok", path=db))
    _print_backups(db, key)
    return 1 if found else 0


def _print_backups(db: Path, key: bytes | None) -> None:
    from forms.store import health

    found = health.describe(db, key)
    if not found:
        print(tr("sf_no_backups"))
    for b in found:
        line = tr("sf_backup_line", day=b.day, households=b.households) if b.households is not None else \
            tr("sf_backup_unreadable", day=b.day)
        print(f"  {line}  {b.path}")


def cmd_restore_backup(args: argparse.Namespace, _store: None) -> int:
    from forms.store import health

    db = _db(args)
    key = _key_of(args, db)
    if not health.problems(db, key):
        # A whole profile holds the latest work: going back to a backup would lose it.
        print(tr("sf_restore_not_needed", path=db), file=sys.stderr)
        return 2
    chosen = Path(args.backup).absolute() if args.backup else None
    try:
        restored, aside = health.restore(db, key, chosen)
    except LookupError:
        print(tr("sf_restore_none", path=db, profile=args.profile), file=sys.stderr)
        return 2
    print(tr("sf_restored", day=restored.day, households=restored.households, path=db))
    if aside is not None:
        print(tr("sf_restored_aside", path=aside, profile=args.profile))
    return 0


def cmd_salvage(args: argparse.Namespace, _store: None) -> int:
    from forms.cli import os_reason
    from forms.store import health

    db = _db(args)
    key = _key_of(args, db)
    source = Path(args.source) if args.source else db
    out_path = Path(args.output)
    try:
        with open(out_path, "w", encoding="utf-8") as out:
            written, unreadable = health.salvage(source, key, out)
    except OSError as exc:
        print(tr("sf_cannot_write", path=out_path, reason=os_reason(exc)), file=sys.stderr)
        return 2
    print(tr("sf_salvaged", written=written, unreadable=unreadable, path=out_path))
    print(tr("cli_exported_in_clear", path=out_path.absolute()), file=sys.stderr)
    return 0 if not unreadable else 1
