"""`labour-survey print ...`: blank forms, pre-filled forms, a village, the commune report.

Wired into the launcher beside forms.cli: `register(subparsers)` adds the `print` command;
each handler is `func(args, store) -> exit code` (store None where `needs_store` is False),
run by forms.cli.run, so the options and exit codes are the same: 0 done, 2 could not be done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forms.cli import find, os_reason, resolve_village
from forms.i18n import add_command, tr

# reportlab and the PDF modules are imported by the handlers, not here: every labour-survey
# command registers these subcommands, and only `print` needs them.
from forms.printing import BLANK_MEMBERS
from forms.printing.text import t
from forms.registry import FormRegistry
from forms.store import STATUSES, Store


def register(sub: argparse._SubParsersAction) -> None:
    pr = add_command(sub, "print", "help_print")
    psub = pr.add_subparsers(dest="what", required=True)
    p = add_command(psub, "blank", "help_print_blank")
    _output(p)
    p.add_argument("--members", type=int, default=BLANK_MEMBERS, help=tr("help_print_members"))
    p.add_argument("--assignments", metavar="FILE", help=tr("help_print_assignments"))
    p.set_defaults(func=cmd_blank, needs_store=False)
    p = add_command(psub, "household", "help_print_household")
    p.add_argument("ids", nargs="+", metavar="ID", help=tr("help_print_household_ids"))
    _output(p)
    p.set_defaults(func=cmd_household)
    p = add_command(psub, "village", "help_print_village")
    p.add_argument("village", metavar="VILLAGE", help=tr("help_print_village_name"))
    p.add_argument("--status", choices=STATUSES)
    _output(p)
    p.set_defaults(func=cmd_village)
    p = add_command(psub, "report", "help_print_report")
    p.add_argument("--commune", metavar="CODE", help=tr("help_print_commune"))
    p.add_argument("--village")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--officer", help=tr("help_print_officer"))
    p.add_argument("--drafts", action="store_true", help=tr("help_print_drafts"))
    _output(p)
    p.set_defaults(func=cmd_report)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help=tr("help_print_output"))


def _state():  # -> forms.progress.TaskState
    """Progress on the terminal, when there is one."""
    from forms.progress import TaskState

    if not sys.stderr.isatty():
        return TaskState()
    return TaskState(lambda done, total, note: print(f"\r{note}", end="" if done < total else "\n",
                                                     file=sys.stderr, flush=True))


def _run(work, *args, personal: bool = False, **kwargs) -> int:
    """Run a batch; messages and exit codes as the rest of the command line. `personal`: the
    PDF holds households' personal data, and the officer is told so and where it is."""
    from forms.printing.batch import Printed
    from forms.progress import Cancelled

    try:
        printed = work(_state(), *args, **kwargs)
    except (Cancelled, KeyboardInterrupt):
        print(t("cli_cancelled"), file=sys.stderr)
        return 2
    except OSError as exc:
        print(t("cli_cannot_write", path=exc.filename or "", reason=os_reason(exc)), file=sys.stderr)
        return 2
    if isinstance(printed, Printed):
        print(t("cli_printed", forms=printed.forms, pages=printed.pages, path=printed.path))
        if personal:
            print(t("cli_personal_pdf", path=Path(printed.path).absolute()), file=sys.stderr)
    return 0


def cmd_blank(args: argparse.Namespace, _store: None) -> int:
    from forms.printing import batch  # here, not at the top: see the top of this module

    definition = FormRegistry().current()
    assignments = None
    if args.assignments:
        try:
            text = Path(args.assignments).read_text(encoding="utf-8-sig")
            assignments = batch.read_assignments(text, definition)
        except OSError as exc:
            print(t("cli_cannot_read", path=args.assignments, reason=os_reason(exc, writing=False)), file=sys.stderr)
            return 2
        except (ValueError, UnicodeDecodeError) as exc:
            print(f"{args.assignments}: {exc}", file=sys.stderr)
            return 2
        if not assignments:
            print(t("cli_no_assignments", path=args.assignments), file=sys.stderr)
            return 2
    if args.members < 1:
        print(t("cli_bad_members"), file=sys.stderr)
        return 2
    return _run(batch.print_blank, definition, args.output, assignments=assignments, members=args.members)


def cmd_household(args: argparse.Namespace, store: Store) -> int:
    from forms.printing import batch  # here, not at the top: see the top of this module

    uuids = [find(store, key).uuid for key in args.ids]  # LookupError: forms.cli.run says which
    return _run(batch.print_households, store, uuids, args.output, personal=True)


def cmd_village(args: argparse.Namespace, store: Store) -> int:
    from forms.printing import batch  # here, not at the top: see the top of this module

    village = resolve_village(store, args.village)  # LookupError: forms.cli.run says which
    if not batch.village_households(store, village, args.status):
        known = ", ".join(store.villages()) or "—"
        print(t("cli_no_village", village=args.village, known=known), file=sys.stderr)
        return 2
    return _run(batch.print_village, store, village, args.output, status=args.status, personal=True)


def cmd_report(args: argparse.Namespace, store: Store) -> int:
    from forms.printing import report  # here, not at the top: see the top of this module

    village = args.village
    if village is not None:
        village = resolve_village(store, village)  # LookupError: forms.cli.run says which
    code = _run(report.write_report, store, args.output, commune=args.commune, village=village, status=args.status,
                officer=args.officer, drafts=args.drafts)
    if code == 0:
        print(t("cli_report_written", path=args.output))
    return code
