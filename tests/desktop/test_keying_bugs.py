"""Bugs found keying paper forms (issue 14): what the officer sees in the member table, where
F8 goes, what happens to labour answers when a member turns out to be under 15."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QTableView

from desktop.household_editor import HouseholdEditor
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focus, focused_field, on_next_dialog, press, select_all_and_type, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def shown_rows(table: QTableView) -> list[str]:
    """The member names the table's view shows: as many rows as its header has sections (what
    the view laid out from the model's signals), each read back through the view's model."""
    model = table.model()
    rows = table.verticalHeader().count()
    return [str(model.data(model.index(r, 0))) for r in range(rows)]


def add_member(name: str) -> None:
    """Enter on "add member", then the name typed into the question that gets the focus."""
    assert focus().objectName() == "add_member"
    press(Qt.Key.Key_Return)
    f = focused_field()
    assert f is not None and f.field.id == "full_name"
    type_text(name)
    press(Qt.Key.Key_Return)


def test_members_added_show_in_the_table_and_switching_households_shows_theirs(
        qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    editor.new_household()
    table = editor.section().panel.table
    editor._focus_add(editor.section())
    for name in ("Lê Văn An", "Lê Thị Bình", "Lê Minh Châu"):
        add_member(name)
        editor._focus_add(editor.section())
    assert table.model().rowCount() == 3
    assert shown_rows(table) == ["Lê Văn An", "Lê Thị Bình", "Lê Minh Châu"]

    other = fx.household(household_code="HT-0002")
    other["members"] = other["members"][:2]
    uuid = desk_store.save(other, actor="lan").household.uuid
    editor.open_household(uuid)
    assert shown_rows(table) == [m["full_name"] for m in other["members"]]

    five = desk_store.save(fx.household(household_code="HT-0005"), actor="lan").household.uuid
    editor.open_household(five)
    assert shown_rows(table) == [m["full_name"] for m in fx.household()["members"]]
    editor.open_household(uuid)
    assert shown_rows(table) == [m["full_name"] for m in other["members"]]


def test_a_reopened_program_shows_the_members_of_the_household_it_opens(
        qtbot, start_window, desk_store: Store) -> None:
    window = start_window()
    press(Qt.Key.Key_N, CTRL)
    editor = window.editor
    editor._focus_add(editor.section())
    add_member("Trần Văn Dũng")
    editor._focus_add(editor.section())
    add_member("Trần Thị Hoa")
    uuid = editor.uuid
    assert shown_rows(editor.section().panel.table) == ["Trần Văn Dũng", "Trần Thị Hoa"]
    window.close()

    again = start_window()  # reopens where the officer was
    assert again.editor.uuid == uuid
    assert shown_rows(again.editor.section().panel.table) == ["Trần Văn Dũng", "Trần Thị Hoa"]


def focused_place(editor: HouseholdEditor) -> tuple[str, int | None]:
    """The question that has the focus and, for a member's question, the member's row."""
    f = focused_field()
    assert f is not None, f"F8 left the focus on {focus().objectName() or type(focus()).__name__}, not on a question"
    s = editor._section_of(f)
    return f.field.id, (s.current if s is not None else None)


def test_f8_walks_through_every_finding_in_order_and_wraps(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household(phone="12")  # a wrong phone number: the household's own question
    rec["members"][1]["relation"] = "1"  # two heads
    del rec["members"][2]["previous_job"]  # a required answer left out
    uuid = desk_store.save(rec, actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    editor = window.editor
    findings = [editor.findings_panel.list.item(i).text() for i in range(editor.findings_panel.list.count())]
    head = next(text for text in findings if "đúng một chủ hộ" in text)
    assert "Thành viên 1 (Đặng Văn Hùng)" in head and "Thành viên 2 (Lê Thị Hoà)" in head
    assert "Thành viên 3" not in head

    editor.focus_first()
    visited = []
    for _ in range(len(findings) + 1):
        press(Qt.Key.Key_F8)
        visited.append(focused_place(editor))
    assert visited[0] == ("phone", None)
    assert ("relation", 0) in visited  # the head problem: the relation of the first member concerned
    assert ("previous_job", 2) in visited
    assert len(set(visited[:-1])) == len(findings), visited  # every finding reached once
    assert visited[-1] == visited[0]  # and round again


def labour_answers(row: dict) -> set[str]:
    from forms.definition import load_definition
    d = load_definition()
    labour = {f.id for f in d.by_id.values() if f.roster == "members" and f.is_answer and _under(d, f, "labour")}
    return {k for k in row if k in labour}


def _under(d, f, group: str) -> bool:
    while f.parent is not None:
        if f.parent == group:
            return True
        f = d.by_id[f.parent]
    return False


def test_an_age_under_15_asks_before_hiding_labour_answers_and_cancel_restores_it(
        qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    rec = fx.household()
    uuid = desk_store.save(rec, actor="lan").household.uuid
    typed = labour_answers(rec["members"][0])
    assert len(typed) >= 8
    editor.open_household(uuid)
    editor.select_member(0)
    s = editor.section()
    birth = s.form.widget("birth_date")
    editor._focus(birth)
    asked: list[str] = []

    def cancel(box) -> None:
        asked.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Escape)

    seen = on_next_dialog(cancel)
    select_all_and_type("01/01/2015")
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible(), timeout=5000)
    assert f"{len(typed)} câu trả lời" in asked[0] and "Đặng Văn Hùng" in asked[0]
    assert birth.line.text() == "12/04/1975"  # Cancel: the age as it was
    assert editor.record["members"][0]["birth_date"] == "1975-04-12"
    assert s.form.widget("labour_status").isVisible()
    editor.flush()
    assert desk_store.get(uuid).record["members"][0]["birth_date"] == "1975-04-12"

    def accept(box) -> None:
        asked.append(box.text())
        yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
        yes.click()

    seen = on_next_dialog(accept)
    editor._focus(birth)
    select_all_and_type("01/01/2015")
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible(), timeout=5000)
    assert len(asked) == 2
    assert editor.record["members"][0]["birth_date"] == "2015-01-01"
    assert not s.form.widget("labour_status").isVisible()
