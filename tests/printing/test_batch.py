"""Batches: a village or a selection into one PDF with progress and cancel; blank forms for an
assignment list."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.definition import Definition
from forms.printing import batch
from forms.progress import Cancelled, TaskState
from forms.store import Store
from tests import factories
from tests.printing.pdf import Pdf


@pytest.fixture
def village_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "x.sqlite")
    with store.transaction():
        for rec in factories.generated(24, seed=3):
            store.save_within(rec, actor="lan", action="import")
    yield store
    store.close()


def test_village_into_one_pdf_with_progress(village_store: Store, tmp_path: Path) -> None:
    village = "Thôn Yên Trường"
    wanted = batch.village_households(village_store, village)
    assert len(wanted) >= 3
    seen: list[tuple[int, int]] = []
    state = TaskState(lambda done, total, note: seen.append((done, total)))
    out = tmp_path / "village.pdf"
    printed = batch.print_village(state, village_store, village, out)
    assert printed.forms == len(wanted) and out.exists() and not (tmp_path / "village.pdf.part").exists()
    assert seen[0] == (0, len(wanted)) and seen[-1] == (len(wanted), len(wanted))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    pdf = Pdf(out.read_bytes())
    assert pdf.pages() == printed.pages
    text = pdf.text()
    codes = [village_store.get(u).household_code for u in wanted]
    assert codes == sorted(codes)  # by household code
    for code in codes:
        assert code in text
    others = {h.household_code for h in village_store.list(limit=100) if h.village != village}
    assert not any(code in text for code in others)
    assert len(pdf.qr_texts(0)) == 1


def test_cancel_stops_and_leaves_no_file(village_store: Store, tmp_path: Path) -> None:
    state = TaskState()

    def cancel_at_ten(done: int, total: int, note: str) -> None:
        if done >= 10:
            state.cancel()

    state.on_progress = cancel_at_ten
    uuids = [h.uuid for h in village_store.list(limit=40)]
    assert len(uuids) == 24
    out = tmp_path / "sel.pdf"
    with pytest.raises(Cancelled):
        batch.print_households(state, village_store, uuids, out)
    assert state.done == 10 and state.total == 24
    assert list(tmp_path.glob("sel.pdf*")) == []


def test_selection_in_the_order_given(village_store: Store, tmp_path: Path) -> None:
    picked = [h.uuid for h in village_store.list(limit=2)][::-1]
    out = tmp_path / "sel.pdf"
    printed = batch.print_households(TaskState(), village_store, picked, out)
    assert printed.forms == 2
    text = Pdf(out.read_bytes()).text()
    codes = [village_store.get(u).household_code for u in picked]
    positions = [text.index(code) for code in codes]
    assert positions == sorted(positions)


def test_blank_forms_for_an_assignment_list(current: Definition, tmp_path: Path) -> None:
    csv_text = ("household_code,village,address\nTH-0101,Bản Mường Khoa,Nhà bà Lò Thị Ánh\n"
                "TH-0102,Bản Mường Khoa,\n\nTH-0103,Bản Mường Khoa,Cạnh trạm y tế\n")
    assignments = batch.read_assignments(csv_text, current)
    assert [a["household_code"] for a in assignments] == ["TH-0101", "TH-0102", "TH-0103"]
    assert "address" not in assignments[1]
    out = tmp_path / "blank.pdf"
    printed = batch.print_blank(TaskState(), current, out, assignments=assignments, members=2, lang="vi")
    pdf = Pdf(out.read_bytes())
    assert printed.forms == 3 and pdf.pages() == printed.pages
    text = pdf.text()
    for code in ("TH-0101", "TH-0102", "TH-0103"):
        assert code in text
    assert "Bản Mường Khoa" in text and "Nhà bà Lò Thị Ánh" in text
    assert pdf.layout_problems(pages=slice(0, 1)) == []  # the code in its box; the rest is test_household_form's
    one = batch.print_blank(TaskState(), current, tmp_path / "one.pdf", members=2)
    assert one.forms == 1 and one.pages * 3 == printed.pages  # same layout, code or not


def test_assignment_list_formats_and_mistakes(current: Definition) -> None:
    assert batch.read_assignments("HT-1\n  HT-2 \n\n", current) == [{"household_code": "HT-1"}, {"household_code": "HT-2"}]
    assert batch.read_assignments("", current) == []
    with pytest.raises(ValueError, match="full_name"):
        batch.read_assignments("household_code,full_name\nHT-1,An\n", current)
    with pytest.raises(ValueError, match="3"):
        batch.read_assignments("household_code,village\nHT-1,A\n,B\n", current)


def test_village_matched_without_diacritics(village_store: Store) -> None:
    assert batch.match_village(village_store, "thon yen truong") == "Thôn Yên Trường"
    assert batch.match_village(village_store, "Thôn Yên Trường") == "Thôn Yên Trường"
    assert batch.match_village(village_store, "thon xa lam") is None
