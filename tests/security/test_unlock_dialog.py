"""The desktop's passphrase dialogs, on their own: unlocking with the growing wait after wrong
passphrases (kept across restarts), the district's recovery said on screen, choosing a strong
passphrase for a new profile, encrypting an old plain one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from desktop.unlock_dialog import ChoosePassphraseDialog, UnlockDialog, unlock_profile
from forms import profiles
from forms.i18n import set_language
from forms.store import Store, cipher, keys
from tests.desktop.helpers import press, type_text, wait_for
from tests.security.data import SECRETS, secret_household
from tests.security.helpers import FAST, PASSPHRASE, files_under, found_in


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def show(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_the_right_passphrase_opens_the_profile(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    key = profiles.create(db, PASSPHRASE, kdf=FAST)
    keys.forget()
    dialog = show(qtbot, UnlockDialog(db, "lan"))
    assert QApplication.focusWidget() is dialog.panel.passphrase
    assert dialog.panel.passphrase.echoMode() == dialog.panel.passphrase.EchoMode.Password
    type_text(PASSPHRASE)  # Vietnamese letters, as typed
    press(Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.key == key
    assert keys.unlocked_key(db) == key and dialog.panel.passphrase.text() == ""
    Store(db).close()  # the rest of the program opens it by its path


def test_a_wrong_passphrase_says_how_long_to_wait_and_who_can_help(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    profiles.create(db, PASSPHRASE, kdf=FAST)
    keys.forget()
    clock = Clock()
    dialog = show(qtbot, UnlockDialog(db, "lan", clock=clock))
    panel = dialog.panel
    # No recovery key yet: the footer does not promise what the district cannot do.
    assert "nobody can recover the data" in panel.forgot.text() and panel.forgot.isVisible()
    assert "district" not in panel.forgot.text()
    type_text("not it at all")
    press(Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.key is None
    assert panel.problem.text() == "Wrong passphrase." and panel.problem.isVisible()  # the wait: its own line
    assert "Wait 1 second(s)" in panel.waiting.text()
    assert panel.waiting.isVisible() and not panel.open_button.isEnabled() and panel.passphrase.text() == ""
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)  # too soon: not even tried
    assert dialog.key is None and keys.unlocked_key(db) is None
    clock.now += 1
    qtbot.waitUntil(panel.open_button.isEnabled, timeout=2000)
    assert not panel.waiting.isVisible()
    panel.passphrase.clear()
    type_text("still not it")
    press(Qt.Key.Key_Return)
    assert "Wait 2 second(s)" in panel.waiting.text()

    # The program started again: the wait is still there.
    again = show(qtbot, UnlockDialog(db, "lan", clock=clock))
    assert not again.panel.open_button.isEnabled() and "Wait 2 second(s)" in again.panel.waiting.text()
    clock.now += 2
    qtbot.waitUntil(again.panel.open_button.isEnabled, timeout=2000)
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    assert again.key is not None


def test_the_dialog_speaks_vietnamese(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    _private, public = keys.make_recovery_keypair(b"province key passphrase")
    profiles.create(db, PASSPHRASE, kdf=FAST, recovery_public_keys=[public])
    set_language("vi")
    dialog = show(qtbot, UnlockDialog(db, "lan"))
    assert dialog.windowTitle() == "Mở hồ sơ lan"
    assert "cán bộ kỹ thuật của huyện" in dialog.panel.forgot.text()
    type_text("sai rồi sai rồi")
    press(Qt.Key.Key_Return)
    assert dialog.panel.problem.text() == "Mật khẩu không đúng."
    assert "Hãy đợi 1 giây" in dialog.panel.waiting.text()


def test_a_new_profile_gets_a_strong_passphrase_typed_twice(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "lan" / "households.sqlite"
    dialog = show(qtbot, ChoosePassphraseDialog(db, "lan", encrypt=False))
    type_text("ngắn")
    press(Qt.Key.Key_Return)
    type_text("ngắn")
    press(Qt.Key.Key_Return)
    assert "at least 10 characters" in dialog.problem.text() and dialog.isVisible()
    for line in (dialog.first, dialog.second):
        line.clear()
    dialog.first.setFocus()
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    type_text(PASSPHRASE + "!")
    press(Qt.Key.Key_Return)
    assert dialog.problem.text() == "The two passphrases are not the same." and not keys.is_encrypted(db)
    dialog.second.clear()
    dialog.second.setFocus()
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.key is not None
    assert keys.is_encrypted(db) and keys.KeyFile.load(db).passphrase["kdf"] == "argon2id"
    with Store(db) as store:
        assert store.encrypted and store.count() == 0
    keys.forget()
    assert profiles.unlock(db, PASSPHRASE) == dialog.key


def test_an_old_plain_profile_is_encrypted_from_the_dialog(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "lan" / "households.sqlite"
    with Store(db) as store:
        store.save(secret_household(0), actor="lan")
    dialog = show(qtbot, ChoosePassphraseDialog(db, "lan", encrypt=True))
    assert "UNENCRYPTED" in dialog.intro.text()
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    type_text(PASSPHRASE)
    press(Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not cipher.is_plain_file(db) and found_in(files_under(db.parent), SECRETS) == []
    with Store(db) as store:
        assert store.count() == 1


def test_unlock_profile_asks_what_each_profile_needs(qtbot, tmp_path: Path) -> None:
    def answer(*texts: str) -> list[QDialog]:
        seen: list[QDialog] = []

        def fill() -> None:
            w = QApplication.activeModalWidget()
            if not isinstance(w, QDialog):
                QTimer.singleShot(20, fill)
                return
            seen.append(w)
            w.activateWindow()
            try:
                assert wait_for(w.isActiveWindow, 2.0)
                for text in texts:
                    if text:
                        type_text(text)
                        press(Qt.Key.Key_Return)
                    else:
                        w.reject()
            finally:
                if w.isVisible():  # a failed step fails the test instead of hanging it
                    QTimer.singleShot(200, lambda: w.isVisible() and w.reject())
        QTimer.singleShot(0, fill)
        return seen

    new = tmp_path / "new" / "households.sqlite"
    seen = answer(PASSPHRASE, PASSPHRASE)
    key = unlock_profile(new, "new")
    assert isinstance(seen[0], ChoosePassphraseDialog) and key is not None and keys.is_encrypted(new)
    assert unlock_profile(new, "new") == key, "unlocked already in this process: not asked again"
    keys.forget()
    seen = answer("")
    assert unlock_profile(new, "new") is None and isinstance(seen[0], UnlockDialog)
    seen = answer(PASSPHRASE)
    assert unlock_profile(new, "new") == key


def test_a_script_gives_the_passphrase_as_the_command_line_takes_it(qtbot, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "households.sqlite"
    key = profiles.create(db, PASSPHRASE, kdf=FAST)
    keys.forget()
    monkeypatch.setenv("LABOUR_SURVEY_PASSPHRASE", PASSPHRASE)
    assert unlock_profile(db, "lan") == key  # no dialog: this would hang if one were shown
