"""The `labour-survey households ...` and `labour-survey forms ...` commands."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from forms import exchange, paths, profile_cli, profiles, records
from forms.definition import DefinitionError, load_definition
from forms.engine import Evaluation, FieldRef
from forms.i18n import add_command, catalog, current_language, message, set_language, tr
from forms.store import STATUSES, Household, NeedsConfirmation, NotCompletable, Store, StoreError, keys, outbox
from forms.store.cipher import plain_errors
from forms.store.errors import OutsideCommunes
from forms.text import fold

# The options of add_common_options that take a separate value: read before the parser is built,
# to know the language of its --help (forms.i18n.language_from_argv).
COMMON_OPTIONS_WITH_VALUE = ("--data-dir", "--profile", "--lang", "--actor")


def add_common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help=tr("help_data_dir"))
    p.add_argument("--profile", default="default", help=tr("help_profile"))
    p.add_argument("--lang", choices=["vi", "en"], help=tr("help_lang"))
    p.add_argument("--actor", help=tr("help_actor"))


def register(sub: argparse._SubParsersAction) -> None:
    """The households, export and forms commands (and profile's), their help in the current language."""
    hh = add_command(sub, "households", "help_households")
    hsub = hh.add_subparsers(dest="action", required=True)
    p = add_command(hsub, "import", "help_households_import")
    p.add_argument("file", help=tr("help_households_import_file"))
    p.add_argument("--all-or-nothing", action="store_true", help=tr("help_households_import_all_or_nothing"))
    p.add_argument("--replace", action="store_true", help=tr("help_households_import_replace"))
    p.set_defaults(func=cmd_import, creates_profile=True)
    p = add_command(hsub, "export", "help_households_export")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("-o", "--output", help=tr("help_households_export_output"))
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--level", choices=["members", "households"], default="members",
                   help=tr("help_households_export_level"))
    p.add_argument("--labels", action="store_true", help=tr("help_csv_labels"))
    p.add_argument("--excel-text", action="store_true", help=tr("help_excel_text"))
    p.set_defaults(func=cmd_export)
    p = add_command(hsub, "list", "help_households_list")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--village")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_list)
    p = add_command(hsub, "search", "help_households_search")
    p.add_argument("text", nargs="+")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_search)
    p = add_command(hsub, "validate", "help_households_validate")
    p.add_argument("ids", nargs="*", help=tr("help_households_validate_ids"))
    p.add_argument("--warnings", action="store_true", help=tr("help_households_validate_warnings"))
    p.set_defaults(func=cmd_validate)
    p = add_command(hsub, "show", "help_households_show")
    p.add_argument("id", help=tr("help_household_id"))
    p.add_argument("--json", action="store_true", help=tr("help_households_show_json"))
    p.set_defaults(func=cmd_show)
    p = add_command(hsub, "complete", "help_households_complete")
    p.add_argument("ids", nargs="*", metavar="id", help=tr("help_household_id"))
    p.add_argument("--all-clean", action="store_true", help=tr("help_households_complete_all_clean"))
    p.add_argument("--accept-warnings", action="store_true", help=tr("help_households_complete_accept_warnings"))
    p.set_defaults(func=cmd_complete)
    p = add_command(hsub, "delete", "help_households_delete")
    p.add_argument("id", help=tr("help_household_id"))
    p.set_defaults(func=cmd_delete)
    p = add_command(hsub, "history", "help_households_history")
    p.add_argument("id", help=tr("help_household_id"))
    p.set_defaults(func=cmd_history)

    p = add_command(sub, "export", "help_export")
    p.add_argument("--format", action="append", choices=["csv", "xlsx", "sav", "dta", "all"],
                   help=tr("help_export_format"))
    p.add_argument("-o", "--output", required=True, metavar="FOLDER", help=tr("help_export_output"))
    p.add_argument("--plain", action="store_true", help=tr("help_export_plain"))
    p.add_argument("--status", action="append", choices=STATUSES, help=tr("help_export_status"))
    # Not `--lang` into args.lang: a subcommand's default would overwrite the message language.
    p.add_argument("--lang", dest="labels_lang", choices=["vi", "en"], help=tr("help_export_labels_lang"))
    p.add_argument("--labels", action="store_true", help=tr("help_export_labels"))
    p.add_argument("--excel-text", action="store_true", help=tr("help_excel_text"))
    p.set_defaults(func=cmd_export_files)

    fm = add_command(sub, "forms", "help_forms")
    fsub = fm.add_subparsers(dest="action", required=True)
    p = add_command(fsub, "check", "help_forms_check")
    p.add_argument("file")
    p.set_defaults(func=cmd_forms_check, needs_store=False)
    p = add_command(fsub, "list", "help_forms_list")
    p.set_defaults(func=cmd_forms_list, needs_store=False)
    p = add_command(fsub, "export", "help_forms_export")
    p.add_argument("--form", default="labour_supply", help=tr("help_forms_export_form"))
    p.add_argument("--version", dest="form_version", help=tr("help_forms_export_version"))
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    p.set_defaults(func=cmd_forms_export, needs_store=False)
    p = add_command(fsub, "import", "help_forms_import")
    p.add_argument("workbook", metavar="WORKBOOK.xlsx")
    p.add_argument("--version", dest="form_version", help=tr("help_forms_import_version"))
    p.add_argument("-o", "--output", required=True, metavar="FOLDER", help=tr("help_forms_import_output"))
    p.set_defaults(func=cmd_forms_import, needs_store=False)

    profile_cli.register(sub)


