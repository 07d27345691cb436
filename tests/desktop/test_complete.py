"""Mark complete: refused while errors remain, saying which; warnings need a confirmation;
a complete household is read-only until reopened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop.text import t
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focused_field, key_on_dialog, on_next_dialog, press

CTRL = Qt.KeyboardModifier.ControlModifier


def test_complete_is_refused_while_errors_remain_and_says_which(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household()
    rec["household"].pop("area")
    rec["members"][2]["birth_date"] = "2030-01-01"
    uuid = desk_store.save(rec, actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    texts: list[str] = []
    seen = on_next_dialog(lambda d: (texts.append(d.text() + "\n" + d.informativeText()), key_on_dialog(Qt.Key.Key_Return)(d)))
    press(Qt.Key.Key_Return, CTRL)
    assert seen and isinstance(seen[0], QMessageBox)
    text = texts[0]
    assert "Chưa thể đánh dấu hoàn thành: còn 3 lỗi phải sửa." in text
    assert "Khu vực: Câu hỏi bắt buộc chưa được trả lời." in text
    assert "Thành viên 3 (Đặng Minh Đức) · Ngày sinh: Ngày sinh không được sau hôm nay." in text
    assert desk_store.get(uuid).status == "draft"
    assert focused_field().field.id == "area"  # the first error, ready to correct
    press(Qt.Key.Key_1)
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_F8)
    assert focused_field().field.id == "birth_date" and window.editor.section().current == 2


def test_warnings_need_a_confirmation(qtbot, start_window, desk_store: Store) -> None:
    rec = fx.household()
    rec["members"][0]["citizen_id"] = fx.citizen_id(1975, "2", serial=1)  # sex in the ID differs: a warning
    uuid = desk_store.save(rec, actor="lan").household.uuid
    assert desk_store.get(uuid).warning_count == 1
    window = start_window()
    window.open_household(uuid)
    on_next_dialog(key_on_dialog(Qt.Key.Key_Escape))
    press(Qt.Key.Key_Return, CTRL)
    assert desk_store.get(uuid).status == "draft"

    def confirm(dialog: QMessageBox) -> None:
        assert "Còn 1 cảnh báo" in dialog.text()
        assert "Giới tính theo số định danh khác giới tính đã ghi." in dialog.informativeText()
        [yes] = [b for b in dialog.findChildren(QPushButton) if b.text() == t("complete_confirm_yes")]
        yes.click()

    on_next_dialog(confirm)
    press(Qt.Key.Key_Return, CTRL)
    h = desk_store.get(uuid)
    assert h.status == "complete"
    assert window.editor.read_only and window.editor.reopen_button.isVisible()
    assert window.editor.household_form.widget("phone").line.isReadOnly()


def test_a_complete_household_is_reopened_to_correct_it(qtbot, start_window, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    desk_store.complete(uuid, actor="lan")
    window = start_window()
    window.open_household(uuid)
    editor = window.editor
    assert editor.read_only and "Hoàn thành" in editor.banner.text()
    editor.reopen_button.setFocus()
    press(Qt.Key.Key_Return)
    assert desk_store.get(uuid).status == "draft" and not editor.read_only
    assert focused_field() is not None


def test_counts_follow_completion(qtbot, start_window, desk_store: Store) -> None:
    uuids = [desk_store.save(r, actor="lan").household.uuid for r in fx.generated(3)]
    window = start_window()
    qtbot.waitUntil(lambda: "Nháp: 3" in window.counts_label.text())
    window.open_household(uuids[0])
    press(Qt.Key.Key_Return, CTRL)
    assert desk_store.get(uuids[0]).status == "complete"
    qtbot.waitUntil(lambda: "Nháp: 2" in window.counts_label.text())
    assert "Hoàn thành: 1" in window.counts_label.text() and "Chờ gửi: 1" in window.counts_label.text()
