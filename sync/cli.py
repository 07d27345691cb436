"""`labour-survey enroll` and `labour-survey sync [status]`."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from forms.i18n import add_command, tr
from forms.store import Store, keys, outbox
from sync import bundle, client


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "enroll", "help_enroll")
    p.add_argument("server", help=tr("help_enroll_server"))
    p.add_argument("code", help=tr("help_enroll_code"))
    p.add_argument("--device-name", default=socket.gethostname(), help=tr("help_enroll_device_name"))
    p.add_argument("--ca-file", help=tr("help_enroll_ca_file"))
    p.set_defaults(func=cmd_enroll, creates_profile=True)
    p = add_command(sub, "sync", "help_sync", description=tr("help_sync_description"))
    p.add_argument("action", nargs="?", choices=["status", "export", "receipt", "upload"])
    p.add_argument("file", nargs="?", help=tr("help_sync_file"))
    p.add_argument("-o", "--receipt", help=tr("help_sync_receipt"))
    p.set_defaults(func=cmd_sync)


def _files(args: argparse.Namespace, store: Store, path: Path) -> int:
    if args.action == "export":
        batches, households = client.export_bundle(store, path)
        if not batches:
            print(tr("sync_bundle_empty"))
            return 0
        # The officer must know where personal data now lies, and that a lost stick gives it to nobody.
        print(tr("sync_bundle_written", households=households, batches=batches, path=path.resolve()))
        print(tr("recovery_bundle_encrypted", path=path.resolve()))
        return 0
    if args.action == "upload":
        target = Path(args.receipt) if args.receipt else path.with_name(path.stem + ".receipt.json")
        client.upload_bundle(store, path, target)
        print(tr("sync_bundle_uploaded", path=target))
        return 0
    r = client.import_receipt(store, path, actor=args.actor or args.profile)
    print(tr("sync_receipt_applied", accepted=r.accepted, rejected=r.rejected, conflicts=r.conflicts, already=r.already))
    for problem in r.problems:
        print(problem, file=sys.stderr)
    return 1 if r.rejected or r.conflicts else 0


def cmd_enroll(args: argparse.Namespace, store: Store) -> int:
    try:
        answer = client.enroll(store, args.server, args.code, args.device_name, ca_file=args.ca_file)
    except client.SyncError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    print(tr("sync_enrolled", officer=answer["officer"], communes=", ".join(answer["communes"])))
    _say_recovery_keys(args, store, answer.get("recovery_added") or [])
    if answer.get("recovery_problem"):
        print(answer["recovery_problem"].text(), file=sys.stderr)
    elif not answer.get("recovery_keys"):
        print(tr("recovery_none_at_enrollment"), file=sys.stderr)
    return 0


def _name_refused(refused: list[outbox.RefusedHousehold]) -> None:
    """One line a household: its code, its head and the server's reasons, so the officer
    knows which paper form to take out."""
    for h in refused:
        key = "sync_conflict_household" if h.outcome == "conflict" else "sync_refused_household"
        print(tr(key, code=h.household_code or h.uuid[:8], head=h.head_name or "-", reason=h.reason()))


def _say_recovery_keys(args: argparse.Namespace, store: Store, added: list[str]) -> None:
    for fp in added:
        print(tr("security_recovery_added" if keys.is_encrypted(store.path) else "security_recovery_pending",
                 profile=args.profile, fingerprint=fp))


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    if args.action in ("export", "receipt", "upload"):
        if not args.file:
            print(f"labour-survey sync {args.action} FILE", file=sys.stderr)
            return 2
        try:
            return _files(args, store, Path(args.file))
        except bundle.BundleError as exc:
            print(tr("sync_bad_file", reason=str(exc)), file=sys.stderr)
            return 2
        except client.SyncError as exc:
            print(exc.msg.text(), file=sys.stderr)
            return 2
    if args.action == "status":
        st = client.status(store)
        print(tr("sync_status", server=st.server_url or "-", waiting=st.waiting, last=st.last_success_at or "-"))
        if st.last_error:
            print(tr("sync_last_error", error=st.last_error.text()))
        refused = outbox.refused(store)
        if refused:
            print(tr("sync_status_refused", n=len(refused)))
            _name_refused(refused)
        return 0
    try:
        result = client.SyncClient(store, actor=args.actor or args.profile).sync()
    except client.SyncError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    print(tr("sync_done", accepted=result.accepted, rejected=result.rejected, conflicts=result.conflicts,
             waiting=result.waiting))
    _name_refused(outbox.refused(store, uuids=result.refused))
    if result.forms_received or result.code_lists_received or result.assigned or result.returned:
        print(tr("sync_received", forms=result.forms_received, lists=result.code_lists_received, assigned=result.assigned,
                 returned=result.returned))
    _say_recovery_keys(args, store, result.recovery_keys_added)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return 1 if result.rejected or result.conflicts else 0
