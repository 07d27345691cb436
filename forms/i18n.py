"""One keyed message catalog for every layer: engine findings, command line, server, windows.

Messages live in resources/translations/messages.yaml and messages-<area>.yaml beside it (one
file per area, so areas grow without touching each other), each key with a Vietnamese and an
English text. Vietnamese is the default language.
"""

from __future__ import annotations

import functools
import os
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
