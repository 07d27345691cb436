"""One keyed message catalog for every layer: engine findings, command line, server, windows.

Messages live in resources/translations/messages.yaml and messages-<area>.yaml beside it (one
file per area, so areas grow without touching each other), each key with a Vietnamese and an
English text. Vietnamese is the default language.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import yaml

import resources

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


@dataclass(frozen=True, slots=True)
class Message:
    """A text in both languages."""

    vi: str
    en: str

    def text(self, lang: str | None = None) -> str:
        return self.en if (lang or current_language()) == "en" else self.vi

    def format(self, **params: object) -> Message:
        """Fill in {placeholders}; a Message given as a parameter is used in the same language."""
        vi = {k: v.vi if isinstance(v, Message) else v for k, v in params.items()}
        en = {k: v.en if isinstance(v, Message) else v for k, v in params.items()}
        return Message(self.vi.format(**vi), self.en.format(**en))


@functools.cache
def catalog() -> dict[str, Message]:
    folder = resources.path("translations")
    messages: dict[str, Message] = {}
    for file in sorted(folder.glob("messages*.yaml")):
        with open(file, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        for key, entry in raw.items():
            if key in messages:
                raise ValueError(f"{file.name}: message {key!r} is already defined in another catalog file")
            messages[key] = Message(entry["vi"], entry["en"])
    return messages


def message(key: str, **params: object) -> Message:
    """The catalog's message `key` with its {placeholders} filled in."""
    return catalog()[key].format(**params)


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The catalog's message `key` in one language (the current one by default)."""
    return message(key, **params).text(lang)


_language: list[str] = []


def current_language() -> str:
    """The language chosen by set_language, else $LABOUR_SURVEY_LANG, else Vietnamese."""
    if _language:
        return _language[-1]
    env = os.environ.get("LABOUR_SURVEY_LANG", "")
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _language[:] = [lang]


# -- command lines ------------------------------------------------------------------------------
def language_from_argv(argv: Sequence[str], takes_value: Iterable[str] = ()) -> str | None:
    """The language a command line asks for with `--lang X` or `--lang=X` among the options
    before its command, or None (then current_language() gives $LABOUR_SURVEY_LANG, else
    Vietnamese). Read before the parser is built, so that its --help is in that language.

    `takes_value`: the other options that may come before the command and take a separate
    value (`--profile lan`), so that the value is not taken for the command. A `--lang` after
    the command is not this one (`labour-survey export --lang en` is the labels' language);
    an unknown language is left for argparse to refuse."""
    takes_value = set(takes_value)
    found = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-"):
            break  # the command (or a positional argument): the options before it are read
        if arg == "--lang":
            found = argv[i + 1] if i + 1 < len(argv) else None
            i += 2
            continue
        if arg.startswith("--lang="):
            found = arg.partition("=")[2]
        elif arg in takes_value:
            i += 1
        i += 1
    return found if found in LANGUAGES else None


@functools.cache
def _argparse_texts() -> dict[str, str]:
    """argparse's English text -> the catalog key that says it (the keys help_argparse_*)."""
    return {m.en: key for key, m in catalog().items() if key.startswith("help_argparse_")}


def _argparse_gettext(text: str) -> str:
    if not isinstance(text, str) or current_language() == "en":
        return text  # argparse also asks for None (a subparsers group without a description)
    key = _argparse_texts().get(text)
    return catalog()[key].vi if key else text


@contextlib.contextmanager
def argparse_in_language() -> Iterator[None]:
    """argparse's own words ("usage:", "options", "the following arguments are required: ...")
    in the current language while this program builds and parses its command line.

    argparse has no per-parser option for its words: it calls the gettext function it imported
    as `argparse._` at the moment it needs one (building a parser, formatting help, reporting an
    error). Those words are in the same catalog as the rest (the keys help_argparse_*, their
    English the text argparse asks for); this puts a function that looks them up in place of
    argparse's `_` for the time of the block only, and puts the original back afterwards, even
    when argparse exits (--help, an error), so other users of argparse in the process are not
    affected. A text not in the catalog (a newer Python's wording) stays in English."""
    original = argparse._
    argparse._ = _argparse_gettext
    try:
        yield
    finally:
        argparse._ = original


def parse_command_line(build_parser: Callable[[], argparse.ArgumentParser], argv: Sequence[str],
                       takes_value: Iterable[str] = ()) -> argparse.Namespace:
    """Parse a program's command line in the language it asks for: the language is read from
    argv before the parser is built (its --help and argparse's errors are in it), and set again
    from the parsed --lang."""
    lang = language_from_argv(argv, takes_value=takes_value)
    if lang:
        set_language(lang)
    with argparse_in_language():
        args = build_parser().parse_args(argv)
    if getattr(args, "lang", None):
        set_language(args.lang)
    return args


def add_command(sub: argparse._SubParsersAction, name: str, key: str, **kwargs: object) -> argparse.ArgumentParser:
    """A subcommand whose help, the catalog's `key` in the current language, is both its line in
    the list of commands and the description its own --help begins with (unless one is given)."""
    text = tr(key)
    kwargs.setdefault("description", text)
    return sub.add_parser(name, help=text, **kwargs)
