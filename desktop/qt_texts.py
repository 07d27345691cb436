"""Qt's own texts (a line edit's context menu, a scroll bar's menu...) through the program's
catalog: Qt ships no Vietnamese translation. Entries of desktop.yaml whose key starts with
`qt_` give Qt's English source text (en) and its Vietnamese (vi)."""

from __future__ import annotations

import functools

from PySide6.QtCore import QTranslator

from desktop.text import catalog
from forms.i18n import current_language

PREFIX = "qt_"


@functools.cache
def by_source() -> dict[str, str]:
    return {m.en: m.vi for key, m in catalog().items() if key.startswith(PREFIX)}


class CatalogTranslator(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        """Qt's text in Vietnamese, else Qt's own text unchanged.

        Never None: PySide6 6.12 mishandles the reference count of a None returned from this
        override (the interpreter aborts with "deallocating None" after many calls)."""
        source = source or ""
        if current_language() != "vi":
            return source
        return by_source().get(source, source)

    def isEmpty(self) -> bool:
        return False
