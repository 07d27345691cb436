"""The passphrase of an encrypted profile: asked at start (UnlockDialog), chosen for a new
profile or to encrypt an old plain one (ChoosePassphraseDialog), and asked again by the
screen lock (desktop/lock.py uses PassphrasePanel).

After a wrong passphrase the panel says how long to wait (1, 2, 4, 8 ... s, kept on disk by
forms.profiles, so restarting does not help) and that the district can recover a forgotten
passphrase.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.field_widgets import ERROR_COLOR
from desktop.text import profile_shown, t
from forms import profiles
from forms.i18n import message, tr
from forms.registry import FormRegistry
from forms.store import StoreError, keys

Clock = Callable[[], float]


# Words for an example passphrase, drawn anew for each dialog: a fixed example is the first
# passphrase people copy, so the strength rule refuses it (forms.profiles._COMMON).
_EXAMPLE_WORDS = ("mây", "trắng", "bến", "sông", "đồi", "chè", "xanh", "cánh", "cò", "trăng", "rằm", "gió",
                  "nồm", "ruộng", "bậc", "thang", "hoa", "ban", "suối", "núi", "biếc", "thuyền", "câu", "sen",
                  "hồng", "mưa", "phùn", "nắng", "sớm", "khói", "bếp", "chiều", "tre", "ngà", "mận", "đào")


def example_passphrase() -> str:
    """A few random words and a number that the strength rule accepts: 'gió nồm bến sông 47'."""
    while True:
        words = [secrets.choice(_EXAMPLE_WORDS) for _ in range(4)]
        example = " ".join(words) + f" {secrets.randbelow(90) + 10}"
        if not profiles.passphrase_problems(example):
            return example


def _problem_texts(dialog: QDialog, first: str, second: str, example: str) -> list[str]:
    """Why a new passphrase is refused, the advice for a short one with an example the rule
    accepts (the catalog's own example is refused, being the one people copy)."""
    short = message("security_weak_short", n=profiles.MIN_LENGTH)
    return [t("passphrase_short", n=profiles.MIN_LENGTH, example=example) if m == short else m.text()
            for m in profiles.passphrase_problems(first, second)]


def _show_problem(label: QLabel, text: str) -> None:
    """The red lines under the fields; the window grows to hold them (a wrapped label's
    height is not part of the window's minimum, so the fields would be squashed)."""
    label.setText(text)
    label.setVisible(bool(text))
    label.window().adjustSize()


def _password_line(parent: QWidget, name: str) -> QLineEdit:
    line = QLineEdit(parent)
    line.setObjectName(name)
    _set_shown(line, False)
    line.setMinimumWidth(320)
    line.setMinimumHeight(line.sizeHint().height())  # never squashed by lines appearing below
    return line


def _set_shown(line: QLineEdit, shown: bool) -> None:
    line.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
    # Qt turns the input method off in password fields; a passphrase with Vietnamese letters
    # must come out the same as typed at the command line, where the input method is on.
    line.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)


def _problem_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.hide()
    return label


def _passphrase_form(parent: QWidget, rows: list[tuple[str, QLineEdit]], show_box: QCheckBox) -> QFormLayout:
    """Labelled passphrase fields (Alt+letter reaches each) and the show toggle below them."""
    form = QFormLayout()
    for key, line in rows:
        label = QLabel(tr(key), parent)
        label.setBuddy(line)
        form.addRow(label, line)
    form.addRow("", show_box)
    return form


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row


