"""The printing's own texts in both languages; wrapping, option grids and pages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

import resources
from forms.printing import layout as L
from forms.printing import pages as P
from forms.printing import text
from forms.printing.fonts import BOLD, REGULAR

SOURCES = Path(text.__file__).parent


def test_every_text_in_both_languages_with_the_same_placeholders() -> None:
    raw = yaml.safe_load(resources.path("translations", "printing.yaml").read_text(encoding="utf-8"))
    fields = string.Formatter()
    for key, entry in raw.items():
        assert set(entry) == {"vi", "en"}, key
        assert entry["vi"].strip() and entry["en"].strip(), key
        names = [{n for _, n, _, _ in fields.parse(entry[lang]) if n} for lang in ("vi", "en")]
        assert names[0] == names[1], key


def test_every_key_the_code_uses_exists() -> None:
    used = set()
    for path in SOURCES.glob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", path.read_text(encoding="utf-8")))
        used |= {f"status_{s}" for s in ("draft", "complete", "sent", "returned")}
    assert len(used) > 40
    assert used <= set(text.catalog()), used - set(text.catalog())


def test_wrap_never_exceeds_the_width() -> None:
    sample = "Nguyễn Thị Thanh Huyền Trang Phương Linh, 127/35 Nguyễn Trãi, Đông Hương " + "X" * 80 + " Vợ/Chồng"
    for avail in (12, 30, 55.5, 120, 400):
        for font in (REGULAR, BOLD):
            lines = L.wrap(sample, avail, font, 9)
            assert all(L.width(line, font, 9) <= avail + 0.02 for line in lines), (avail, lines)
            assert " ".join(lines).replace(" ", "") == sample.replace(" ", "")
    assert L.wrap("Vợ/Chồng", L.width("Vợ/Chồ", BOLD, 9), BOLD, 9) == ("Vợ/", "Chồng")


@pytest.mark.parametrize("avail", [40.0, 90.0, 160.0, 330.0, 500.0])
def test_option_grid_stays_inside_its_area(avail: float) -> None:
    items = tuple((str(i), label) for i, label in enumerate(
        ["Cơ quan nhà nước", "Doanh nghiệp có vốn đầu tư nước ngoài", "Hợp tác xã", "Đơn vị sự nghiệp ngoài nhà nước",
         "Cá nhân làm tự do", "Làm việc ở nước ngoài", "Hộ nông, lâm, thủy sản", "Khác"], 1))
    grid = L.option_grid(items, avail)
    step = L.leading(L.OPTION_SIZE)
    assert {o.code for o in grid.options} == {c for c, _ in items}
    boxes = []
    for o in grid.options:
        assert o.x + o.text_w <= avail + 0.5 or avail < 60
        boxes.append((o.x, o.y, o.x + o.text_w, o.y + max(len(o.lines), 1) * step))
    for i, a in enumerate(boxes):  # no two options overlap
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) + 0.01 or min(a[3], b[3]) <= max(a[1], b[1]) + 0.01
    assert grid.height == max(b[3] for b in boxes)


class Box(P.Block):
    def __init__(self, h: float, name: str, keep_with_next: bool = False):
        self.height, self.name, self.keep_with_next = h, name, keep_with_next


def test_pages_hold_their_blocks_groups_and_repeated_headers() -> None:
    header = Box(10, "header")
    table = P.Group([Box(12, "title", True), header, *[Box(30, f"row{i}") for i in range(12)]],
                    keep_together=False, repeat=header, lead=3)
    module = P.Group([Box(20, "member", True), *[Box(25, f"q{i}") for i in range(6)]], max_waste=0.5)
    pages = P.paginate([Box(50, "top"), table, module, Box(5, "end")], height=300)
    for page in pages:
        assert max(off + b.height for b, off in page.placed) <= 300 + 1e-6
    names = [[b.name for b, _ in page.placed] for page in pages]
    assert names[1][0] == "header"  # the table's columns again on its second page
    assert all(page[-1] not in ("title", "member") for page in names)  # no heading alone at the foot
    member_page = next(p for p in names if "member" in p)
    assert all(f"q{i}" in member_page for i in range(6))  # a module that fits stays on one page
