"""The desktop's texts: keys of resources/translations/desktop.yaml, each in Vietnamese and
English, shown in the language of forms.i18n (one language setting for the whole program)."""

from __future__ import annotations

import functools

import yaml

import resources
from forms.i18n import Message, current_language

CATALOG = ("translations", "desktop.yaml")


@functools.cache
def catalog() -> dict[str, Message]:
    with open(resources.path(*CATALOG), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {str(key): Message(str(entry["vi"]), str(entry["en"])) for key, entry in raw.items()}


def msg(key: str, **params: object) -> Message:
    """The desktop message `key`, both languages, with its {placeholders} filled in."""
    return catalog()[key].format(**params)


def t(key: str, **params: object) -> str:
    """The desktop message `key` in the interface language."""
    return msg(key, **params).text(current_language())


def lang() -> str:
    return current_language()


def number(n: int) -> str:
    """12345 -> '12.345' in Vietnamese, '12,345' in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if current_language() == "vi" else text


def profile_shown(name: str) -> Message | str:
    """A profile's name as the officer reads it: the one made without a name is "mặc định"
    ("default"), not the English word of its file name."""
    return msg("profile_default") if name == "default" else name
