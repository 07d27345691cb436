"""The printing's own keyed texts (titles, signature lines, report headings, command line
messages), each in Vietnamese and English, in resources/translations/printing.yaml.

Questionnaire texts (labels, code labels) come from the definition, not from here."""

from __future__ import annotations

import functools

import yaml

import resources
from forms.i18n import LANGUAGES, Message, current_language


@functools.cache
def catalog() -> dict[str, Message]:
    with open(resources.path("translations", "printing.yaml"), encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    out = {}
    for key, entry in raw.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or not entry.get(lang)]
        if missing:
            raise ValueError(f"printing.yaml: {key!r} has no text in {', '.join(missing)}")
        out[key] = Message(str(entry["vi"]), str(entry["en"]))
    return out


def message(key: str, **params: object) -> Message:
    return catalog()[key].format(**params)


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The text `key` in `lang` (the current language by default) with {placeholders} filled."""
    return _text(key, lang or current_language(), tuple(sorted(params.items())))


@functools.lru_cache(maxsize=8192)
def _text(key: str, lang: str, params: tuple[tuple[str, object], ...]) -> str:
    return message(key, **dict(params)).text(lang)
