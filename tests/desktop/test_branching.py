"""Questions that do not apply hide as answers change; findings show beside their question
as the officer types, in the interface language; the findings list jumps to the question."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.household_editor import HouseholdEditor
from forms.engine import FieldRef
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focused_field, press, select_all_and_type, type_text


def open_saved(editor: HouseholdEditor, store: Store, record: dict) -> str:
    uuid = store.save(record, actor="lan").household.uuid
    editor.open_household(uuid)
    return uuid


def visible(editor: HouseholdEditor, field_id: str) -> bool:
    return editor.section().form.widget(field_id).can_take_focus()


def test_labour_branches_follow_the_labour_status(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    open_saved(editor, desk_store, fx.household())
    editor.select_member(0)  # employed
    assert visible(editor, "employment_status") and not visible(editor, "unemployment_type")
    status = editor.section().form.widget("labour_status")
    status.line.setFocus()
    select_all_and_type("2")  # Thất nghiệp, before Enter: relevance follows each key
    assert visible(editor, "unemployment_type") and not visible(editor, "employment_status")
    assert not visible(editor, "inactive_reason")
    select_all_and_type("3")
    assert visible(editor, "inactive_reason") and not visible(editor, "unemployment_type")
    # a question inside a branch: the previous job only for those who worked before
    select_all_and_type("2")
    unemployment_type = editor.section().form.widget("unemployment_type")
    unemployment_type.line.setFocus()
    select_all_and_type("1")
    assert not visible(editor, "previous_job")
    select_all_and_type("2")
    assert visible(editor, "previous_job")


def test_a_child_gets_no_labour_module(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    open_saved(editor, desk_store, fx.household())
    editor.select_member(4)  # born 2014
    form = editor.section().form
    labour = form.groups["labour"]
    assert not labour.body.isVisibleTo(editor) and labour.note.isVisibleTo(editor)
    assert labour.title.isVisibleTo(editor)  # the title stays, with why it is not asked
    birth = form.widget("birth_date")
    birth.line.setFocus()
    select_all_and_type("1990")
    assert labour.body.isVisibleTo(editor) and not labour.note.isVisibleTo(editor)
    assert form.calculated["age"].value_label.text() == "36"


def test_tab_skips_questions_that_do_not_apply(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    open_saved(editor, desk_store, fx.household())
    editor.select_member(1)  # outside the labour force
    form = editor.section().form
    form.widget("labour_status").line.setFocus()
    press(Qt.Key.Key_Tab)
    assert focused_field().field.id == "abroad_status"
    press(Qt.Key.Key_Tab)  # never abroad: sections I and J are skipped, like E and F
    assert focused_field().field.id == "inactive_reason"
    press(Qt.Key.Key_Tab)
    assert focused_field().field.id == "job_wanted"


def test_findings_show_beside_the_question_once_the_officer_leaves_it(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    """Never red in the middle of a word (issue 14): a new finding shows when the officer
    leaves the question (Enter), one the typing fixes goes at once."""
    open_saved(editor, desk_store, fx.household())
    editor.select_member(0)
    cid = editor.section().form.widget("citizen_id")
    cid.line.setFocus()
    select_all_and_type("12")  # still being typed: nothing red yet
    assert cid.findings_text() == ""
    press(Qt.Key.Key_Return)
    assert "✖ Số định danh phải có 12 chữ số." in cid.findings_text()
    cid.line.setFocus()
    type_text("3456789012")  # 12 digits, but the province code 123 does not exist
    assert "Ba số đầu không phải mã tỉnh" not in cid.findings_text()
    press(Qt.Key.Key_Return)
    assert "Ba số đầu không phải mã tỉnh" in cid.findings_text()
    cid.line.setFocus()
    select_all_and_type("038075000001")
    assert cid.findings_text() == ""  # fixed: the red goes while typing
    # a warning (not blocking) in amber
    select_all_and_type("038175000001")
    press(Qt.Key.Key_Return)
    assert "⚠" in cid.findings_text() and "Giới tính theo số định danh" in cid.findings_text()


def test_required_answers_are_flagged_once_the_officer_has_passed_them(qtbot, editor: HouseholdEditor) -> None:
    editor.new_household()
    form = editor.household_form
    village = form.widget("village")
    village.line.setFocus()
    assert village.findings_text() == ""
    press(Qt.Key.Key_Return)
    assert "Câu hỏi bắt buộc chưa được trả lời." in village.findings_text()
    household_code = form.widget("household_code")
    assert household_code.findings_text() == ""  # not reached yet


def test_the_findings_list_jumps_to_the_question(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    rec = fx.household()
    rec["members"][2]["birth_date"] = "2030"
    open_saved(editor, desk_store, rec)
    panel = editor.findings_panel
    refs = panel.refs()
    target = FieldRef("birth_date", "members", 2)
    assert target in refs
    assert "lỗi" in panel.summary.text()
    row = refs.index(target)
    assert "Thành viên 3 (Đặng Minh Đức) · Ngày sinh" in panel.list.item(row).text()
    panel.list.setFocus()
    panel.list.setCurrentRow(row)
    press(Qt.Key.Key_Return)
    f = focused_field()
    assert f is not None and f.field.id == "birth_date" and editor.section().current == 2
    assert f.line.text() == "2030"


def test_f8_goes_from_finding_to_finding(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household()
    rec["household"].pop("phone")
    rec["household"]["area"] = "7"
    rec["members"][3]["sex"] = "5"
    uuid = desk_store.save(rec, actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    press(Qt.Key.Key_F8)
    assert focused_field().field.id == "area"
    press(Qt.Key.Key_F8)
    assert focused_field().field.id == "sex" and window.editor.section().current == 3
