"""`labour-survey-server`: run the provincial server and administer it."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from forms import profile_cli, profiles
from forms.exports.files import ExportError
from forms.i18n import add_command, message, parse_command_line, tr
from forms.profile_cli import ENV_KEY_PASSWORD
from forms.store import StoreError
from sync.bundle import BundleError, os_reason, write_receipt
from sync.server import accounts, assignments, audit, bundles, db, form_versions, recovery, review
from sync.server import export as server_export
from sync.server.db import connect, default_url, devices, households, officers, reading
from sync.server.form_versions import ServerForms

# The options before the command that take a separate value (see forms.i18n.language_from_argv).
GLOBAL_OPTIONS_WITH_VALUE = ("--db", "--lang")


def build_parser() -> argparse.ArgumentParser:
    """The parser, its --help in the current language (main sets it from --lang first)."""
    p = argparse.ArgumentParser(prog="labour-survey-server", description=tr("help_server_description"))
    p.add_argument("--db", help=tr("help_server_db"))
    p.add_argument("--lang", choices=["vi", "en"], help=tr("help_lang"))
    sub = p.add_subparsers(dest="command", required=True)
    s = add_command(sub, "serve", "help_serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8470, help=tr("help_serve_port"))
    s.add_argument("--cert", help=tr("help_serve_cert"))
    s.add_argument("--key", help=tr("help_serve_key"))
    s.add_argument("--workers", type=int, default=1, help=tr("help_serve_workers"))
    s.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS", help=tr("help_serve_trusted_proxy"))
    s.add_argument("--api-docs", action="store_true", help=tr("help_serve_api_docs"))
    s.set_defaults(func=cmd_serve)
    o = add_command(sub, "officers", "help_officers").add_subparsers(dest="action", required=True)
    a = add_command(o, "add", "help_officers_add")
    a.add_argument("username")
    a.add_argument("--name", required=True)
    a.add_argument("--communes", required=True, help=tr("help_officers_communes"))
    a.add_argument("--role", choices=["officer", "supervisor"], default="officer", help=tr("help_officers_role"))
    a.set_defaults(func=cmd_officer_add)
    c = add_command(o, "code", "help_officers_code")
    c.add_argument("username")
    c.set_defaults(func=cmd_officer_code)
    r = add_command(o, "revoke", "help_officers_revoke")
    r.add_argument("username")
    r.set_defaults(func=cmd_officer_revoke)
    o.add_parser("list").set_defaults(func=cmd_officer_list)
    d = add_command(sub, "devices", "help_devices").add_subparsers(dest="action", required=True)
    d.add_parser("list").set_defaults(func=cmd_device_list)
    dr = add_command(d, "revoke", "help_devices_revoke")
    dr.add_argument("id", type=int)
    dr.set_defaults(func=cmd_device_revoke)
    h = add_command(sub, "households", "help_server_households").add_subparsers(dest="action", required=True)
    hl = h.add_parser("list")
    hl.add_argument("--commune")
    hl.add_argument("--review", choices=["none", "returned", "resubmitted", "approved"],
                    help=tr("help_server_review_filter"))
    hl.set_defaults(func=cmd_households_list)
    hs = add_command(h, "show", "help_server_households_show")
    hs.add_argument("uuid", help=tr("help_server_uuid"))
    hs.set_defaults(func=cmd_households_show)
    hr = add_command(h, "return", "help_server_households_return")
    hr.add_argument("uuid", help=tr("help_server_uuid"))
    hr.add_argument("--comment", default="", help=tr("help_server_return_comment"))
    hr.add_argument("--field", action="append", default=[], metavar="QUESTION=COMMENT",
                    help=tr("help_server_return_field"))
    hr.add_argument("--by", help=tr("help_server_return_by"))
    hr.set_defaults(func=cmd_households_return)
    ha = add_command(h, "approve", "help_server_households_approve")
    ha.add_argument("uuid", help=tr("help_server_uuid"))
    ha.add_argument("--by", help=tr("help_server_approve_by"))
    ha.set_defaults(func=cmd_households_approve)
    asg = add_command(sub, "assignments", "help_assignments").add_subparsers(dest="action", required=True)
    aa = add_command(asg, "add", "help_assignments_add")
    aa.add_argument("file", help=tr("help_assignments_file"))
    aa.set_defaults(func=cmd_assignments_add)
    asg.add_parser("list").set_defaults(func=cmd_assignments_list)
    i = add_command(sub, "import", "help_server_import")
    i.add_argument("file")
    i.add_argument("-o", "--receipt", help=tr("help_server_import_receipt"))
    i.set_defaults(func=cmd_import)
    f = add_command(sub, "forms", "help_server_forms").add_subparsers(dest="action", required=True)
    fp = add_command(f, "publish", "help_server_forms_publish")
    fp.add_argument("file")
    fp.set_defaults(func=cmd_forms_publish)
    f.add_parser("list").set_defaults(func=cmd_forms_list)
    ex = add_command(sub, "export", "help_server_export")
    ex.add_argument("-o", "--output", required=True, help=tr("help_server_export_output"))
    ex.add_argument("--format", action="append", choices=["csv", "xlsx", "sav", "dta", "all"],
                    help=tr("help_server_export_format"))
    ex.add_argument("--commune")
    ex.add_argument("--review", choices=["none", "returned", "resubmitted", "approved"])
    ex.add_argument("--labels-lang", choices=["vi", "en"], default="vi", help=tr("help_server_labels_lang"))
    ex.set_defaults(func=cmd_export)
    au = add_command(sub, "audit", "help_audit")
    au.add_argument("--target", help=tr("help_audit_target"))
    au.add_argument("--actor")
    au.add_argument("--limit", type=int, default=200)
    au.set_defaults(func=cmd_audit)
    cl = add_command(sub, "codelists", "help_codelists").add_subparsers(dest="action", required=True)
    cp = add_command(cl, "publish", "help_codelists_publish")
    cp.add_argument("name", help=tr("help_codelists_name"))
    cp.add_argument("file")
    cp.add_argument("--version", required=True, help=tr("help_codelists_version"))
    cp.add_argument("--source", default="", help=tr("help_codelists_source"))
    cp.set_defaults(func=cmd_codelists_publish)
    rk = add_command(sub, "recovery-key", "help_recovery_key").add_subparsers(dest="action", required=True)
    rc = add_command(rk, "create", "help_recovery_create")
    rc.add_argument("--out", required=True, metavar="FILE.pem", help=tr("help_recovery_create_out",
                                                                        variable=ENV_KEY_PASSWORD))
    _add_or_replace(rc)
    rc.set_defaults(func=cmd_recovery_create)
    rs = add_command(rk, "set", "help_recovery_set")
    rs.add_argument("file", metavar="FILE.pub.pem")
    _add_or_replace(rs)
    rs.set_defaults(func=cmd_recovery_set)
    rw = add_command(rk, "show", "help_recovery_show")
    rw.add_argument("--pem", action="store_true", help=tr("help_recovery_show_pem"))
    rw.set_defaults(func=cmd_recovery_show)
    rr = add_command(rk, "retire", "help_recovery_retire")
    rr.add_argument("fingerprint", help=tr("help_recovery_fingerprint"))
    rr.set_defaults(func=cmd_recovery_retire)
    return p


def _add_or_replace(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--add", action="store_true", help=tr("help_recovery_add"))
    g.add_argument("--replace", action="store_true", help=tr("help_recovery_replace"))


def cmd_serve(args: argparse.Namespace, url: str) -> int:
    import uvicorn

    from sync.server.app import ENV_API_DOCS, create_app

    engine = connect(url)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)  # connections made from now on wait in the queue until the app runs
    scheme = "https" if args.cert else "http"
    host, port = sock.getsockname()[:2]
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.cert:
        print(tr("admin_plain_http"), file=sys.stderr, flush=True)
    # A receipt takes seconds to reach a laptop on a slow link: keep the connection open longer
    # than uvicorn's 5 s, or the next batch pays a new TCP (and TLS) handshake.
    # X-Forwarded-For and -Proto name the client only when a proxy of ours says so: from anyone
    # else they would fake the address in the audit log and dodge the per-address limits.
    # (uvicorn's default trusts them from 127.0.0.1, where every local process is.)
    options = dict(log_level="warning", ssl_certfile=args.cert, ssl_keyfile=args.key, timeout_keep_alive=75,
                   proxy_headers=bool(args.trusted_proxy), forwarded_allow_ips=",".join(args.trusted_proxy) or "")
    print(tr("admin_listening", url=f"{scheme}://{host}:{port}", database=engine.url.render_as_string()), flush=True)
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        # Each worker process builds its own app from the database URL (a connection pool is
        # not shared across processes). Rate limits are counted per process.
        os.environ["LABOUR_SURVEY_SERVER_DB"] = url
        os.environ[ENV_API_DOCS] = "1" if args.api_docs else "0"
        config = uvicorn.Config("sync.server.app:app_from_environment", factory=True, workers=args.workers, **options)
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(uvicorn.Config(create_app(engine, api_docs=args.api_docs), **options)).run(sockets=[sock])
    return 0


def cmd_officer_add(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    code = accounts.add_officer(engine, args.username, args.name, [c.strip() for c in args.communes.split(",")],
                                role=args.role)
    audit.record(engine, audit.admin(), "add account", args.username, detail={"role": args.role, "communes": args.communes})
    print(tr(f"admin_{args.role}_added", username=args.username, days=accounts.CODE_DAYS, code=code))
    return 0


def cmd_officer_code(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    code = accounts.new_code(engine, args.username)
    audit.record(engine, audit.admin(), "new enrollment code", args.username)
    print(tr("admin_new_code", username=args.username, days=accounts.CODE_DAYS, code=code))
    return 0


def cmd_officer_revoke(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    accounts.revoke_officer(engine, args.username)
    audit.record(engine, audit.admin(), "revoke account", args.username)
    print(tr("admin_officer_revoked", username=args.username))
    return 0


def cmd_officer_list(args: argparse.Namespace, url: str) -> int:
    with connect(url).connect() as conn:
        for row in conn.execute(select(officers).order_by(officers.c.username)):
            state = tr("admin_state_active" if row.active else "admin_state_revoked")
            role = tr(f"admin_role_{row.role}")
            print(f"{row.username:<20} {row.name:<30} {role:<10} {state:<11} {', '.join(json.loads(row.communes))}")
    return 0


def cmd_device_list(args: argparse.Namespace, url: str) -> int:
    with connect(url).connect() as conn:
        rows = conn.execute(select(devices, officers.c.username).join(officers, officers.c.id == devices.c.officer_id))
        for row in rows:
            print(f"{row.id:>4}  {row.username:<20} {row.name:<30} "
                  f"{tr('admin_state_revoked' if row.revoked_at else 'admin_state_active')}")
    return 0


def cmd_device_revoke(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    accounts.revoke_device(engine, args.id)
    audit.record(engine, audit.admin(), "revoke device", f"device {args.id}")
    print(tr("admin_device_revoked", id=args.id))
    return 0


def cmd_households_list(args: argparse.Namespace, url: str) -> int:
    query = select(households).order_by(households.c.updated_at.desc())
    if args.commune:
        query = query.where(households.c.commune_code == args.commune)
    if args.review:
        query = query.where(households.c.review_state.is_(None) if args.review == "none"
                            else households.c.review_state == args.review)
    with connect(url).connect() as conn:
        rows = conn.execute(query).all()
    if rows:
        names = tr("admin_households_header").split("|")
        print(f"{names[0]:<10}{names[1]:<17}{names[2]:<9}{names[3]:<5}{names[4]:<12}{names[5]:>8}  {names[6]}")
    for row in rows:
        # Not reviewed yet: "new", as the review pages call it.
        state = tr("admin_household_deleted") if row.deleted else tr(f"review_state_{row.review_state or 'new'}")
        print(f"{row.uuid[:8]}  {row.household_code or '-':<16} {row.commune_code:<8} r{row.server_revision:<3} "
              f"{state:<11} {row.warning_count:>8}  {row.updated_at}")
    return 0


def cmd_households_show(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    with reading(engine) as conn:
        row = review.find(conn, args.uuid)
    audit.record(engine, audit.admin(), "read", row.uuid)
    doc = {"uuid": row.uuid, "commune_code": row.commune_code, "household_code": row.household_code,
           "server_revision": row.server_revision, "form": f"{row.form_id} {row.form_version}",
           "review_state": row.review_state, "deleted": row.deleted, "updated_at": row.updated_at,
           **(json.loads(row.data) if row.data else {}), "review_history": review.history(engine, row.uuid)}
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


def cmd_households_return(args: argparse.Namespace, url: str) -> int:
    fields = {}
    for item in args.field:
        ref, sep, text = item.partition("=")
        if not sep or not ref.strip() or not text.strip():
            raise review.ReviewError(message("admin_field_format", item=repr(item)))
        fields[ref.strip()] = text.strip()
    engine = connect(url)
    payload = review.return_household(engine, ServerForms(engine), args.uuid, args.comment, by=args.by or audit.admin(),
                                      fields=fields)
    print(tr("admin_household_returned", uuid=payload["uuid"], round=payload["round"]))
    return 0


def cmd_households_approve(args: argparse.Namespace, url: str) -> int:
    review.approve(connect(url), args.uuid, by=args.by or audit.admin())
    print(tr("admin_household_approved", uuid=args.uuid))
    return 0


def cmd_assignments_add(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    added = assignments.add_from_file(engine, ServerForms(engine), Path(args.file))
    audit.record(engine, audit.admin(), "add assignments", Path(args.file).name, detail={"added": added})
    print(tr("admin_assignments_added", n=added))
    return 0


def cmd_assignments_list(args: argparse.Namespace, url: str) -> int:
    with connect(url).connect() as conn:
        for row in conn.execute(select(db.assignments).order_by(db.assignments.c.commune_code, db.assignments.c.household_code)):
            print(f"{row.uuid[:8]}  {row.household_code or '-':<16} {row.commune_code}  {row.created_at}")
    return 0


def cmd_import(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    path = Path(args.file)
    started = accounts.now()
    device, receipts, key = bundles.import_bundle(engine, ServerForms(engine), path)
    target = Path(args.receipt) if args.receipt else path.with_name(path.stem + ".receipt.json")
    write_receipt(target, receipts, key)
    audit.record(engine, audit.admin(), "import bundle", path.name, detail={"device": device.id, "batches": len(receipts)})
    counts = {o: sum(1 for r in receipts for e in r["records"] if e["outcome"] == o) for o in ("accepted", "rejected", "conflict")}
    print(tr("admin_bundle_imported", officer=device.username, device=device.name, accepted=counts["accepted"],
             rejected=counts["rejected"], conflicts=counts["conflict"]))
    # Receipts stored before this command started: the same bundle (or its batches sent online) came
    # in earlier, and nothing was stored again.
    earlier = [r["received_at"] for r in receipts if r.get("received_at", started) < started]
    if receipts and len(earlier) == len(receipts):
        print(tr("admin_bundle_already", when=max(earlier)[:16].replace("T", " ")))
    print(tr("admin_receipt_written", path=target))
    return 0


def cmd_forms_publish(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    definition = form_versions.publish(engine, ServerForms(engine), Path(args.file))
    audit.record(engine, audit.admin(), "publish form", f"{definition.form_id} {definition.version}")
    print(tr("admin_form_published", form_id=definition.form_id, version=definition.version))
    return 0


def cmd_export(args: argparse.Namespace, url: str) -> int:
    from forms.exports import FORMATS, export_files

    engine = connect(url)
    formats = list(FORMATS) if not args.format or "all" in args.format else list(dict.fromkeys(args.format))
    definitions, records, count = server_export.server_selection(engine, ServerForms(engine), commune=args.commune,
                                                                 review=args.review)
    result = export_files(definitions, records, args.output, formats=formats, lang=args.labels_lang)
    audit.record(engine, audit.admin(), "export", args.output, detail={"households": count, "commune": args.commune,
                                                                      "formats": formats})
    for f in result.files:
        print(tr("admin_export_file", path=f.path, rows=f.rows))
    print(tr("admin_exported", n=result.households, folder=args.output))
    if result.problems:
        print(tr("admin_export_problems", n=len(result.problems)), file=sys.stderr)
        for p in result.problems[:20]:
            print(f"  {p.household_code or p.household_uuid} {p.level} {p.row or ''} {p.variable}: {p.value!r}", file=sys.stderr)
        return 1
    return 0


def cmd_audit(args: argparse.Namespace, url: str) -> int:
    for row in audit.entries(connect(url), target=args.target, actor=args.actor, limit=args.limit):
        print(f"{row.at}  {row.actor:<32} {row.action:<20} {row.target or '-':<38} {row.detail or ''} {row.address or ''}")
    return 0


def cmd_codelists_publish(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    added = form_versions.publish_code_list(engine, args.name, Path(args.file), version=args.version, source=args.source)
    audit.record(engine, audit.admin(), "publish code list", args.name, detail={"version": args.version, "new": added})
    print(tr("admin_codelist_published" if added else "admin_codelist_same", name=args.name))
    return 0


def cmd_forms_list(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    published = {}
    with reading(engine) as conn:
        for row in conn.execute(select(db.form_versions)):
            published[(row.form_id, row.version)] = row.published_at
    for d in ServerForms(engine):
        published.setdefault((d.form_id, d.version), tr("admin_form_shipped"))
    for (form_id, version), when in sorted(published.items()):
        print(f"{form_id:<20} {version:<8} {when}")
    return 0


def _key_passphrase() -> bytes:
    value = os.environ.get(ENV_KEY_PASSWORD)
    again = value
    if value is None:
        value = profile_cli.ask(tr("recovery_prompt_key_passphrase", n=profiles.MIN_LENGTH), ENV_KEY_PASSWORD)
        again = profile_cli.ask(tr("security_prompt_again"), ENV_KEY_PASSWORD)
    problems = profiles.passphrase_problems(value, again)
    if problems:
        raise recovery.RecoveryKeyError(problems[0])
    # As `labour-survey profile recover` reads it back: plain UTF-8 of what was typed.
    return value.encode("utf-8")


def cmd_recovery_create(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    out = Path(args.out)
    # Refused before the passphrase is asked, not after it was typed twice for nothing.
    if out.exists():
        raise recovery.RecoveryKeyError(message("recovery_key_file_exists", path=out.resolve()))
    recovery.check_choice(engine, add=args.add, replace=args.replace)
    key, public_path = recovery.create(engine, out, _key_passphrase(), add=args.add, replace=args.replace)
    audit.record(engine, audit.admin(), "create recovery key", key.fingerprint,
                 detail={"add": args.add, "replace": args.replace})
    print(tr("recovery_key_created", fingerprint=key.fingerprint, private=out.resolve(), public=public_path.resolve()))
    _say_retired(engine, key.fingerprint, args.replace)
    return 0


def cmd_recovery_set(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    try:
        pem = Path(args.file).read_bytes()
    except OSError as exc:
        raise recovery.RecoveryKeyError(message("security_cannot_read", path=args.file,
                                                reason=exc.strerror or str(exc))) from None
    if b"PRIVATE KEY" in pem:  # the private key must not come near the server, even by mistake
        raise recovery.RecoveryKeyError(message("recovery_key_private_given", path=args.file))
    key = recovery.store_public_key(engine, pem, "imported", add=args.add, replace=args.replace)
    audit.record(engine, audit.admin(), "set recovery key", key.fingerprint, detail={"add": args.add, "replace": args.replace})
    print(tr("recovery_key_set", fingerprint=key.fingerprint))
    _say_retired(engine, key.fingerprint, args.replace)
    return 0


def _say_retired(engine: Engine, fingerprint: str, replace: bool) -> None:
    retired = [k.fingerprint for k in recovery.all_keys(engine) if not k.active and k.fingerprint != fingerprint]
    if replace and retired:
        print(tr("recovery_key_replaced", fingerprints=", ".join(retired)))


def cmd_recovery_show(args: argparse.Namespace, url: str) -> int:
    found = recovery.all_keys(connect(url))
    if not any(k.active for k in found):
        print(tr("recovery_none_on_server"))
    for k in found:
        state = tr("recovery_state_active") if k.active else tr("recovery_state_retired", at=k.retired_at)
        print(f"{k.fingerprint}  {state:<24} {k.created_at}  {tr('recovery_origin_' + k.origin)}")
    if args.pem:
        for k in found:
            if k.active:
                print(k.public_pem, end="")
    return 0 if any(k.active for k in found) else 1


def cmd_recovery_retire(args: argparse.Namespace, url: str) -> int:
    engine = connect(url)
    key = recovery.retire(engine, args.fingerprint)
    audit.record(engine, audit.admin(), "retire recovery key", key.fingerprint)
    print(tr("recovery_key_retired", fingerprint=key.fingerprint))
    if not recovery.active(engine):
        print(tr("recovery_none_on_server"), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_command_line(build_parser, argv, takes_value=GLOBAL_OPTIONS_WITH_VALUE)
    try:
        return args.func(args, args.db or default_url())
    except (accounts.AccountError, review.ReviewError, assignments.AssignmentError, form_versions.PublishError,
            BundleError, ExportError, recovery.RecoveryKeyError, StoreError) as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    except OSError as exc:
        # A file given on the command line (not found, not allowed), or the port of `serve`.
        if exc.filename:
            print(tr("admin_file_problem", path=exc.filename, reason=os_reason(exc)), file=sys.stderr)
        else:
            print(tr("admin_cannot_start", reason=os_reason(exc)), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
