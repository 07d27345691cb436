"""Keying a paper form with the keyboard alone: Ctrl+N, answers typed as written on paper,
Enter to move on, Enter on "add member" for the next member, Ctrl+Enter to complete."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.field_widgets import CodeWidget
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focus, focused_field, paper_text, press, select_all_and_type, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def key_in_questions(paper: dict, roster: str | None) -> list[str]:
    """Answer every question that takes the focus, following Enter, until the focus leaves
    this part of the form. Returns the questions visited, in order."""
    visited = []
    while (f := focused_field()) is not None and f.field.roster == roster:
        assert f.field.id not in visited, f"Enter came back to {f.field.id}"
        visited.append(f.field.id)
        want = paper_text(f, paper.get(f.field.id))
        if f.line.text() != want:
            select_all_and_type(want)
        press(Qt.Key.Key_Return)
    return visited


def test_a_five_member_household_is_keyed_from_paper_without_the_mouse(qtbot, start_window, desk_store: Store) -> None:
    paper = fx.household()
    window = start_window()
    roster = desk_store.forms.current().rosters[0].id
    press(Qt.Key.Key_N, CTRL)
    assert window.stack.currentWidget() is window.editor

    household_order = key_in_questions(paper["household"], None)
    definition = desk_store.forms.current()
    assert household_order == [f.id for f in definition.answer_fields(None)]

    visited_members = []
    for member in paper["members"]:
        button = focus()
        assert isinstance(button, QPushButton) and button.objectName() == "add_member"
        press(Qt.Key.Key_Return)
        visited_members.append(key_in_questions(member, roster))
    assert focus().objectName() == "add_member"

    # Questions that do not apply were skipped: the child under 15 gets no labour module,
    # the employed no unemployment questions.
    child = visited_members[4]
    assert "labour_status" not in child and "general_education" not in child
    assert "previous_job" in visited_members[2] and "employment_status" not in visited_members[2]
    assert "workplace_country" in visited_members[3] and "workplace_address" not in visited_members[3]

    press(Qt.Key.Key_Return, CTRL)  # mark complete
    uuid = window.editor.uuid
    h = desk_store.get(uuid)
    assert h.status == "complete", window.editor.findings_panel.summary.text()
    assert (h.error_count, h.warning_count, h.member_count) == (0, 0, 5)
    stored = copy.deepcopy(h.record)
    for row in stored[roster]:
        row.pop("_id")
    assert stored["household"] == paper["household"]
    assert stored[roster] == paper["members"]
    assert window.editor.read_only


def test_tab_order_is_the_questionnaire_order_of_the_questions_that_apply(qtbot, start_window, desk_store: Store) -> None:
    start_window()
    press(Qt.Key.Key_N, CTRL)
    definition = desk_store.forms.current()
    seen = []
    for _ in range(len(definition.answer_fields(None))):
        f = focused_field()
        assert f is not None
        seen.append(f.field.id)
        press(Qt.Key.Key_Tab)
    assert seen == [f.id for f in definition.answer_fields(None)]
    assert focus().objectName() == f"roster_{definition.rosters[0].id}"  # then the members' table
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_field().field.id == seen[-1]


def test_a_code_typed_as_on_paper_shows_its_label(qtbot, editor) -> None:
    editor.new_household()
    editor.add_row()
    member_form = editor.section().form
    status = next(w for w in member_form.order if isinstance(w, CodeWidget) and w.field.list_name == "labour_status")
    # make the labour module apply: an adult (age at the collection date)
    editor.household_form.widget("interview_date").line.setFocus()
    type_text("15/10/2026")
    press(Qt.Key.Key_Return)
    member_form.widget("birth_date").line.setFocus()
    type_text("1980")
    press(Qt.Key.Key_Return)
    assert status.can_take_focus()
    status.line.setFocus()
    type_text("2")
    assert status.extra.text() == "Thất nghiệp"
    assert editor.record["members"][0]["labour_status"] == "2"
    select_all_and_type("9")
    assert "không có mã này" in status.extra.text()
    press(Qt.Key.Key_Return)
    assert "Mã \"9\" không có trong danh sách" in status.findings_text()


def test_codes_can_be_found_by_name_without_diacritics(qtbot, editor) -> None:
    editor.new_household()
    form = editor.household_form
    commune = next(w for w in form.order if isinstance(w, CodeWidget) and w.field.filter_by)
    commune.line.setFocus()
    select_all_and_type("hac thanh")
    popup = commune.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    first = popup.model().index(0, 0).data()
    assert "Hạc Thành" in first
    press(Qt.Key.Key_Return)  # takes the highlighted name
    code = commune.line.text()
    assert code == "14797" and commune.extra.text() == "Phường Hạc Thành"
    assert editor.record["household"][commune.field.id] == "14797"
    press(Qt.Key.Key_Return)  # and Enter again moves on
    assert focused_field() is editor.household_form.after(commune)
    # the list is limited to the chosen province's communes
    province_code = editor.record["household"][commune.field.filter_by]
    assert all(c.parent == province_code for c in commune.candidates(""))


def test_common_codes_come_first_and_down_opens_the_list(qtbot, editor) -> None:
    editor.new_household()
    editor.add_row()
    country = next(w for w in editor.section().form.order if isinstance(w, CodeWidget) and w.field.common)
    assert [c.code for c in country.candidates("")[: len(country.field.common)]] == list(country.field.common)
    assert country.candidates("nhat")[0].code == "JP"
    assert country.candidates("japan")[0].code == "JP"
