"""Bugs found keying paper forms (issue 14): what the officer sees in the member table, where
F8 goes, what happens to labour answers when a member turns out to be under 15."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from desktop.household_editor import HouseholdEditor
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focus, focused_field, press, type_text

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