class PassphrasePanel(QWidget):
    """Passphrase, Open button, what went wrong, how long to wait, what to do if forgotten."""

    unlocked = Signal(bytes)

    def __init__(self, db_path: Path, profile_name: str, intro: str, parent: QWidget | None = None,
                 clock: Clock = time.time):
        super().__init__(parent)
        self.setObjectName("passphrase_panel")
        self.db_path, self.profile_name, self.clock = db_path, profile_name, clock
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.passphrase = _password_line(self, "passphrase")
        self.show_box = QCheckBox(tr("security_show_passphrase"), self)
        self.show_box.toggled.connect(self._show_toggled)
        self.problem = _problem_label(self, "unlock_problem")
        self.waiting = QLabel(self)
        self.waiting.setObjectName("unlock_waiting")
        self.waiting.hide()
        self.forgot = QLabel(profiles.forgot_text(db_path).text(), self)
        self.forgot.setObjectName("unlock_forgot")
        self.forgot.setWordWrap(True)
        self.forgot.setStyleSheet("color: #5f6368;")
        self.open_button = QPushButton(tr("security_unlock_button"), self)
        self.open_button.setObjectName("unlock_open")
        self.open_button.setDefault(True)
        self.open_button.setAutoDefault(True)
        self.open_button.clicked.connect(self.try_unlock)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._update_wait)

        form = QFormLayout()
        label = QLabel(tr("security_passphrase_label"), self)
        label.setBuddy(self.passphrase)
        form.addRow(label, self.passphrase)
        form.addRow("", self.show_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.waiting)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.open_button)
        layout.addLayout(self.buttons)
        layout.addWidget(self.forgot)
        self._update_wait()

    def _show_toggled(self, shown: bool) -> None:
        _set_shown(self.passphrase, shown)

    def wait(self) -> float:
        return profiles.wait_before_next_try(self.db_path, self.clock)

    def _update_wait(self) -> None:
        wait = self.wait()
        self.open_button.setEnabled(wait <= 0)
        if wait > 0:
            self.waiting.setText(tr("security_waiting", wait=profiles.duration(wait)))
            self.waiting.show()
            if not self._tick.isActive():
                self._tick.start()
        else:
            self.waiting.hide()
            self._tick.stop()

    def try_unlock(self) -> bool:
        if self.wait() > 0:  # Enter while waiting: nothing is tried, the wait is shown
            self._update_wait()
            return False
        text = self.passphrase.text()
        if not text:
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # the KDF takes a good part of a second
        try:
            data_key = profiles.unlock(self.db_path, text, clock=self.clock)
        except StoreError as exc:  # WrongPassphrase, MustWait, a damaged key file
            # The wait has its own line and the footer says what a forgotten passphrase means:
            # the red line says only what went wrong.
            if isinstance(exc, profiles.WrongPassphrase):
                self.problem.setText(tr("security_wrong_short"))
            elif isinstance(exc, profiles.MustWait):
                self.problem.setText("")
            else:
                self.problem.setText(exc.msg.text())
            self.problem.setVisible(bool(self.problem.text()))
            self.passphrase.clear()
            self._update_wait()
            self.window().adjustSize()  # room for the wrapped lines, the field stays full height
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.passphrase.clear()
        self.problem.hide()
        self.unlocked.emit(data_key)
        return True

    def focus(self) -> None:
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)


