"""Autosave: every change is a saved draft at once; a killed program loses at most the field
being typed; reopening returns to the household and question where the officer was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.household_editor import AUTOSAVE_MS, HouseholdEditor
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import focused_field, key_on_dialog, on_next_dialog, press, select_all_and_type, type_text

ROOT = Path(__file__).resolve().parents[2]


def test_a_committed_answer_is_saved_at_once_and_typing_within_300_ms(qtbot, editor: HouseholdEditor,
                                                                       desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    editor.open_household(uuid)
    phone = editor.household_form.widget("phone")
    phone.line.setFocus()
    select_all_and_type("0987654321")
    press(Qt.Key.Key_Return)
    h = desk_store.get(uuid)
    assert h.record["household"]["phone"] == "0987654321" and h.revision == 2
    address = editor.household_form.widget("address")
    address.line.setFocus()
    select_all_and_type("15 Lê Lợi")  # still typing: not left the question
    assert desk_store.get(uuid).record["household"]["address"] == "12 Lê Lợi"
    qtbot.waitUntil(lambda: desk_store.get(uuid).record["household"]["address"] == "15 Lê Lợi",
                    timeout=AUTOSAVE_MS + 200)
    assert desk_store.get(uuid).status == "draft"
    log = desk_store.history(uuid)
    assert log[-1]["actor"] == "lan" and ["household/address", "12 Lê Lợi", "15 Lê Lợi"] in log[-1]["changes"]


def test_member_rows_keep_their_ids_when_added_moved_and_removed(qtbot, start_window, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    editor = window.editor
    ids = [m["_id"] for m in desk_store.get(uuid).record["members"]]
    editor.select_member(4)
    editor.section().panel.table.setFocus()
    press(Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # move the child up
    assert [m["_id"] for m in desk_store.get(uuid).record["members"]] == [*ids[:3], ids[4], ids[3]]
    assert editor.section().current == 3
    press(Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert len(desk_store.get(uuid).record["members"]) == 6
    type_text("Đặng Thị Mai")
    press(Qt.Key.Key_Return)
    stored = desk_store.get(uuid).record["members"]
    assert stored[5]["full_name"] == "Đặng Thị Mai" and stored[5]["_id"] not in ids
    # remove the second member, confirming with the keyboard (the default answer keeps it)
    editor.select_member(1)
    editor.section().panel.remove_button.setFocus()
    on_next_dialog(key_on_dialog(Qt.Key.Key_Return))
    press(Qt.Key.Key_Return)
    assert len(desk_store.get(uuid).record["members"]) == 6
    on_next_dialog(lambda d: next(b for b in d.findChildren(QPushButton) if b.text() == "Xoá").click())
    editor.section().panel.remove_button.setFocus()
    press(Qt.Key.Key_Return)
    assert [m["_id"] for m in desk_store.get(uuid).record["members"]] == [ids[0], ids[2], ids[4], ids[3], stored[5]["_id"]]


def test_delete_a_household_leaves_the_list(qtbot, start_window, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    on_next_dialog(lambda d: next(b for b in d.findChildren(QPushButton) if b.text() == "Xoá").click())
    window.editor.delete_button.click()
    assert window.stack.currentWidget() is window.list_page
    assert desk_store.get(uuid).deleted_at is not None and desk_store.list() == []


def test_a_killed_program_loses_at_most_the_field_being_typed(qtbot, start_window, desk_store: Store,
                                                              data_dir: Path) -> None:
    env = {**os.environ, "LABOUR_SURVEY_DATA": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.desktop.kill_session"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "typed", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    [h] = desk_store.list()
    assert h.village == "Thôn Yên Trường"
    assert h.record is None and desk_store.get(h.uuid).record["household"]["household_code"] in ("HT-0099", "HT-009977")

    window = start_window()  # the officer starts the program again
    assert window.stack.currentWidget() is window.editor and window.editor.uuid == h.uuid
    f = focused_field()
    assert f is not None and f.field.id == "household_code"
    assert f.line.text().startswith("HT-0099")


def test_reopening_returns_to_the_member_and_question(qtbot, start_window, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    window.editor.select_member(2)
    window.editor.section().form.widget("previous_job").line.setFocus()
    window.resize(window.width(), 611)  # the offscreen screen is 800x800: a height fits it
    window.close()
    again = start_window()
    assert again.editor.uuid == uuid and again.editor.section().current == 2
    assert focused_field().field.id == "previous_job"
    assert again.height() == 611  # window geometry remembered (the default is 760)


def test_back_to_the_list_forgets_the_place(qtbot, start_window, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    window = start_window()
    window.open_household(uuid)
    press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.list_page
    window.close()
    again = start_window()
    assert again.stack.currentWidget() is again.list_page
