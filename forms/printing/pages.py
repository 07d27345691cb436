"""A small pager: blocks of known height, kept together or split with repeated headers,
put on A4 pages and drawn; what recurs is drawn once per PDF as a form XObject.

Everything is measured before anything is drawn, so a form knows its page count (for
"page 2 of 5") and nothing is drawn outside the page: a block never grows while drawing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from forms.printing.layout import CONTENT_H, CONTENT_TOP, CONTENT_W, MARGIN


class Block:
    """Something of known height drawn at (x, y_top) across the content width.

    What does not change from one household to the next (labels, options, empty boxes) is
    drawn by draw_static; when static_key() names it, it is drawn once per PDF file as a form
    XObject and stamped wherever it recurs. The answers are drawn over it by draw_dynamic."""

    height: float = 0.0
    space_before: float = 0.0  # dropped at the top of a page
    keep_with_next: bool = False  # a heading: never last on a page

    def static_key(self) -> tuple[object, ...] | None:
        return None

    def draw_static(self, c: Canvas, x: float, y_top: float) -> None:
        pass

    def draw_dynamic(self, c: Canvas, x: float, y_top: float) -> None:
        pass

    def draw(self, c: Canvas, x: float, y_top: float) -> None:
        key = self.static_key()
        if key is None or key in c.__dict__.get("_ls_once", ()):
            self.draw_static(c, x, y_top)
        else:
            stamp(c, key, self.height, self.draw_static, x, y_top)
        self.draw_dynamic(c, x, y_top)


def stamp(c: Canvas, key: tuple[object, ...], height: float, draw: Callable[[Canvas, float, float], None],
          x: float, y_top: float) -> None:
    """Draw once per canvas as a form XObject, then reuse it: a member's module repeats for
    every member and every household of a batch."""
    stamps: dict[tuple[object, ...], str] = c.__dict__.setdefault("_ls_stamps", {})
    name = stamps.get(key)
    if name is None:
        name = stamps[key] = f"LS{len(stamps)}"
        c.beginForm(name, -2, -height - 2, CONTENT_W + 2, 2)
        draw(c, 0.0, 0.0)
        c.endForm()
    c.addLiteral(f"q 1 0 0 1 {x:.3f} {y_top:.3f} cm")
    c.doForm(name)
    c.addLiteral("Q")


@dataclass(eq=False)
class Group:
    """Blocks kept on one page if they fit on one and moving them would not leave more than
    `max_waste` of a page empty; otherwise split between blocks, with `repeat` (a table's
    column headers, a member's title) at the top of each continuation page."""

    blocks: list[Block]
    keep_together: bool = True
    repeat: Block | None = None
    lead: int = 2  # the first blocks never parted from each other (a heading and a first row)
    max_waste: float = 1.0


Item = Block | Group


@dataclass(eq=False)
class Page:
    placed: list[tuple[Block, float]] = field(default_factory=list)  # block, offset from the content top


class _Pager:
    def __init__(self, height: float):
        self.height = height
        self.pages = [Page()]
        self.used = 0.0

    @property
    def room(self) -> float:
        return self.height - self.used

    @property
    def empty(self) -> bool:
        return not self.pages[-1].placed

    def new_page(self) -> None:
        self.pages.append(Page())
        self.used = 0.0

    def need(self, blocks: Sequence[Block]) -> float:
        return sum(b.height + (b.space_before if i or not self.empty else 0.0) for i, b in enumerate(blocks))

    def put(self, b: Block) -> None:
        if not self.empty and b.space_before + b.height > self.room:
            self.new_page()
        gap = 0.0 if self.empty else b.space_before
        self.pages[-1].placed.append((b, self.used + gap))
        self.used += gap + b.height

    def add(self, item: Item) -> None:
        if isinstance(item, Block):
            self.put(item)
            return
        blocks = item.blocks
        if not blocks:
            return
        whole = sum(b.height for b in blocks) + sum(b.space_before for b in blocks[1:])
        fits_alone = whole <= self.height
        if item.keep_together and fits_alone and self.need(blocks) > self.room and not self.empty \
                and self.room <= item.max_waste * self.height:
            self.new_page()
        elif self.need(blocks[:item.lead]) > self.room and not self.empty:
            self.new_page()  # no heading alone at the foot of a page
        for i, b in enumerate(blocks):
            chain = [b]
            j = i
            while blocks[j].keep_with_next and j + 1 < len(blocks):
                j += 1
                chain.append(blocks[j])
            if i and not self.empty and self.need(chain) > self.room:
                self.new_page()
                if item.repeat is not None:
                    self.put(item.repeat)
            self.put(b)


def paginate(items: Iterable[Item], height: float = CONTENT_H) -> list[Page]:
    pager = _Pager(height)
    for item in items:
        pager.add(item)
    return pager.pages


def draw_pages(c: Canvas, pages: list[Page], decorate: Callable[[Canvas, int, int], None], alone: bool = False) -> None:
    """Draw the pages. `alone`: nothing else goes into this PDF, so what is drawn once is not
    worth a form XObject (each costs more to write than it saves)."""
    total = len(pages)
    if alone:
        uses = Counter(b.static_key() for page in pages for b, _ in page.placed)
        c.__dict__["_ls_once"] = {key for key, n in uses.items() if n == 1}
    for number, page in enumerate(pages, 1):
        decorate(c, number, total)
        for block, offset in page.placed:
            block.draw(c, MARGIN, CONTENT_TOP - offset)
        c.showPage()
