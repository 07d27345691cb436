"""Driving the real widgets with the keyboard, as an officer does.

Keys go to whichever widget has the focus (QApplication.focusWidget()), so a test that types
into the wrong question fails. Vietnamese letters go as one QKeyEvent per character
(qtbot.keyClicks aborts on non-ASCII) or as an input method's commit (QInputMethodEvent)."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from desktop.field_widgets import FieldWidget


def focus() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None, "no widget has the keyboard focus"
    return w


def receiver() -> QWidget:
    """Where a key press goes: an open popup (a list of codes) first, as with a real keyboard."""
    return QApplication.activePopupWidget() or focus()


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(receiver(), key, modifiers)
    QApplication.processEvents()


def type_text(text: str) -> None:
    """Type text into the focused widget, one key per character."""
    for ch in text:
        target = receiver()
        if ch.isascii() and ch.isprintable():
            QTest.keyClick(target, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
    QApplication.processEvents()


def commit_text(text: str, preedit: str = "") -> None:
    """What a Vietnamese input method (Unikey, ibus-unikey, fcitx) sends: optionally a preedit
    (the word being composed), then the committed text."""
    target = focus()
    if preedit:
        QApplication.sendEvent(target, QInputMethodEvent(preedit, []))
    ev = QInputMethodEvent("", [])
    ev.setCommitString(text)
    QApplication.sendEvent(target, ev)
    QApplication.processEvents()


def select_all_and_type(text: str) -> None:
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if not text:
        press(Qt.Key.Key_Delete)
        return
    type_text(text)


def focused_field() -> FieldWidget | None:
    """The question whose line has the focus."""
    w = focus()
    parent = w.parentWidget()
    return parent if isinstance(w, QLineEdit) and isinstance(parent, FieldWidget) else None


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents()
        time.sleep(0.005)
    return True


def on_next_dialog(callback: Callable[[QWidget], Any], timeout: float = 5.0,
                   kind: type[QWidget] | None = None) -> list[QWidget]:
    """Run callback(dialog) when the next modal dialog (of class `kind`, if given: not the one
    still open while the next is being prepared) is shown (from inside its event loop).
    Returns a list that receives the dialog, to check that one was shown. If the callback
    fails, the dialog is closed (so the test fails instead of hanging) and the error re-raised
    by the Qt exception capture of pytest-qt."""
    seen: list[QWidget] = []
    deadline = time.monotonic() + timeout

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if w is not None and w.isVisible() and (kind is None or isinstance(w, kind)):
            seen.append(w)
            try:
                if not w.isActiveWindow():
                    w.activateWindow()
                    wait_for(w.isActiveWindow, 1.0)
                callback(w)
            finally:
                if w.isVisible() and isinstance(w, QDialog):
                    QTimer.singleShot(200, lambda: w.isVisible() and w.done(0))
            return
        if time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def key_on_dialog(key: Qt.Key) -> Callable[[QWidget], None]:
    def answer(dialog: QWidget) -> None:
        QTest.keyClick(dialog.focusWidget() or dialog, key)
    return answer


def paper_text(field: FieldWidget, value: Any) -> str:
    """How an answer is written on the paper form: dates as day/month/year, codes as codes,
    several codes separated by spaces."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if field.field.type in ("date", "partial_date") and len(value) == 10:
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    return str(value)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)
