"""Message boxes with the program's own button texts (Qt ships no Vietnamese), answerable
with the keyboard: Enter takes the default button, Escape the cancel button."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QMessageBox, QSizePolicy, QSpacerItem, QWidget

from desktop.text import t


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, details: str = "") -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setInformativeText(details)
        grid = box.layout()
        if isinstance(grid, QGridLayout):  # wide enough for lists of findings: fewer wrapped lines
            grid.addItem(QSpacerItem(560, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding),
                         grid.rowCount(), 0, 1, grid.columnCount())
    box.setObjectName("message_box")
    return box


def _run(box: QMessageBox, parent: QWidget | None) -> None:
    box.exec()
    if parent is not None and parent.window().isVisible():
        parent.window().activateWindow()  # back to the window the officer was typing in


def inform(parent: QWidget | None, title: str, text: str, details: str = "", error: bool = False) -> None:
    box = _box(parent, QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information, title, text, details)
    ok = box.addButton(t("ok"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    _run(box, parent)


def warn(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    box = _box(parent, QMessageBox.Icon.Warning, title, text, details)
    ok = box.addButton(t("ok"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    _run(box, parent)


def confirm(parent: QWidget | None, title: str, text: str, yes: str, no: str, details: str = "",
            default_yes: bool = False) -> bool:
    box = _box(parent, QMessageBox.Icon.Question, title, text, details)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button if default_yes else no_button)
    box.setEscapeButton(no_button)
    _run(box, parent)
    return box.clickedButton() is yes_button


def choose(parent: QWidget | None, title: str, text: str, buttons: list[str]) -> int:
    """Ask with several answers; returns the index of the button pressed (the last one on Esc)."""
    box = _box(parent, QMessageBox.Icon.Information, title, text)
    made = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in buttons]
    box.setDefaultButton(made[0])
    box.setEscapeButton(made[-1])
    _run(box, parent)
    clicked = box.clickedButton()
    return made.index(clicked) if clicked in made else len(buttons) - 1