def open_store(args: argparse.Namespace) -> Store:
    """The profile's store; an encrypted one after its passphrase (asked, or $LABOUR_SURVEY_PASSPHRASE).

    A profile that does not exist is made only by the commands that put data in it (import,
    enroll), encrypted whenever a passphrase is at hand; any other command refuses, so that a
    mistyped --profile does not leave an empty profile behind."""
    path = paths.store_path(args.profile, args.data_dir)
    if keys.is_encrypted(path):
        if keys.unlocked_key(path) is None:
            profile_cli.unlock(args.profile, path)
    elif not path.exists():
        if not getattr(args, "creates_profile", False):
            known = ", ".join(profiles.profile_names(args.data_dir)) or "—"
            raise StoreError(message("cli_no_such_profile", profile=args.profile, path=path, known=known))
        profile_cli.create_for_command(args.profile, path)
    else:
        print(tr("security_plain_warning", profile=args.profile, path=path), file=sys.stderr)
    return Store(path)


def actor(args: argparse.Namespace) -> str:
    return args.actor or args.profile


def run(args: argparse.Namespace) -> int:
    if args.lang:
        set_language(args.lang)
    try:
        return _run(args)
    except BrokenPipeError:
        # Output piped into `head`, which stopped reading: not an error of the officer's. Later
        # writes (and Python's own flush at exit) go nowhere instead of raising again.
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        print(tr("sf_interrupted"), file=sys.stderr)
        return 130
    except OSError as exc:
        print(tr("sf_cannot_write", path=exc.filename or "", reason=os_reason(exc)), file=sys.stderr)
        return 2
    except Exception as exc:  # no traceback ever reaches an officer
        # The store's own errors are StoreError; this is a bug or a damage nobody foresaw. The
        # type names it for the district's technical officer; the message may hold personal data.
        print(tr("sf_unexpected", kind=type(exc).__name__), file=sys.stderr)
        return 70


def _run(args: argparse.Namespace) -> int:
    try:
        if getattr(args, "needs_store", True):
            with open_store(args) as store, plain_errors(str(store.path)):
                return args.func(args, store)
        return args.func(args, None)
    except StoreError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    except LookupError as exc:
        # str() of a KeyError quotes its text: print the message itself.
        text = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
        print(text, file=sys.stderr)
        return 2


def _quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


_OS_REASONS = {errno.ENOENT: "sf_os_no_such_file", errno.EISDIR: "sf_os_is_a_folder",
               errno.ENOTDIR: "sf_os_not_a_folder", errno.EACCES: "sf_os_not_allowed",
               errno.EPERM: "sf_os_not_allowed", errno.EROFS: "sf_os_read_only", errno.ENOSPC: "sf_os_disk_full",
               errno.EDQUOT: "sf_os_disk_full"}


def os_reason(exc: OSError, writing: bool = True) -> str:
    """Why a file could not be used, in the chosen language (the system's strerror is English)."""
    if exc.errno == errno.ENOENT and writing:
        return tr("sf_os_no_folder")
    key = _OS_REASONS.get(exc.errno or 0)
    return tr(key) if key else tr("sf_os_other", errno=exc.errno)


