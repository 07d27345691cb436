"""`labour-survey`: with no arguments the desktop program; with a subcommand the command line.

Qt is imported only when the window is wanted, so the command line starts fast and works on
a machine without a display."""

from __future__ import annotations

import argparse
import sys

from forms import __version__, cli
from forms.i18n import parse_command_line, tr
from forms.printing import cli as print_cli
from sync import cli as sync_cli

# The options before the command that take a separate value (see language_from_argv).
GLOBAL_OPTIONS_WITH_VALUE = (*cli.COMMON_OPTIONS_WITH_VALUE, "--self-test-part")


def build_parser() -> argparse.ArgumentParser:
    """The parser, its --help in the current language (main sets it from --lang first)."""
    parser = argparse.ArgumentParser(prog="labour-survey", description=tr("cli_description"))
    parser.add_argument("--version", action="version", version=f"labour-survey {__version__}",
                        help=tr("help_version"))
    parser.add_argument("--self-test", action="store_true", help=tr("help_self_test"))
    # The self-test's own child process, which checks that Qt starts (see desktop.self_test).
    parser.add_argument("--self-test-part", choices=["qt"], help=argparse.SUPPRESS)
    cli.add_common_options(parser)
    sub = parser.add_subparsers(dest="command")
    cli.register(sub)
    print_cli.register(sub)
    sync_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_command_line(build_parser, argv, takes_value=GLOBAL_OPTIONS_WITH_VALUE)
    if args.self_test or args.self_test_part:
        from desktop import self_test  # the checks import what they check, when they run

        return self_test.main(args.self_test_part or "all")
    if args.command is None:
        from desktop.app import run  # Qt only when the window is wanted

        return run(args)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
