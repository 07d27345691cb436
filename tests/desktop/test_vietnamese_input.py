"""Vietnamese typed with an input method (Unikey, ibus, fcitx) or as decomposed letters is
stored as NFC everywhere, and found by search with or without marks."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Qt

from desktop.household_editor import HouseholdEditor
from forms.store import Store
from tests import factories as fx
from tests.desktop.helpers import commit_text, nfd, press, select_all_and_type, type_text


def test_an_input_method_commit_is_stored_nfc(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    editor.open_household(uuid)
    editor.select_member(1)
    name = editor.section().form.widget("full_name")
    name.line.setFocus()
    select_all_and_type("")
    # Telex as an input method sends it: a preedit while composing, then the word committed.
    for word, preedit in (("Lê ", "Le"), ("Thị ", "Thi"), ("Hoà", "Hoaf")):
        commit_text(word, preedit=preedit)
    press(Qt.Key.Key_Return)
    stored = desk_store.get(uuid).record["members"][1]["full_name"]
    assert stored == "Lê Thị Hoà" and unicodedata.is_normalized("NFC", stored)


def test_decomposed_letters_are_stored_composed(qtbot, editor: HouseholdEditor, desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    editor.open_household(uuid)
    address = editor.household_form.widget("address")
    address.line.setFocus()
    select_all_and_type("")
    type_text(nfd("Số 5 đường Nguyễn Trãi"))  # a keyboard layout that sends combining marks
    press(Qt.Key.Key_Return)
    stored = desk_store.get(uuid).record["household"]["address"]
    assert stored == "Số 5 đường Nguyễn Trãi" and unicodedata.is_normalized("NFC", stored)
    assert [h.uuid for h in desk_store.list(text="nguyen trai")] == [uuid]


def test_vietnamese_in_a_coded_question_searches_the_names(qtbot, editor: HouseholdEditor) -> None:
    editor.new_household()
    editor.add_row()
    ethnicity = editor.section().form.widget("ethnicity")
    ethnicity.line.setFocus()
    commit_text("Thái")
    popup = ethnicity.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert "Thái" in popup.model().index(0, 0).data()
    press(Qt.Key.Key_Return)
    assert ethnicity.extra.text() == "Thái" and ethnicity.line.text() == "03"
