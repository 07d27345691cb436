"""The household list: search as you type ignoring diacritics, filters, counts, paging."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.household_list import HouseholdListModel, HouseholdListPage
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import commit_text, nfd, press, select_all_and_type, type_text


def fill(store: Store, n: int) -> list[str]:
    uuids = []
    with store.transaction():
        for rec in fx.generated(n, seed=3):
            uuids.append(store.save_within(rec, actor="lan", action="import").household.uuid)
    return uuids


def shown(page: HouseholdListPage) -> list[str]:
    return [page.model.household(r).household_code for r in range(page.model.rowCount())]


def searched(qtbot, page: HouseholdListPage, text: str, *, ime: bool = False) -> list[str]:
    page.focus_search()
    select_all_and_type("")
    if ime:
        commit_text(text)
    else:
        type_text(text)
    qtbot.waitUntil(lambda: not page._search_timer.isActive() and page.model.total is not None
                    and page.model.filters["text"] == text.strip(), timeout=3000)
    return shown(page)


def test_search_as_you_type_ignores_diacritics(qtbot, start_window, desk_store: Store) -> None:
    fill(desk_store, 40)
    special = fx.household(household_code="HT-7777")
    special["members"][0]["full_name"] = "Đặng Thị Ngọc Ánh"
    desk_store.save(special, actor="lan")
    window = start_window()
    page = window.list_page
    qtbot.waitUntil(lambda: page.model.total == 41)
    with_marks = searched(qtbot, page, "Đặng Thị Ngọc Ánh")
    assert "HT-7777" in with_marks
    without = searched(qtbot, page, "dang thi ngoc anh")
    assert without == with_marks
    assert searched(qtbot, page, nfd("Đặng Thị Ngọc Ánh"), ime=True) == with_marks  # decomposed input
    assert searched(qtbot, page, "DANG THI NGOC") == searched(qtbot, page, "đặng thị ngọc")
    assert searched(qtbot, page, "HT-777") == ["HT-7777"]
    lo = searched(qtbot, page, "lo")  # Lò, Lê... by the start of a word
    assert lo and all(any(w.startswith("lo") for w in fold_words(desk_store, code)) for code in lo)
    assert page.found.text() == f"{len(lo)} hộ"


def fold_words(store: Store, code: str) -> list[str]:
    from forms.text import fold
    [h] = store.list(text=code)
    rec = store.get(h.uuid).record
    words = []
    for m in rec["members"]:
        words += fold(m["full_name"]).split()
    words += fold(rec["household"]["village"]).split() + fold(rec["household"].get("address", "")).split()
    return words


def test_filters_by_status_and_village_with_the_keyboard(qtbot, start_window, desk_store: Store) -> None:
    uuids = fill(desk_store, 12)
    desk_store.complete(uuids[0], actor="lan")
    desk_store.complete(uuids[1], actor="lan")
    window = start_window()
    page = window.list_page
    qtbot.waitUntil(lambda: page.model.total == 12)
    page.status_filter.setFocus()
    index = page.status_filter.findData("complete")
    while page.status_filter.currentIndex() < index:
        press(Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page.model.total == 2)
    assert {page.model.household(r).uuid for r in range(2)} == set(uuids[:2])
    assert all(page.model.data(page.model.index(r, 4)) == "Hoàn thành" for r in range(2))
    page.status_filter.setCurrentIndex(0)
    village = desk_store.get(uuids[5]).village
    qtbot.waitUntil(lambda: page.village_filter.findData(village) > 0)  # villages of the data, once counted
    page.village_filter.setCurrentIndex(page.village_filter.findData(village))
    expected = desk_store.count(village=village)
    qtbot.waitUntil(lambda: page.model.total == expected)
    assert all(page.model.household(r).village == village for r in range(expected))


def test_counts_are_always_visible(qtbot, start_window, desk_store: Store) -> None:
    uuids = fill(desk_store, 5)
    desk_store.complete(uuids[0], actor="lan")
    window = start_window()
    qtbot.waitUntil(lambda: "Nháp: 4" in window.counts_label.text())
    text = window.counts_label.text()
    assert "Hoàn thành: 1" in text and "Chờ gửi: 1" in text and "Cần sửa: 0" in text
    window.open_household(uuids[1])
    assert window.counts_label.isVisible()  # in the editor too


def test_the_list_reads_pages_as_it_scrolls(qtbot, desk_store: Store) -> None:
    fill(desk_store, 450)
    page = HouseholdListPage(desk_store, villages=[])
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    assert page.model.rowCount() in (HouseholdListModel.PAGE, 450)  # a page at once, the rest once counted
    assert len(page.model.pages) <= 2
    qtbot.waitUntil(lambda: page.model.total == 450)
    assert page.model.rowCount() == 450
    page.view.scrollToBottom()
    qtbot.wait(50)
    last = page.model.household(449)
    assert last is not None and 2 in page.model.pages  # the last page, read when shown
    codes = [page.model.household(r).household_code for r in range(450)]
    assert len(set(codes)) == 450  # every household once, in the store's order
    assert codes == [h.household_code for h in desk_store.list(limit=1000)]
    page.wait_for_counts()


def test_enter_opens_the_household(qtbot, start_window, desk_store: Store) -> None:
    uuids = fill(desk_store, 3)
    window = start_window()
    page = window.list_page
    qtbot.waitUntil(lambda: page.model.total == 3)
    page.focus_search()
    press(Qt.Key.Key_Down)  # from the search box to the list
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.editor
    assert window.editor.uuid == page.model.household(1).uuid and window.editor.uuid in uuids