# -- households ------------------------------------------------------------------------------
@contextlib.contextmanager
def _input(name: str) -> Iterator[IO[str]]:
    if name == "-":
        yield sys.stdin
    else:
        with open(name, encoding="utf-8-sig", newline="") as fh:
            yield fh


@contextlib.contextmanager
def _output(name: str | None, newline: str | None = None) -> Iterator[IO[str]]:
    if not name or name == "-":
        yield sys.stdout
    else:
        with open(name, "w", encoding="utf-8", newline=newline) as fh:
            yield fh


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    try:
        with _input(args.file) as fh:
            report = exchange.import_jsonl(store, fh, actor=actor(args), all_or_nothing=args.all_or_nothing,
                                           replace=args.replace, workers=None)
    except OSError as exc:
        print(tr("sf_cannot_read", path=args.file, reason=os_reason(exc, writing=False)), file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(tr("sf_not_utf8", path=args.file), file=sys.stderr)
        return 2
    for bad in report.bad:
        print(tr("cli_bad_line", line=bad.line, reason=bad.reason), file=sys.stderr)
    if not report.committed:
        print(tr("cli_import_nothing", bad=len(report.bad)), file=sys.stderr)
        return 1
    print(tr("cli_import_done", added=report.added, replaced=report.replaced, unchanged=report.unchanged,
             bad=len(report.bad)))
    if report.bad:
        good = report.added + report.replaced + report.unchanged
        print(tr("cli_import_partial_note" if good else "cli_import_none_good"), file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    with _output(args.output, newline="" if args.format == "csv" else None) as out:
        if args.format == "jsonl":
            n = exchange.export_jsonl(store, out, status=args.status)
        else:
            n = exchange.export_csv(store, out, level=args.level, status=args.status, labels=args.labels,
                                    excel_text=args.excel_text)
    if args.output:
        print(tr("cli_exported", n=n, path=args.output), file=sys.stderr)
        print(tr("cli_exported_in_clear", path=Path(args.output).absolute()), file=sys.stderr)
    return 0


def cmd_export_files(args: argparse.Namespace, store: Store) -> int:
    """The export protected by a passphrase by default (one 7z archive), in clear with --plain;
    either way it ends by saying where the personal data now is."""
    from forms.exports import FORMATS, ExportError, export_files
    from forms.exports import archive as encrypted
    from forms.exports.from_store import store_selection

    formats = list(FORMATS) if not args.format or "all" in args.format else list(dict.fromkeys(args.format))
    output = Path(args.output).absolute()
    try:
        # Asked before reading a household: a passphrase refused after a long export is no use.
        passphrase = None if args.plain else _export_passphrase()
        definitions, records, _count = store_selection(store, args.status)
        lang = args.labels_lang or current_language()
        if passphrase is None:
            result = export_files(definitions, records, output, formats=formats, lang=lang, labels=args.labels,
                                  excel_text=args.excel_text)
        else:
            result = encrypted.export_archive(definitions, records, encrypted.archive_path(output), passphrase,
                                              formats=formats, lang=lang, labels=args.labels, excel_text=args.excel_text)
    except ExportError as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    except OSError as exc:
        print(tr("exports_cli_cannot_write", path=exc.filename or output, reason=os_reason(exc)),
              file=sys.stderr)
        return 2
    if result.archive is not None:
        print(tr("exports_cli_archive", path=result.archive))
        for f in result.files:
            key = "exports_cli_codebook" if f.level == "codebook" else "exports_cli_file"
            print("  " + tr(key, path=f.path, rows=f.rows))
        print(tr("exports_cli_done", households=result.households, folder=result.archive))
        print(tr("exports_cli_archive_how"))
    else:
        for f in result.files:
            key = "exports_cli_codebook" if f.level == "codebook" else "exports_cli_file"
            print(tr(key, path=f.path, rows=f.rows))
        print(tr("exports_cli_done", households=result.households, folder=output))
        print(tr("exports_cli_plain_warning", folder=output), file=sys.stderr)
    if result.problems:
        print(tr("exports_cli_unwritable", n=len(result.problems)), file=sys.stderr)
        for p in result.problems[:20]:
            print(f"  {p.household_code or p.household_uuid} {p.level} {p.row or ''} {p.variable}: {p.value!r}",
                  file=sys.stderr)
        return 1
    return 0


def _export_passphrase() -> str:
    """From $LABOUR_SURVEY_EXPORT_PASSPHRASE, or typed twice at the terminal (three tries)."""
    from forms import profiles
    from forms.exports import ExportError
    from forms.exports import archive as encrypted

    variable = encrypted.ENV_PASSPHRASE
    scripted = os.environ.get(variable) is not None or not sys.stdin.isatty()
    attempt = 0
    while True:
        attempt += 1
        value = profile_cli.ask(tr("exports_prompt_passphrase", n=profiles.MIN_LENGTH), variable)
        again = value if scripted else profile_cli.ask(tr("exports_prompt_again"), variable)
        problems = encrypted.passphrase_problems(value, again)
        if not problems:
            return value
        if scripted or attempt >= profile_cli.TRIES:
            raise ExportError(problems[0])
        for problem in problems:
            print(problem.text(), file=sys.stderr)


def _summary_line(h: Household) -> str:
    # The server's reasons for refusing it are errors of the household too, until it accepts it.
    marks = tr("sf_marks", errors=h.error_count + len(outbox.server_problems(h)), warnings=h.warning_count)
    status = tr(f"cli_status_{h.status}") if h.status in ("draft", "complete", "sent", "returned") else h.status
    return (f"{h.uuid[:8]}  {h.household_code or '-':<12} {status:<10} {_cut(h.village or '-', 22):<22} "
            f"{_cut(h.head_name or '-', 28):<28} {h.member_count:>2}  {marks:<7} {h.updated_at[:16]}")


def _cut(text: str, width: int) -> str:
    """Text that fits its column, so that the next column still starts where it should."""
    return text if len(text) <= width else text[:width - 1] + "…"


def resolve_village(store: Store, wanted: str) -> str:
    """The one stored village that `wanted` names as search would match it (case and diacritics
    ignored); LookupError with the villages there are, or those it could mean."""
    found = store.matching_villages(wanted)
    if len(found) == 1:
        return found[0]
    if found:
        raise LookupError(tr("sf_village_ambiguous", village=wanted, matches="; ".join(found)))
    raise LookupError(tr("sf_no_village", village=wanted, known="; ".join(store.villages()) or "—"))


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    counts = store.counts()
    print(tr("cli_counts", **counts))
    village = resolve_village(store, args.village) if args.village else None
    for h in store.list(status=args.status, village=village, limit=args.limit):
        print(_summary_line(h))
        _print_server_problems(h)
    return 0


def _print_server_problems(h: Household, indent: str = "    ") -> None:
    """Under a household the server refused: why, in its words, until it accepts it."""
    for problem in outbox.server_problems(h):
        where = f"{problem.field}: " if problem.field else ""
        print(f"{indent}{tr('sf_server_refused')}: {where}{problem.text()}")


def cmd_search(args: argparse.Namespace, store: Store) -> int:
    found = store.search(" ".join(args.text), limit=args.limit)
    words = re.findall(r"\w+", fold(" ".join(args.text)))
    for h in found:
        print(_summary_line(h))
        _print_matching_members(store, h, words)
    if not found:
        print(tr("cli_search_none", text=" ".join(args.text)), file=sys.stderr)
    return 0 if found else 1


def _print_matching_members(store: Store, h: Household, words: list[str]) -> None:
    """Under a household found by a search: the members whose name or citizen ID matched, so
    that the officer sees why it was found (a household of ten found by a grandchild's name)."""
    full = store.get(h.uuid)
    d = store.definition_of(full)
    for roster_id, i, text in records.matching_rows(d, full.record or {}, words):
        roster = d.by_id[roster_id]
        title = roster.row_label.text() if roster.row_label else roster_id
        print(f"    ↳ {title} {i + 1}: {text}")


def find(store: Store, key: str) -> Household:
    """A household by UUID, by the first characters of its UUID, or by household code."""
    key = key.strip()
    try:
        return store.get(key)
    except StoreError:
        pass
    rows = store.conn.execute(
        "SELECT uuid FROM households WHERE deleted_at IS NULL AND (uuid LIKE ? OR household_code = ?) LIMIT 5",
        [key.lower() + "%" if len(key) >= 4 else "\x00", key]).fetchall()
    if not rows:
        raise LookupError(tr("cli_no_household", wanted=key))
    if len(rows) > 1:
        raise LookupError(tr("cli_ambiguous", wanted=key, n=len(rows)))
    return store.get(rows[0][0])


def describe_ref(store: Store, h: Household, ref: FieldRef) -> str:
    d = store.definition_of(h)
    f = d.by_id.get(ref.field)
    label = f.label.text() if f is not None and f.label else ref.field
    if ref.roster is None:
        return label
    roster = d.by_id[ref.roster]
    row_label = roster.row_label.text() if roster.row_label else ref.roster
    return f"{row_label} {ref.row + 1 if ref.row is not None else ''} · {label}".replace("  ", " ")


def print_findings(store: Store, h: Household, ev: Evaluation, warnings: bool = True, out: IO[str] = sys.stdout) -> None:
    for f in ev.findings:
        if f.severity == "warning" and not warnings:
            continue
        print(f"  {tr('severity_' + f.severity)}: {describe_ref(store, h, f.ref)}: {f.text()}", file=out)


def cmd_validate(args: argparse.Namespace, store: Store) -> int:
    targets = [find(store, k) for k in args.ids] if args.ids else list(exchange.iter_households(store))
    errors = warnings = 0
    for h in targets:
        h = store.get(h.uuid) if h.record is None else h
        ev = store.evaluate(h.record or {}, store.definition_of(h))
        refused = outbox.server_problems(h)
        errors += len(ev.errors) + len(refused)
        warnings += len(ev.warnings)
        if ev.errors or refused or (args.warnings and ev.warnings):
            print(_summary_line(h))
            print_findings(store, h, ev, warnings=args.warnings)
            _print_server_problems(h, indent="  ")
    print(tr("cli_valid", n=len(targets), errors=errors, warnings=warnings))
    return 1 if errors else 0


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    h = find(store, args.id)
    if args.json:
        print(json.dumps(h.export(), ensure_ascii=False, indent=2))
        return 0
    d = store.definition_of(h)
    lang = current_language()
    ev = store.evaluate(h.record or {}, d)
    print(_summary_line(h))
    rec = h.record or {}

    def show(fields: list, answers: dict, indent: str, rel: dict) -> None:
        for f in fields:
            if f.type in ("group", "roster"):
                continue
            v = answers.get(f.id)
            if v is None or not rel.get(f.id, True):
                continue
            if f.list_name:
                cl = d.choices(f)
                v = ", ".join(f"{c} {cl.label(c, lang)}" for c in v) if isinstance(v, list) else f"{v} {cl.label(v, lang)}"
            label = f.label.text(lang) if f.label else f.id
            print(f"{indent}{label}: {v}")

    show(d.answer_fields(None), rec.get("household") or {}, "  ", ev.household_relevant)
    for roster in d.rosters:
        for i, row in enumerate(rec.get(roster.id) or []):
            title = roster.row_label.text(lang) if roster.row_label else roster.id
            age = ev.rows[roster.id][i].get("age")
            print(f"  {title} {i + 1}" + (f" ({age})" if age is not None else ""))
            show(d.answer_fields(roster.id), row, "    ", ev.rows_relevant[roster.id][i])
    print_findings(store, h, ev)
    _print_server_problems(h, indent="  ")
    return 0


def cmd_complete(args: argparse.Namespace, store: Store) -> int:
    """Several households in one run (each run costs the profile's unlocking): those named, or
    with --all-clean every draft or returned one without errors."""
    if args.all_clean:
        targets = [h for status in ("draft", "returned") for h in store.list(status=status, limit=10**9)
                   if h.error_count == 0]
        if not targets:
            print(tr("sf_complete_none_clean"), file=sys.stderr)
            return 1
    elif args.ids:
        targets = [find(store, key) for key in args.ids]
    else:
        print(tr("sf_complete_need_ids"), file=sys.stderr)
        return 2
    refused = sum(not _complete_one(args, store, h) for h in targets)
    if len(targets) > 1:
        print(tr("sf_complete_summary", done=len(targets) - refused, refused=refused),
              file=sys.stderr if refused else sys.stdout)
    return 1 if refused else 0


def _complete_one(args: argparse.Namespace, store: Store, h: Household) -> bool:
    try:
        saved = store.complete(h.uuid, actor=actor(args), accept_warnings=args.accept_warnings)
    except NotCompletable as exc:
        code = h.household_code or h.uuid[:8]
        print(f"{code}: {exc.msg.text()}", file=sys.stderr)
        print_findings(store, h, exc.evaluation, out=sys.stderr)
        if isinstance(exc, NeedsConfirmation):
            print("  " + tr("sf_accept_warnings_hint"), file=sys.stderr)
        return False
    except OutsideCommunes as exc:
        print(exc.msg.text(), file=sys.stderr)
        return False
    print(tr("cli_completed", code=saved.household.household_code or h.uuid, revision=saved.household.revision))
    return True


def cmd_delete(args: argparse.Namespace, store: Store) -> int:
    h = find(store, args.id)
    store.delete(h.uuid, actor=actor(args))
    # Only a household the province has must be deleted there too.
    print(tr("cli_deleted" if h.server_revision is not None else "cli_deleted_local", code=h.household_code or h.uuid))
    return 0


def cmd_history(args: argparse.Namespace, store: Store) -> int:
    h = find(store, args.id)
    for entry in store.history(h.uuid):
        print(f"{entry['at']}  r{entry['revision']:<3} {_action(entry['action']):<12} {entry['actor']}")
        for path, old, new in entry["changes"]:
            if not path:  # a new household's first entry holds its answers whole
                print(f"    {tr('cli_history_created')}: {json.dumps(new, ensure_ascii=False)}")
                continue
            print(f"    {path}: {json.dumps(old, ensure_ascii=False)} -> {json.dumps(new, ensure_ascii=False)}")
    return 0


def _action(name: str) -> str:
    """A change log action in the chosen language (the log keeps the English word)."""
    key = f"sf_action_{name}"
    return tr(key) if key in catalog() else name


# -- forms -----------------------------------------------------------------------------------
def cmd_forms_check(args: argparse.Namespace, _store: None) -> int:
    try:
        d = load_definition(Path(args.file))
    except DefinitionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    questions = sum(1 for f in d.by_id.values() if f.is_answer)
    print(tr("cli_definition_ok", form_id=d.form_id, version=d.version, fields=questions, lists=len(d.lists)))
    return 0


def cmd_forms_list(args: argparse.Namespace, _store: None) -> int:
    from forms.registry import FormRegistry

    for d in FormRegistry():
        print(f"{d.form_id}  {d.version}  {d.title.text()}  ({d.source})")
    return 0


def cmd_forms_export(args: argparse.Namespace, _store: None) -> int:
    from forms.registry import FormRegistry
    from forms.xlsform import write_workbook

    registry = FormRegistry()
    d = registry.get(args.form, args.form_version) if args.form_version else registry.current(args.form)
    try:
        write_workbook(d, args.output)
    except OSError as exc:
        print(tr("exports_cli_cannot_write", path=args.output, reason=os_reason(exc)), file=sys.stderr)
        return 2
    rows = sum(2 if f.type in ("group", "roster") else 1 for f in d.by_id.values())
    print(tr("xlsform_cli_exported", path=args.output, form=d.form_id, version=d.version, rows=rows, lists=len(d.lists)))
    return 0


def cmd_forms_import(args: argparse.Namespace, _store: None) -> int:
    from forms.xlsform import VersionRefused, WorkbookError, read_workbook, save_version

    try:
        imported = read_workbook(args.workbook, version=args.form_version)
    except WorkbookError as exc:
        print(exc.text(), file=sys.stderr)
        return 1
    for warning in imported.warnings:
        print(tr("xlsform_cli_warning", text=warning.text()), file=sys.stderr)
    try:
        saved = save_version(imported, args.output, workbook=args.workbook)
    except VersionRefused as exc:
        print(exc.msg.text(), file=sys.stderr)
        return 2
    except (OSError, DefinitionError) as exc:
        print(tr("exports_cli_cannot_write", path=args.output, reason=os_reason(exc) if isinstance(exc, OSError) else str(exc)),
              file=sys.stderr)
        return 2
    d = saved.definition
    if not saved.written:
        print(tr("xlsform_cli_same", form=d.form_id, version=d.version, path=saved.path))
        return 0
    questions = sum(1 for f in d.by_id.values() if f.is_answer)
    print(tr("xlsform_cli_imported", path=saved.path, form=d.form_id, version=d.version, questions=questions,
             lists=len(d.lists)))
    return 0
