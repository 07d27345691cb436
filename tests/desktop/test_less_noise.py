"""Less noise while keying (issue 14): a new household does not open with a list of errors;
a required question shows its error once the officer has passed it or asks to complete; a
question never turns red in the middle of a word."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.household_editor import HouseholdEditor
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import key_on_dialog, on_next_dialog, press, select_all_and_type, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def listed(editor: HouseholdEditor) -> list[str]:
    panel = editor.findings_panel
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_a_new_household_opens_without_errors_and_shows_them_as_the_officer_passes(
        qtbot, start_window) -> None:
    window = start_window()
    press(Qt.Key.Key_N, CTRL)
    editor = window.editor
    assert listed(editor) == []
    assert editor.findings_panel.summary.text() == "Không còn lỗi hay cảnh báo nào."
    assert editor.section().panel.problems.isHidden()  # "at least one member": not yet

    while not editor.household_form.widget("village").line.hasFocus():
        press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Return)  # passed the village without an answer
    assert [text for text in listed(editor) if "Thôn" in text] == ["✖ Thôn, bản, tổ dân phố: Câu hỏi bắt buộc chưa được trả lời."]
    assert len(listed(editor)) == 1
    assert "1 lỗi" in editor.findings_panel.summary.text()

    type_text("HT-0100")  # an answer: something to save, then asking to complete shows everything
    press(Qt.Key.Key_Return)
    seen = on_next_dialog(key_on_dialog(Qt.Key.Key_Return))
    press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible(), timeout=5000)
    assert len(listed(editor)) >= 5
    assert any("ít nhất" in text for text in listed(editor))  # the members


def test_a_question_does_not_turn_red_in_the_middle_of_a_word(qtbot, editor: HouseholdEditor,
                                                               desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    editor.open_household(uuid)
    phone = editor.household_form.widget("phone")
    phone.line.setFocus()
    select_all_and_type("091")  # being typed: not a phone number yet, and not red
    assert phone.findings_text() == "" and "border" not in phone.line.styleSheet()
    assert not any("Số điện thoại" in text for text in listed(editor))
    press(Qt.Key.Key_Return)  # left: now it is said
    assert "Số điện thoại không đúng dạng" in phone.findings_text()
    phone.line.setFocus()
    select_all_and_type("091234567")
    assert "Số điện thoại không đúng dạng" in phone.findings_text()  # still wrong: stays as it was
    type_text("8")  # right now: the red goes at once
    assert phone.findings_text() == "" and "border" not in phone.line.styleSheet()


def test_a_question_passed_by_adding_a_member_is_flagged_for_the_member_left(qtbot, start_window) -> None:
    window = start_window()
    press(Qt.Key.Key_N, CTRL)
    for name in ("Lò Văn Páo", "Lò Thị Ín"):
        press(Qt.Key.Key_M, CTRL)
        type_text(name)
        press(Qt.Key.Key_Return)  # on to the relation, then Ctrl+M leaves it unanswered
    assert [t for t in listed(window.editor) if "Quan hệ" in t] == [
        "✖ Thành viên 1 (Lò Văn Páo) · Quan hệ với chủ hộ: Câu hỏi bắt buộc chưa được trả lời."]
