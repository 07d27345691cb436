"""The program and encrypted profiles: the passphrase asked at start, an old plain profile
encrypted at start, the lock from the keyboard, the passphrase changed, two officers on one
laptop each opening their own profile."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QPushButton, QWidget

from desktop import app as desktop_app
from desktop.profile_chooser import ProfileChooser
from desktop.profile_dialog import ProfileDialog
from desktop.settings import Profile
from desktop.unlock_dialog import ChangePassphraseDialog, ChoosePassphraseDialog, UnlockDialog
from forms import paths, profiles
from forms.registry import FormRegistry
from forms.store import Store, keys
from tests import factories as fx
from tests.desktop.conftest import PASSPHRASE, create_profile
from tests.desktop.helpers import focus, on_next_dialog, press, type_text

ARGS = {"data_dir": None, "profile": "default", "lang": None, "actor": None, "command": None}
PAO_PASSPHRASE = "bản Mường Khòa trên núi cao"


def set_up(db: Path, forms_registry: FormRegistry, profile: Profile, households: list[str]) -> None:
    """A profile as after some days of work: set up, with households; then closed and locked."""
    with Store(db, forms_registry) as s:
        profile.save(s)
        for code in households:
            s.save(fx.household(household_code=code), actor="test")
    keys.forget()


def open_window(qtbot, **args: object):
    window = desktop_app.start(argparse.Namespace(**{**ARGS, **args}))
    assert window is not None
    qtbot.addWidget(window)
    return window


def close(window) -> None:
    window.list_page.wait_for_counts()
    window.close()
    desktop_app.close_store(window.store)


@pytest.fixture
def no_scripted_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(profiles.ENV_PASSPHRASE, raising=False)


def test_the_passphrase_is_asked_and_a_wrong_one_refused(qtbot, data_dir, forms_registry, profile,
                                                          no_scripted_passphrase) -> None:
    db = create_profile("default", forms_registry)
    set_up(db, forms_registry, profile, ["HT-0001"])
    problems: list[str] = []

    def type_passphrases(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        assert focus() is dialog.panel.passphrase
        type_text("lúa chín vàng ở Hạc Thanh")  # one accent wrong
        press(Qt.Key.Key_Return)
        problems.append(dialog.panel.problem.text())
        assert dialog.isVisible()
        dialog.panel.clock = lambda: 1e12  # the wait after a wrong passphrase is over
        type_text(PASSPHRASE)
        press(Qt.Key.Key_Return)

    seen = on_next_dialog(type_passphrases)
    window = open_window(qtbot)
    try:
        assert seen and "Mật khẩu không đúng" in problems[0]
        assert [h.household_code for h in window.store.list()] == ["HT-0001"]
        assert window.windowTitle().endswith("Nguyễn Thị Lan")
    finally:
        close(window)
    assert keys.unlocked_key(db) is None, "closing the window forgets the key"


def test_quitting_at_the_passphrase_opens_nothing(qtbot, data_dir, forms_registry, profile,
                                                   no_scripted_passphrase) -> None:
    db = create_profile("default", forms_registry)
    set_up(db, forms_registry, profile, [])
    seen = on_next_dialog(lambda d: d.reject())
    assert desktop_app.start(argparse.Namespace(**ARGS)) is None
    assert seen and isinstance(seen[0], UnlockDialog) and keys.unlocked_key(db) is None


def test_an_old_plain_profile_is_encrypted_at_start_and_keeps_its_households(qtbot, data_dir, forms_registry,
                                                                              profile, no_scripted_passphrase) -> None:
    db = paths.store_path("default")
    with Store(db, forms_registry) as s:  # made by an earlier version, unencrypted
        profile.save(s)
        for i in range(3):
            s.save(fx.household(household_code=f"HT-00{i}"), actor="test")
    assert db.read_bytes().startswith(b"SQLite format 3")

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, ChoosePassphraseDialog) and dialog.encrypt
        assert "KHÔNG mã hóa" in dialog.intro.text()
        type_text("ngắn")
        press(Qt.Key.Key_Return)
        type_text("ngắn")
        press(Qt.Key.Key_Return)
        assert dialog.isVisible() and "ít nhất 10" in dialog.problem.text(), dialog.problem.text()
        dialog.first.setFocus()
        type_text(PASSPHRASE)
        press(Qt.Key.Key_Return)
        type_text(PASSPHRASE)
        press(Qt.Key.Key_Return)

    seen = on_next_dialog(choose, timeout=10)
    window = open_window(qtbot)
    try:
        assert seen and window.store.encrypted
        assert sorted(h.household_code for h in window.store.list()) == ["HT-000", "HT-001", "HT-002"]
        raw = db.read_bytes()
        assert not raw.startswith(b"SQLite format 3") and b"HT-001" not in raw
        assert not list(db.parent.glob("*.plain*"))
        for backup in db.parent.glob("*.bak"):  # only the daily backup made since, under the same key
            assert ".daily-" in backup.name, backup.name
            data = backup.read_bytes()
            assert not data.startswith(b"SQLite format 3") and b"HT-001" not in data, backup.name
    finally:
        close(window)


def test_ctrl_shift_l_locks_after_saving_and_the_passphrase_unlocks(qtbot, start_window, desk_store: Store) -> None:
    window = start_window()
    assert window.screen_lock is not None and window.screen_lock.minutes == 10
    press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    window.editor.household_form.widget("address").line.setFocus()
    type_text("12 Lê Lợi")
    press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    lock = window.screen_lock
    assert lock.is_locked
    assert desk_store.get(window.editor.uuid).record["household"]["address"] == "12 Lê Lợi"  # saved first
    qtbot.waitUntil(lock.dialog.isActiveWindow)
    press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # no shortcut acts behind the cover
    assert len(desk_store.list()) == 1
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lock.is_locked)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.editor.household_form.widget("address").line)


def test_the_idle_minutes_come_from_the_settings_file(qtbot, start_window, desk_store: Store, data_dir) -> None:
    (data_dir / "desktop.ini").write_text("[General]\nlock_minutes=3\n", encoding="utf-8")
    window = start_window()
    assert window.screen_lock is not None and window.screen_lock.minutes == 3
    window.screen_lock._last -= 3 * 60 + 1  # three minutes without keyboard or mouse
    window.screen_lock._last_wall -= 3 * 60 + 1
    window.screen_lock.check()
    assert window.screen_lock.is_locked
    window.screen_lock.dialog.panel.passphrase.setText(PASSPHRASE)
    window.screen_lock.dialog.panel.try_unlock()
    assert not window.screen_lock.is_locked


def test_the_passphrase_is_changed_from_the_settings_menu(qtbot, start_window, desk_store: Store) -> None:
    window = start_window()
    new = "nước sông Mã chảy về xuôi"

    def change(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePassphraseDialog)
        for text in (PASSPHRASE, new, new):
            type_text(text)
            press(Qt.Key.Key_Return)
    seen = on_next_dialog(change)
    window.actions_by_key["change_passphrase"].trigger()
    assert seen and "Đã đổi mật khẩu" in window.statusBar().currentMessage()
    keys.forget()
    assert profiles.unlock(desk_store.path, new)
    with pytest.raises(profiles.WrongPassphrase):
        profiles.unlock(desk_store.path, PASSPHRASE, clock=lambda: 1e12)


def test_two_officers_each_open_their_own_profile(qtbot, data_dir, forms_registry, profile,
                                                   no_scripted_passphrase) -> None:
    set_up(create_profile("lan", forms_registry), forms_registry, profile, ["HT-LAN"])
    pao = Profile(officer_name="Lò Văn Pao", province="38", commune="14797", villages=["Bản Mường Khòa"],
                  language="vi")
    set_up(create_profile("pao", forms_registry, PAO_PASSPHRASE), forms_registry, pao, ["HT-PAO"])
    (data_dir / "desktop.ini").write_text("[General]\nlast_profile=lan\n", encoding="utf-8")
    chooser_rows: list[str] = []

    def pick_pao(dialog: QWidget) -> None:
        assert isinstance(dialog, ProfileChooser)
        chooser_rows.extend(dialog.model.stringList())
        assert dialog.view.currentIndex().row() == 0  # the last one opened on this laptop
        press(Qt.Key.Key_Down)
        on_next_dialog(unlock_as_pao, kind=UnlockDialog)
        press(Qt.Key.Key_Return)

    def unlock_as_pao(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog) and "pao" in dialog.windowTitle()
        type_text(PASSPHRASE)  # Lan's passphrase does not open Pao's profile
        press(Qt.Key.Key_Return)
        assert dialog.isVisible()
        dialog.panel.clock = lambda: 1e12
        type_text(PAO_PASSPHRASE)
        press(Qt.Key.Key_Return)

    seen = on_next_dialog(pick_pao)
    window = open_window(qtbot, profile=None)
    try:
        assert seen and chooser_rows == ["lan", "pao"]
        assert window.profile_name == "pao" and window.windowTitle().endswith("Lò Văn Pao")
        assert [h.household_code for h in window.store.list()] == ["HT-PAO"]
        assert keys.unlocked_key(paths.store_path("lan")) is None
    finally:
        close(window)


def test_switch_profile_closes_this_one_and_a_new_officer_makes_theirs(qtbot, data_dir, forms_registry, profile,
                                                                        no_scripted_passphrase, monkeypatch) -> None:
    set_up(create_profile("lan", forms_registry), forms_registry, profile, ["HT-LAN"])
    monkeypatch.setenv(profiles.ENV_PASSPHRASE, PASSPHRASE)
    window = open_window(qtbot, profile="lan")
    monkeypatch.delenv(profiles.ENV_PASSPHRASE)
    window.switch_profile()
    assert window.switch_requested and not window.isVisible()
    desktop_app.close_store(window.store)
    assert keys.unlocked_key(paths.store_path("lan")) is None

    names = iter(["Lan", "Thảo", "thao"])  # taken (whatever the case); accents; then a good one
    asked: list[str] = []

    def type_a_name(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        asked.append(dialog.textValue())
        buttons = [b.text() for b in dialog.findChildren(QPushButton)]
        assert "Đồng ý" in buttons and "Huỷ" in buttons  # the program's words, not Qt's English
        dialog.setTextValue(next(names))
        if asked[-1] != "Thảo":  # asked again after the warning: one watcher at a time
            on_next_dialog(type_a_name, kind=QInputDialog)
        dialog.accept()

    problems: list[str] = []

    monkeypatch.setattr("desktop.dialogs.warn", lambda _parent, _title, text, *_a: problems.append(text))
    steps: list[str] = []

    def new_profile(dialog: QWidget) -> None:
        assert isinstance(dialog, ProfileChooser)
        on_next_dialog(type_a_name, kind=QInputDialog)
        on_next_dialog(choose_passphrase, kind=ChoosePassphraseDialog, timeout=15)
        dialog.new_button.click()
        assert "Đã có hồ sơ tên" in problems[0] and "không dùng được" in problems[1]
        assert asked == ["", "Lan", "Thảo"]  # each time with what was typed, to correct it

    def choose_passphrase(dialog: QWidget) -> None:
        assert isinstance(dialog, ChoosePassphraseDialog) and not dialog.encrypt
        steps.append("passphrase")
        on_next_dialog(lambda d: (steps.append(type(d).__name__), d.reject()), kind=ProfileDialog)
        for _ in range(2):
            type_text(PAO_PASSPHRASE)
            press(Qt.Key.Key_Return)

    on_next_dialog(new_profile)
    assert desktop_app.start(argparse.Namespace(**{**ARGS, "profile": None}), choose=True) is None
    assert steps == ["passphrase", "ProfileDialog"]  # the officer stopped at filling in the profile
    assert keys.is_encrypted(paths.store_path("thao")) and profiles.profile_names() == ["lan", "thao"]


def test_the_only_profile_opens_even_without_the_settings_file(qtbot, data_dir, forms_registry, profile,
                                                                monkeypatch) -> None:
    set_up(create_profile("lan", forms_registry), forms_registry, profile, ["HT-LAN"])
    assert not (data_dir / "desktop.ini").exists()
    monkeypatch.setenv(profiles.ENV_PASSPHRASE, PASSPHRASE)
    window = open_window(qtbot)
    try:
        assert window.profile_name == "lan" and [h.household_code for h in window.store.list()] == ["HT-LAN"]
        assert profiles.profile_names() == ["lan"]  # no empty "default" made beside it
    finally:
        close(window)


def test_the_lock_key_works_while_a_dialog_is_open(qtbot, start_window, desk_store: Store) -> None:
    window = start_window()
    locked: list[bool] = []

    def lock_from_the_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePassphraseDialog)
        press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: window.screen_lock.is_locked)
        locked.append(True)
        panel = window.screen_lock.dialog.panel
        panel.passphrase.setText(PASSPHRASE)
        panel.try_unlock()
        assert not window.screen_lock.is_locked
        dialog.reject()

    seen = on_next_dialog(lock_from_the_dialog)
    window.actions_by_key["change_passphrase"].trigger()
    assert seen and locked == [True]
