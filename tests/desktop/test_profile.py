"""First start: the officer chooses the passphrase that encrypts the new profile, then fills it
(name, province, commune, villages) and picks the interface language, with the keyboard."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop import app as desktop_app
from desktop.profile_dialog import ProfileDialog
from desktop.settings import Profile
from desktop.unlock_dialog import ChoosePassphraseDialog
from forms import paths
from forms.i18n import current_language
from forms.store import Store, keys
from tests.desktop.conftest import PASSPHRASE
from tests.desktop.helpers import focus, on_next_dialog, press, type_text

ARGS = {"data_dir": None, "profile": "default", "lang": None, "actor": None, "command": None}


def fill_first_start(name: str, commune_search: str, villages: list[str], english: bool = False):
    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ProfileDialog)
        dialog.name.setFocus()
        type_text(name)
        press(Qt.Key.Key_Tab)
        assert focus().objectName() == "profile_province_code"
        type_text("38")
        press(Qt.Key.Key_Tab)
        type_text(commune_search)
        if not commune_search.isdigit():
            press(Qt.Key.Key_Return)  # the best match of the list of names
        press(Qt.Key.Key_Tab)
        assert focus().objectName() == "villages"
        for i, v in enumerate(villages):
            if i:
                press(Qt.Key.Key_Return)
            type_text(v)
        press(Qt.Key.Key_Tab)
        assert focus().objectName() == "language"
        if english:
            press(Qt.Key.Key_Down)
        press(Qt.Key.Key_Tab)
        assert focus().objectName() == "profile_save"
        press(Qt.Key.Key_Return)
    return fill


def passphrase_then(then: Callable[[QWidget], None], passphrase: str = PASSPHRASE) -> tuple[list, list]:
    """The first start's two dialogs: the passphrase typed twice, then `then` on the profile."""
    profile_seen: list[list[QWidget]] = []

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, ChoosePassphraseDialog)
        assert focus() is dialog.first
        type_text(passphrase)
        press(Qt.Key.Key_Return)
        type_text(passphrase)
        profile_seen.append(on_next_dialog(then, kind=ProfileDialog))
        press(Qt.Key.Key_Return)
        assert not dialog.isVisible(), dialog.problem.text()
    return on_next_dialog(choose), profile_seen


def test_first_start_creates_the_profile(qtbot, data_dir, forms_registry) -> None:
    chose, profile_seen = passphrase_then(
        fill_first_start("Hà Thị Thu Thảo", "hac thanh", ["Tổ dân phố Đông Sơn", "Thôn Yên Trường"]))
    window = desktop_app.start(argparse.Namespace(**ARGS))
    assert chose and profile_seen and profile_seen[0] and window is not None
    qtbot.addWidget(window)
    try:
        assert current_language() == "vi"
        assert window.windowTitle().endswith("Hà Thị Thu Thảo")
        db = paths.store_path("default")
        assert window.store.encrypted and keys.is_encrypted(db)
        assert b"Th\xe1\xba\xa3o" not in db.read_bytes() and not db.read_bytes().startswith(b"SQLite format 3")
        with Store(db, forms_registry) as store:
            p = Profile.load(store)
        assert p == Profile("Hà Thị Thu Thảo", "38", "14797", ["Tổ dân phố Đông Sơn", "Thôn Yên Trường"], "vi")
        window.new_household()
        hh = window.editor.record["household"]
        assert (hh["province_code"], hh["commune_code"], hh["officer"]) == ("38", "14797", "Hà Thị Thu Thảo")
    finally:
        window.list_page.wait_for_counts()
        window.close()
        window.store.close()


def test_first_start_in_english(qtbot, data_dir) -> None:
    _chose, profile_seen = passphrase_then(fill_first_start("Lo Van Pao", "14797", ["Ban Muong Khoa"], english=True))
    window = desktop_app.start(argparse.Namespace(**ARGS))
    assert profile_seen and window is not None
    qtbot.addWidget(window)
    try:
        assert current_language() == "en" and window.menus["menu_file"].title() == "&File"
        village = window.editor.household_form  # not built yet: the list is shown first
        assert village is None and window.list_page.title.text() == "Households"
    finally:
        window.list_page.wait_for_counts()
        window.close()
        window.store.close()


def test_the_profile_needs_name_province_commune_and_a_village(qtbot, forms_registry) -> None:
    d = forms_registry.current()
    dialog = ProfileDialog(d, Profile(), first_start=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.save_button.click()
    assert dialog.isVisible()
    problems = dialog.problem.text()
    assert "Hãy nhập họ và tên cán bộ." in problems and "Hãy chọn tỉnh" in problems and "ít nhất một thôn" in problems
    dialog.name.setText("Lan")
    dialog.province.set_value("38")
    dialog.commune.set_value("00001")  # a commune of another province
    dialog.villages.setPlainText("Thôn A")
    assert dialog.problems() == [dialog.problems()[0]] and "xã thuộc tỉnh" in dialog.problems()[0]


def test_cancelling_the_first_start_opens_nothing(qtbot, data_dir) -> None:
    seen = on_next_dialog(lambda d: d.reject())
    assert desktop_app.start(argparse.Namespace(**ARGS)) is None
    assert seen and isinstance(seen[0], ChoosePassphraseDialog)
    assert not paths.store_path("default").exists() and not keys.is_encrypted(paths.store_path("default"))
