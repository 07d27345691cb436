"""Vietnamese text: NFC on the way in, diacritic-free folding for search."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# đ/Đ is a letter of its own in Unicode, not d plus a mark, so NFD leaves it alone.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
# The combining mark blocks (Vietnamese tones and vowel marks are in the first).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def nfc(value: Any) -> Any:
    """Return value with every string inside it (dicts, lists) normalised to NFC."""
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def fold(text: str) -> str:
    """Lower-case text with diacritics removed, đ included: 'Đặng' -> 'dang'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    return _MARKS.sub("", decomposed).casefold()
