"""The screen lock, on its own and over the real household editor: it locks after the idle
minutes (sleep counted) or on request, saves what was being typed first, covers every window,
lets no key or shortcut through, and gives everything back as it was after the passphrase."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QMessageBox

from desktop.household_editor import HouseholdEditor
from desktop.lock import LockDialog, ScreenLock, _Cover
from desktop.settings import Profile
from forms import profiles
from forms.store import Store
from tests.desktop.helpers import press, type_text
from tests.security.helpers import FAST, PASSPHRASE


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Window(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.line = QLineEdit(self)
        self.line.setObjectName("answer")
        self.setCentralWidget(self.line)
        self.new_household = QAction("New household", self)
        self.new_household.setShortcut(QKeySequence("Ctrl+N"))
        self.addAction(self.new_household)
        self.triggered = 0
        self.new_household.triggered.connect(self._count)
        self.resize(800, 500)

    def _count(self) -> None:
        self.triggered += 1


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "lan" / "households.sqlite"
    profiles.create(path, PASSPHRASE, kdf=FAST)
    return path


@pytest.fixture
def window(qtbot) -> Window:
    w = Window()
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.line.setFocus()
    return w


def make_lock(window: Window, db: Path, **kw) -> tuple[ScreenLock, Clock, Clock, list[str]]:
    idle, wall, saved = Clock(), Clock(), []
    lock = ScreenLock(window, db, "lan", clock=idle, wall_clock=wall, before_lock=lambda: saved.append("saved"), **kw)
    return lock, idle, wall, saved


def unlock_with(qtbot, lock: ScreenLock, passphrase: str) -> None:
    assert lock.dialog is not None
    qtbot.waitUntil(lock.dialog.isActiveWindow)
    assert QApplication.focusWidget() is lock.dialog.panel.passphrase
    type_text(passphrase)
    press(Qt.Key.Key_Return)


def covered(w) -> bool:
    """A cover over the whole window, on top of whatever is in its middle."""
    covers = [c for c in w.findChildren(_Cover) if c.isVisible()]
    if not covers or covers[0].geometry() != w.rect():
        return False
    top = w.childAt(w.rect().center())
    return top is covers[0] or covers[0].isAncestorOf(top)


def test_it_locks_after_the_idle_minutes_and_activity_puts_it_off(qtbot, window: Window, db: Path) -> None:
    lock, idle, _wall, saved = make_lock(window, db, minutes=10)
    idle.now += 9 * 60
    lock.check()
    assert not lock.is_locked
    QTest.keyClick(window.line, Qt.Key.Key_A)  # the officer types: the ten minutes start again
    idle.now += 9 * 60
    lock.check()
    assert not lock.is_locked
    idle.now += 60
    lock.check()
    assert lock.is_locked and saved == ["saved"]
    assert covered(window) and isinstance(QApplication.activeModalWidget(), LockDialog)
    lock.stop()


def test_a_laptop_asleep_counts_as_idle(qtbot, window: Window, db: Path) -> None:
    """Where the monotonic clock stops while asleep, the wall clock still moved."""
    lock, _idle, wall, _saved = make_lock(window, db, minutes=10)
    wall.now += 3600
    lock.check()
    assert lock.is_locked
    lock.stop()


def test_nothing_gets_through_while_locked_and_all_comes_back_after(qtbot, window: Window, db: Path) -> None:
    lock, _idle, wall, saved = make_lock(window, db)
    type_text("Đặng Văn")
    assert window.line.text() == "Đặng Văn"
    lock.lock()
    assert saved == ["saved"] and lock.is_locked
    QTest.keyClicks(window.line, "xyz")
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QTest.mouseClick(window.line, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.line.text() == "Đặng Văn" and window.triggered == 0
    unlock_with(qtbot, lock, "wrong passphrase here")
    assert lock.is_locked and lock.dialog.panel.problem.text() == "Wrong passphrase."
    assert "Wait 1 second(s)" in lock.dialog.panel.waiting.text()
    wall.now += 1  # the wait is over
    qtbot.waitUntil(lock.dialog.panel.open_button.isEnabled, timeout=2000)
    unlock_with(qtbot, lock, PASSPHRASE)
    assert not lock.is_locked and not covered(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.line)
    type_text(" Hùng")
    assert window.line.text() == "Đặng Văn Hùng", "the typing goes on where it was"
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.triggered == 1, "the same shortcut works again: the test above could have seen it"
    lock.stop()


def test_escape_does_not_close_the_lock(qtbot, window: Window, db: Path) -> None:
    lock, *_ = make_lock(window, db)
    lock.lock()
    qtbot.waitUntil(lock.dialog.isActiveWindow)
    press(Qt.Key.Key_Escape)
    lock.dialog.close()
    assert lock.is_locked and lock.dialog.isVisible() and covered(window)
    lock.stop()


def test_a_window_that_opens_while_locked_is_covered_too(qtbot, window: Window, db: Path) -> None:
    lock, *_ = make_lock(window, db)
    lock.lock()
    box = QMessageBox(QMessageBox.Icon.Information, "Sync", "HT-0001 Đặng Văn Hùng was returned", parent=window)
    qtbot.addWidget(box)
    box.open()  # a modal message from the program, e.g. at the end of a sync
    qtbot.waitUntil(lambda: covered(box))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is lock.dialog)
    unlock_with(qtbot, lock, PASSPHRASE)
    assert not lock.is_locked and not covered(box) and box.isVisible()
    box.close()
    lock.stop()


def test_the_lock_timer_runs_by_itself(qtbot, window: Window, db: Path) -> None:
    lock = ScreenLock(window, db, "lan", minutes=0.002)  # 0.12 s
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)
    lock.stop()


def test_quit_from_the_lock_closes_the_program_without_showing_the_data(qtbot, window: Window, db: Path) -> None:
    lock, *_ = make_lock(window, db)
    lock.lock()
    dialog = lock.dialog
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible() and not dialog.isVisible()


def test_no_quit_when_what_was_typed_could_not_be_saved(qtbot, window: Window, db: Path) -> None:
    lock = ScreenLock(window, db, "lan", before_lock=lambda: False)
    lock.lock()
    assert not lock.dialog.quit_button.isEnabled()
    lock.stop()


def test_the_editor_saves_the_answer_being_typed_before_locking(qtbot, db: Path, forms_registry) -> None:
    profile = Profile(officer_name="Nguyễn Thị Lan", province="38", commune="14797", villages=["Thôn Yên Trường"],
                      language="en")
    store = Store(db, forms_registry)
    editor = HouseholdEditor(store, actor="lan", profile=profile)
    qtbot.addWidget(editor)
    editor.resize(1300, 850)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.new_household()
    editor.household_form.widget("address").line.setFocus()
    type_text("12 Lê Lợi")
    assert editor.dirty, "typed, not yet saved (the question was not left, the autosave has not run)"
    lock = ScreenLock(editor, db, "lan", before_lock=editor.flush)
    lock.lock()
    assert not editor.dirty
    with Store(db, forms_registry) as other:  # what is on disk, through another connection
        assert other.get(editor.uuid).record["household"]["address"] == "12 Lê Lợi"
    unlock_with(qtbot, lock, PASSPHRASE)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.household_form.widget("address").line)
    type_text(", Hạc Thành")
    assert editor.record["household"]["address"] == "12 Lê Lợi, Hạc Thành"
    lock.stop()
    editor.close()  # leaving the question saves it: before the store closes
    editor.flush()
    store.close()
