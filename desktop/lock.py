"""The screen lock: after some minutes without keyboard or mouse, or on request, every window
of the program is covered and the profile's passphrase is asked again.

- `before_lock` runs first (the main window passes the editor's flush): what was being typed is
  saved as a draft, so a laptop that dies while locked loses nothing. The widgets themselves
  stay as they are, with the text being typed and the focus, for after the unlock.
- While locked an event filter on the QApplication drops every keyboard and mouse event that
  is not for the lock dialog: a shortcut (Ctrl+N, Ctrl+P) cannot act behind the cover.
- A window that appears while locked (an error message, a sync result) is covered too, and the
  lock dialog is put back on top of it.
- Idle time counts while the laptop sleeps: a lid closed for an hour is an hour without use.

The data key stays in memory while locked (the connection stays open, sync goes on): the lock
protects against someone at the keyboard, not against one who can read the memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QWindow
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.text import profile_shown
from desktop.unlock_dialog import PassphrasePanel
from forms.i18n import tr

DEFAULT_MINUTES = 10.0
LOCK_SHORTCUT = "Ctrl+Shift+L"  # Ctrl+L is "back to the list" in the main window
_LOCK_KEY = QKeySequence(LOCK_SHORTCUT)[0]
_E = QEvent.Type
ACTIVITY = {_E.KeyPress, _E.MouseButtonPress, _E.MouseMove, _E.Wheel, _E.TouchBegin, _E.InputMethod, _E.TabletPress}
BLOCKED = {_E.KeyPress, _E.KeyRelease, _E.ShortcutOverride, _E.Shortcut, _E.MouseButtonPress, _E.MouseButtonRelease,
           _E.MouseButtonDblClick, _E.MouseMove, _E.Wheel, _E.ContextMenu, _E.InputMethod, _E.DragEnter, _E.DragMove,
           _E.Drop, _E.TouchBegin, _E.TouchUpdate, _E.TouchEnd, _E.TabletPress, _E.TabletMove, _E.ToolTip,
           _E.WhatsThis}
Clock = Callable[[], float]


def idle_clock() -> float:
    """Seconds that go on counting while the laptop sleeps (Linux: CLOCK_BOOTTIME)."""
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


class _Cover(QWidget):
    """An opaque sheet over a whole window, on top of all its children."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("lock_cover")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation, True)
        label = QLabel(tr("security_locked_cover"), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("font-size: 20pt; color: #5f6368;")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.fit()
        self.show()
        self.raise_()

    def fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            self.raise_()


class LockDialog(QDialog):
    """The passphrase asked again; it cannot be closed, only unlocked (or the program quit)."""

    quit_requested = Signal()

    def __init__(self, db_path: Path, profile_name: str, parent: QWidget | None = None, clock: Clock = time.time):
        super().__init__(parent)
        self.setObjectName("lock_dialog")
        self.setWindowTitle(tr("security_locked_title", profile=profile_shown(profile_name)))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.panel = PassphrasePanel(db_path, profile_name, tr("security_locked_intro", profile=profile_shown(profile_name)), self,
                                     clock)
        self.quit_button = QPushButton(tr("security_cancel_button"), self)
        self.quit_button.setObjectName("lock_quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.quit_requested.emit)
        self.panel.buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.setMinimumWidth(560)
        self.closable = False

    def reject(self) -> None:  # Escape
        if self.closable:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closable:
            super().closeEvent(event)
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self.closable:
            return
        super().keyPressEvent(event)


class ScreenLock(QObject):
    """Locks `window` (and every other window of the program) after `minutes` idle or on lock()."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QWidget, db_path: Path, profile_name: str, *, minutes: float = DEFAULT_MINUTES,
                 before_lock: Callable[[], object] | None = None, clock: Clock = idle_clock,
                 wall_clock: Clock = time.time, parent: QObject | None = None):
        """`before_lock`: saves what is being typed; returning False (not saved) keeps the officer
        from quitting at the lock. `clock`: idle time; `wall_clock`: also the passphrase's waits."""
        super().__init__(parent or window)
        self.window, self.db_path, self.profile_name = window, db_path, profile_name
        self.minutes, self.before_lock = minutes, before_lock
        self.clock, self.wall_clock = clock, wall_clock
        self.dialog: LockDialog | None = None
        self._covers: dict[QWidget, _Cover] = {}
        self._focus: QWidget | None = None
        self._last, self._last_wall = clock(), wall_clock()
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._timer.start()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def idle_seconds(self) -> float:
        # The wall clock as well: where the monotonic clock stops during sleep (Windows, macOS).
        return max(self.clock() - self._last, self.wall_clock() - self._last_wall, 0.0)

    def check(self) -> None:
        if not self.is_locked and self.minutes > 0 and self.idle_seconds() >= self.minutes * 60:
            self.lock()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- locking ---------------------------------------------------------------------------
    def lock(self) -> None:
        if self.is_locked:
            return
        saved = True
        if self.before_lock is not None:
            try:
                saved = self.before_lock() is not False
            except Exception as exc:  # a failed save must not keep the data on screen
                from desktop import errors

                saved = False
                errors.report(exc)
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()  # an open list of codes would stay above the cover
        focus = QApplication.focusWidget()
        self._focus = focus
        self.dialog = LockDialog(self.db_path, self.profile_name, self.window, self.wall_clock)
        self.dialog.panel.unlocked.connect(self._unlocked)
        self.dialog.quit_requested.connect(self._quit)
        # Quitting would drop what could not be saved: then only the passphrase gets back to it.
        self.dialog.quit_button.setEnabled(saved)
        for w in QApplication.topLevelWidgets():
            self._cover(w)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.panel.focus()
        self.locked.emit()

    def _cover(self, w: QWidget) -> None:
        if (not w.isWindow() or not w.isVisible() or w in self._covers or isinstance(w, _Cover)
                or (self.dialog is not None and (w is self.dialog or self.dialog.isAncestorOf(w)))
                or w.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)):
            return
        self._covers[w] = _Cover(w)

    def _unlocked(self, _key: bytes) -> None:
        for cover in self._covers.values():
            if shiboken6.isValid(cover):
                cover.hide()
                cover.deleteLater()
        self._covers.clear()
        if self.dialog is not None:
            self.dialog.closable = True
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self._last, self._last_wall = self.clock(), self.wall_clock()
        focus, self._focus = self._focus, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.window().activateWindow()
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.unlocked.emit()

    def _quit(self) -> None:
        """Quit without unlocking (another officer's turn); what was typed is saved already.
        Still locked while the window closes: a question it asks stays under the cover."""
        self.window.close()
        if self.window.isVisible():
            return
        self.stop()
        if self.dialog is not None:
            self.dialog.closable = True
            self.dialog.close()
            self.dialog = None
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                w.close()

    def _inside_dialog(self, obj: QObject) -> bool:
        d = self.dialog
        if d is None:
            return False
        if isinstance(obj, QWidget):
            return obj is d or d.isAncestorOf(obj)
        if isinstance(obj, QWindow):
            return obj is d.windowHandle()
        return False

    # -- events ----------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.dialog is None:
            if kind in ACTIVITY:
                self._last, self._last_wall = self.clock(), self.wall_clock()
            # The main window's shortcut does not reach past a dialog open above it (an
            # export, a message): the lock key is caught here for every window of the program.
            if kind == _E.KeyPress and isinstance(event, QKeyEvent) and event.keyCombination() == _LOCK_KEY:
                QTimer.singleShot(0, self.lock)  # after this key's delivery, not inside it
                return True
            return False
        if kind in BLOCKED:
            return not self._inside_dialog(obj)
        if kind == _E.Resize and isinstance(obj, QWidget) and obj in self._covers:
            self._covers[obj].fit()
        elif kind == _E.ChildAdded and isinstance(obj, QWidget) and obj in self._covers:
            QTimer.singleShot(0, self._covers[obj].fit)  # a child added later must stay under the cover
        elif kind == _E.Show and isinstance(obj, QWidget) and obj.isWindow() and not self._inside_dialog(obj):
            QTimer.singleShot(0, lambda w=obj: self._covered_window_shown(w))
        return False

    def _covered_window_shown(self, w: QWidget) -> None:
        if self.dialog is None or not shiboken6.isValid(w):
            return
        self._cover(w)
        if w.isModal():  # a modal window above the lock dialog would take the keyboard from it
            self.dialog.hide()
            self.dialog.show()
            self.dialog.raise_()
            self.dialog.activateWindow()
            self.dialog.panel.focus()