class UnlockDialog(QDialog):
    """At start: the passphrase of an encrypted profile. `key` holds its data key once accepted."""

    def __init__(self, db_path: Path, profile_name: str, parent: QWidget | None = None, clock: Clock = time.time):
        super().__init__(parent)
        self.setObjectName("unlock_dialog")
        self.setWindowTitle(tr("security_unlock_title", profile=profile_shown(profile_name)))
        self.key: bytes | None = None
        self.panel = PassphrasePanel(db_path, profile_name, tr("security_unlock_intro", profile=profile_shown(profile_name)), self,
                                     clock)
        self.cancel_button = QPushButton(tr("security_cancel_button"), self)
        self.cancel_button.setObjectName("unlock_cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.panel.buttons.addWidget(self.cancel_button)
        self.panel.unlocked.connect(self._unlocked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.setMinimumWidth(560)
        self.panel.focus()

    def _unlocked(self, data_key: bytes) -> None:
        self.key = data_key
        self.accept()


class ChoosePassphraseDialog(QDialog):
    """A passphrase typed twice, checked for strength, for a new profile (`create`) or an
    existing plain one (`encrypt`); on Encrypt the work is done and `key` holds the data key."""

    def __init__(self, db_path: Path, profile_name: str, *, encrypt: bool, forms: FormRegistry | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("choose_passphrase_dialog")
        self.db_path, self.encrypt, self.forms = db_path, encrypt, forms
        self.key: bytes | None = None
        self.example = example_passphrase()
        self.setWindowTitle(tr("security_choose_title", profile=profile_shown(profile_name)))
        intro = "security_encrypt_intro" if encrypt else "security_choose_intro"
        self.intro = QLabel(tr(intro, profile=profile_shown(profile_name), n=profiles.MIN_LENGTH), self)
        self.intro.setWordWrap(True)
        self.first = _password_line(self, "new_passphrase")
        self.second = _password_line(self, "new_passphrase_again")
        self.show_box = QCheckBox(tr("security_show_passphrase"), self)
        self.show_box.toggled.connect(self._show_toggled)
        self.problem = _problem_label(self, "choose_problem")
        self.busy = QLabel(tr("security_encrypting"), self)
        self.busy.setObjectName("choose_busy")
        self.busy.hide()
        self.ok_button = QPushButton(tr("security_choose_button"), self)
        self.ok_button.setObjectName("choose_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.choose)
        self.cancel_button = QPushButton(tr("security_cancel_button"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.first.returnPressed.connect(lambda: self.second.setFocus())
        self.second.returnPressed.connect(self.choose)
        for line in (self.first, self.second):
            line.textEdited.connect(lambda _text: self.problem.hide())

        form = _passphrase_form(self, [("security_passphrase_label", self.first),
                                       ("security_again_label", self.second)], self.show_box)
        buttons = _button_row(self.ok_button, self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self.first.setFocus()

    def _show_toggled(self, shown: bool) -> None:
        _set_shown(self.first, shown)
        _set_shown(self.second, shown)

    def problems(self) -> list[str]:
        return _problem_texts(self, self.first.text(), self.second.text(), self.example)

    def choose(self) -> bool:
        problems = self.problems()
        if problems:
            _show_problem(self.problem, "\n".join(problems))
            return False
        self.busy.show()
        self.ok_button.setEnabled(False)
        QApplication.processEvents()  # show "encrypting, do not switch off" before the work starts
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.encrypt:
                self.key, _counts = profiles.encrypt(self.db_path, self.first.text())
            else:
                self.key = profiles.create(self.db_path, self.first.text(), forms=self.forms)
        except StoreError as exc:
            _show_problem(self.problem, exc.msg.text())
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.busy.hide()
            self.ok_button.setEnabled(True)
        self.first.clear()
        self.second.clear()
        self.accept()
        return True


class ChangePassphraseDialog(QDialog):
    """Settings › Change passphrase: the current one, then the new one twice. The database is
    not rewritten (only its key is wrapped anew), so it takes a second whatever the size."""

    def __init__(self, db_path: Path, profile_name: str, parent: QWidget | None = None, clock: Clock = time.time):
        super().__init__(parent)
        self.setObjectName("change_passphrase_dialog")
        self.db_path, self.clock = db_path, clock
        self.example = example_passphrase()
        self.setWindowTitle(tr("security_change_title", profile=profile_shown(profile_name)))
        intro = QLabel(tr("security_change_intro", n=profiles.MIN_LENGTH), self)
        intro.setWordWrap(True)
        self.old = _password_line(self, "old_passphrase")
        self.first = _password_line(self, "new_passphrase")
        self.second = _password_line(self, "new_passphrase_again")
        self.show_box = QCheckBox(tr("security_show_passphrase"), self)
        self.show_box.toggled.connect(self._show_toggled)
        self.problem = _problem_label(self, "change_problem")
        self.ok_button = QPushButton(tr("security_change_button"), self)
        self.ok_button.setObjectName("change_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.change)
        self.cancel_button = QPushButton(tr("security_close_button"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.old.returnPressed.connect(lambda: self.first.setFocus())
        self.first.returnPressed.connect(lambda: self.second.setFocus())
        self.second.returnPressed.connect(self.change)
        form = _passphrase_form(self, [("security_current_label", self.old), ("security_new_label", self.first),
                                       ("security_again_label", self.second)], self.show_box)
        buttons = _button_row(self.ok_button, self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)
        self.old.setFocus()

    def _show_toggled(self, shown: bool) -> None:
        for line in (self.old, self.first, self.second):
            _set_shown(line, shown)

    def change(self) -> bool:
        problems = _problem_texts(self, self.first.text(), self.second.text(), self.example)
        if problems:
            _show_problem(self.problem, "\n".join(problems))
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            profiles.change_passphrase(self.db_path, self.old.text(), self.first.text(), clock=self.clock)
        except StoreError as exc:  # the current passphrase wrong (with its wait), a damaged key file
            _show_problem(self.problem, exc.msg.text())
            self.old.clear()
            self.old.setFocus()
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        for line in (self.old, self.first, self.second):
            line.clear()
        self.accept()
        return True


def unlock_profile(db_path: Path, profile_name: str, parent: QWidget | None = None,
                   forms: FormRegistry | None = None) -> bytes | None:
    """The data key of the profile at `db_path`, after asking what is needed: its passphrase
    if encrypted, a new passphrase for a new profile, or one to encrypt an old plain profile.
    None if the officer quit; NewerDatabaseError for a plain profile from a newer program."""
    known = keys.unlocked_key(db_path)
    if known is not None:
        return known
    dialog: UnlockDialog | ChoosePassphraseDialog
    if keys.is_encrypted(db_path):
        scripted = os.environ.get(profiles.ENV_PASSPHRASE)
        if scripted is not None:  # as for the command line: scripts, screenshots, tests
            try:
                return profiles.unlock(db_path, scripted)
            except StoreError:
                pass  # asked, as if it had not been given
        dialog = UnlockDialog(db_path, profile_name, parent)
    else:
        profiles.refuse_newer(db_path)  # NewerDatabaseError: said as when the store refuses it
        dialog = ChoosePassphraseDialog(db_path, profile_name, encrypt=db_path.exists(), forms=forms, parent=parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    key = dialog.key if accepted else None
    dialog.deleteLater()
    return key
