"""`labour-survey-server`: run the provincial server and administer it."""

from __future__ import annotations

import argparse
import json
import socket
import sys

from sqlalchemy import select

from forms.i18n import set_language
from sync.server import accounts
from sync.server.db import connect, default_url, devices, households, officers


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labour-survey-server", description="The labour-survey provincial server.")
    p.add_argument("--db", help="database URL (default: $LABOUR_SURVEY_SERVER_DB or a SQLite file in the "
                                "user data folder); e.g. postgresql+psycopg://user@host/labour")
    p.add_argument("--lang", choices=["vi", "en"])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8470, help="0 lets the system choose; the address is printed")
    s.add_argument("--cert", help="TLS certificate (PEM): serve HTTPS")
    s.add_argument("--key", help="TLS private key (PEM)")
    s.set_defaults(func=cmd_serve)
    o = sub.add_parser("officers", help="officer accounts").add_subparsers(dest="action", required=True)
    a = o.add_parser("add", help="add an officer; prints a one-time enrollment code for their laptop")
    a.add_argument("username")
    a.add_argument("--name", required=True)
    a.add_argument("--communes", required=True, help="comma-separated 5-digit commune codes")
    a.set_defaults(func=cmd_officer_add)
    c = o.add_parser("code", help="a new enrollment code for an officer (a new or replaced laptop)")
    c.add_argument("username")
    c.set_defaults(func=cmd_officer_code)
    r = o.add_parser("revoke", help="withdraw an officer's access at once (all their laptops)")
    r.add_argument("username")
    r.set_defaults(func=cmd_officer_revoke)
    o.add_parser("list").set_defaults(func=cmd_officer_list)
    d = sub.add_parser("devices", help="enrolled laptops").add_subparsers(dest="action", required=True)
    d.add_parser("list").set_defaults(func=cmd_device_list)
    dr = d.add_parser("revoke", help="withdraw one laptop's access at once")
    dr.add_argument("id", type=int)
    dr.set_defaults(func=cmd_device_revoke)
    h = sub.add_parser("households", help="households received").add_subparsers(dest="action", required=True)
    hl = h.add_parser("list")
    hl.add_argument("--commune")
    hl.set_defaults(func=cmd_households_list)
    return p


def cmd_serve(args: argparse.Namespace, url: str) -> int:
    import uvicorn

    from sync.server.app import create_app

    engine = connect(url)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)  # connections made from now on wait in the queue until the app runs
    scheme = "https" if args.cert else "http"
    host, port = sock.getsockname()[:2]
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.cert:
        print("WARNING: serving over plain HTTP beyond this computer: tokens and personal data travel "
              "unencrypted. Give --cert and --key.", file=sys.stderr, flush=True)
    config = uvicorn.Config(create_app(engine), log_level="warning", ssl_certfile=args.cert, ssl_keyfile=args.key)
    print(f"labour-survey-server listening on {scheme}://{host}:{port} (database {engine.url.render_as_string()})",
          flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def cmd_officer_add(args: argparse.Namespace, url: str) -> int:
    code = accounts.add_officer(connect(url), args.username, args.name, [c.strip() for c in args.communes.split(",")])
    print(f"Officer {args.username} added. Enrollment code (one use, 14 days): {code}")
    return 0


def cmd_officer_code(args: argparse.Namespace, url: str) -> int:
    print(f"Enrollment code for {args.username} (one use, 14 days): {accounts.new_code(connect(url), args.username)}")
    return 0


def cmd_officer_revoke(args: argparse.Namespace, url: str) -> int:
    accounts.revoke_officer(connect(url), args.username)
    print(f"Officer {args.username} can no longer sync.")
    return 0


def cmd_officer_list(args: argparse.Namespace, url: str) -> int:
    with connect(url).connect() as conn:
        for row in conn.execute(select(officers).order_by(officers.c.username)):
            state = "active" if row.active else "revoked"
            print(f"{row.username:<20} {row.name:<30} {state:<8} {', '.join(json.loads(row.communes))}")
    return 0


def cmd_device_list(args: argparse.Namespace, url: str) -> int:
    with connect(url).connect() as conn:
        rows = conn.execute(select(devices, officers.c.username).join(officers, officers.c.id == devices.c.officer_id))
        for row in rows:
            print(f"{row.id:>4}  {row.username:<20} {row.name:<30} {'revoked' if row.revoked_at else 'active'}")
    return 0


def cmd_device_revoke(args: argparse.Namespace, url: str) -> int:
    accounts.revoke_device(connect(url), args.id)
    print(f"Device {args.id} can no longer sync.")
    return 0


def cmd_households_list(args: argparse.Namespace, url: str) -> int:
    query = select(households).order_by(households.c.updated_at.desc())
    if args.commune:
        query = query.where(households.c.commune_code == args.commune)
    with connect(url).connect() as conn:
        for row in conn.execute(query):
            print(f"{row.uuid[:8]}  {row.household_code or '-':<16} {row.commune_code}  r{row.server_revision:<3} "
                  f"{'deleted' if row.deleted else ''} {row.updated_at}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.lang:
        set_language(args.lang)
    try:
        return args.func(args, args.db or default_url())
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot start: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
