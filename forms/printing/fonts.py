"""The TTF fonts of printed forms: DejaVu Sans (every Vietnamese letter), shipped in
resources/fonts with its licence and embedded (subset) in every PDF."""

from __future__ import annotations

import functools

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import resources

REGULAR = "LS-DejaVuSans"
BOLD = "LS-DejaVuSans-Bold"
FAMILY = "LS-DejaVu"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


@functools.cache
def register() -> None:
    """Register the fonts with reportlab once (Paragraph's <b> maps to the bold face)."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resources.path("fonts", file))))
    pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    for bold, italic in ((0, 0), (0, 1), (1, 0), (1, 1)):
        addMapping(FAMILY, bold, italic, BOLD if bold else REGULAR)
