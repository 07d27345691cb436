"""`labour-survey enroll` and `labour-survey sync [status]`."""

from __future__ import annotations

import argparse
import socket
import sys

from forms.i18n import tr
from forms.store import Store
from sync import client


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enroll", help="enroll this laptop with the provincial server (one-time code)")
    p.add_argument("server", help="the server's address, e.g. https://laodong.thanhhoa.gov.vn")
    p.add_argument("code", help="the one-time enrollment code from the administrator")
    p.add_argument("--device-name", default=socket.gethostname(), help="how the server lists this laptop")
    p.add_argument("--ca-file", help="the province's CA certificate (PEM), if its server uses its own")
    p.set_defaults(func=cmd_enroll)
    p = sub.add_parser("sync", help="send what is waiting to the provincial server; `sync status` to check")
    p.add_argument("action", nargs="?", choices=["status"])
    p.set_defaults(func=cmd_sync)


def cmd_enroll(args: argparse.Namespace, store: Store) -> int:
    try:
        answer = client.enroll(store, args.server, args.code, args.device_name, ca_file=args.ca_file)
    except client.SyncError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    print(tr("sync_enrolled", officer=answer["officer"], communes=", ".join(answer["communes"])))
    return 0


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    if args.action == "status":
        st = client.status(store)
        print(tr("sync_status", server=st.server_url or "-", waiting=st.waiting, last=st.last_success_at or "-"))
        if st.last_error:
            print(tr("sync_last_error", error=st.last_error.text()))
        return 0
    try:
        result = client.SyncClient(store, actor=args.actor or args.profile).sync()
    except client.SyncError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    print(tr("sync_done", accepted=result.accepted, rejected=result.rejected, conflicts=result.conflicts,
             waiting=result.waiting))
    if result.forms_received or result.assigned or result.returned:
        print(tr("sync_received", forms=result.forms_received, assigned=result.assigned, returned=result.returned))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return 1 if result.rejected or result.conflicts else 0
