"""Which officer's profile to open, on a laptop that several officers share: each has a profile
of their own with its own passphrase. Shown at start when there are two or more profiles, and
from File › Switch profile. "New profile" adds one for another officer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs
from desktop.text import profile_shown, t
from forms import paths, profiles
from forms.i18n import Message
from forms.store import keys


def profile_label(name: str, data_dir: str | Path | None) -> str:
    """'lan' or 'lan (not encrypted)': a plain profile is worth noticing before opening it."""
    shown = profile_shown(name)
    shown = shown.text() if isinstance(shown, Message) else shown
    if keys.is_encrypted(paths.store_path(name, data_dir)):
        return shown
    return t("chooser_plain", name=shown)


class ProfileChooser(QDialog):
    """`chosen` holds the profile name once accepted (`is_new` if the officer made it here)."""

    def __init__(self, names: list[str], current: str, data_dir: str | Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("profile_chooser")
        self.setWindowTitle(t("chooser_title"))
        self.names = list(names)
        self.data_dir = data_dir
        self.chosen: str | None = None
        self.is_new = False
        intro = QLabel(t("chooser_intro"), self)
        intro.setWordWrap(True)
        self.model = QStringListModel([profile_label(n, data_dir) for n in self.names], self)
        self.view = QListView(self)
        self.view.setObjectName("chooser_list")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.view.activated.connect(lambda _index: self.open_selected())  # Enter
        row = self.names.index(current) if current in self.names else 0
        if self.names:
            self.view.setCurrentIndex(self.model.index(row))
        self.open_button = QPushButton(t("chooser_open"), self)
        self.open_button.setObjectName("chooser_open")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_selected)
        self.new_button = QPushButton(t("chooser_new"), self)
        self.new_button.setObjectName("chooser_new")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(self.new_profile)
        self.quit_button = QPushButton(t("chooser_quit"), self)
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        self.chosen = self.names[index.row()]
        self.accept()

    def ask_name(self, typed: str) -> tuple[str, bool]:
        """The new profile's name, asked in a small dialog with the program's own buttons."""
        ask = QInputDialog(self)
        ask.setObjectName("chooser_name_dialog")
        ask.setWindowTitle(t("chooser_new_title"))
        ask.setLabelText(t("chooser_new_prompt"))
        ask.setTextValue(typed)
        ask.setOkButtonText(t("ok"))
        ask.setCancelButtonText(t("cancel"))
        accepted = ask.exec() == QInputDialog.DialogCode.Accepted
        name = ask.textValue()
        ask.deleteLater()
        return name, accepted

    def new_profile(self) -> None:
        name = ""
        while True:  # a name that cannot be used is asked again, as typed, after saying why
            name, ok = self.ask_name(name)
            name = name.strip()
            if not ok or not name:
                return
            problem = name_problem(name, self.names)
            if problem is None:
                break
            dialogs.warn(self, t("chooser_new_title"), problem)
        self.chosen, self.is_new = name, True
        self.accept()


def name_problem(name: str, existing: list[str]) -> str | None:
    if not paths.PROFILE_NAME.match(name):  # a folder name on every system
        return t("chooser_bad_name", name=name)
    if name.casefold() in (n.casefold() for n in existing):  # Windows folders ignore case
        return t("chooser_name_taken", name=name)
    return None


def existing_profiles(data_dir: str | Path | None) -> list[str]:
    return profiles.profile_names(data_dir)
