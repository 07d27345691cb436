"""Small things an officer met keying (issue 14): a progress dialog over the "PDF created"
message, squashed passphrase fields, an example passphrase the program refuses, "hồ sơ
default", and commune search that missed communes named with the same words."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from desktop import dialogs
from desktop.field_widgets import CodeWidget, make_widget
from desktop.unlock_dialog import ChoosePassphraseDialog, UnlockDialog
from desktop.worker import run_task
from forms import profiles
from forms.definition import load_definition
from forms.registry import FormRegistry
from forms.text import fold
from tests.desktop.conftest import create_profile
from tests.desktop.helpers import on_next_dialog, press, type_text


def activate(qtbot, w: QWidget) -> None:
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)


def visible_progress() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_the_progress_dialog_is_gone_when_the_result_is_shown(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    release = threading.Event()

    def work(state) -> str:
        state.progress(0, 2)
        release.wait(20)  # long enough for the progress dialog to show
        return "/tmp/phieu-trang.pdf"

    task = run_task(window, "Đang tạo tệp PDF", work)
    qtbot.waitUntil(lambda: bool(visible_progress()), timeout=5000)
    over_the_message: list[list[QWidget]] = []
    task.succeeded.connect(lambda path: dialogs.inform(window, "PDF", f"Đã tạo tệp PDF: {path}"))
    seen = on_next_dialog(lambda box: over_the_message.append(visible_progress()), kind=dialogs.QMessageBox)
    release.set()
    qtbot.waitUntil(lambda: bool(seen) and not task.running and not seen[0].isVisible(), timeout=10000)
    assert over_the_message == [[]]
    qtbot.waitUntil(lambda: not window.findChildren(QProgressDialog), timeout=5000)  # and deleted after


def test_the_passphrase_fields_keep_their_height_when_an_error_shows(qtbot, tmp_path: Path) -> None:
    dialog = ChoosePassphraseDialog(tmp_path / "p.sqlite", "lan", encrypt=True)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    heights = (dialog.first.height(), dialog.second.height())
    dialog.first.setFocus()
    type_text("ngắn")
    press(Qt.Key.Key_Return)
    type_text("khác")
    press(Qt.Key.Key_Return)  # refused, for two reasons: two red lines appear under the fields
    QApplication.processEvents()
    assert dialog.problem.isVisible() and dialog.problem.text()
    assert (dialog.first.height(), dialog.second.height()) == heights
    assert dialog.first.height() >= dialog.first.sizeHint().height()


def shown_example(text: str) -> str:
    found = re.findall(r"[\"“]([^\"”]+)[\"”]", text)
    assert found, f"no example in {text!r}"
    return found[0]


def test_the_example_passphrase_shown_is_one_the_dialog_accepts(qtbot, tmp_path: Path) -> None:
    dialog = ChoosePassphraseDialog(tmp_path / "p.sqlite", "lan", encrypt=True)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    dialog.first.setFocus()
    type_text("lúa chín")
    press(Qt.Key.Key_Return)
    type_text("lúa chín")
    press(Qt.Key.Key_Return)
    example = shown_example(dialog.problem.text())
    assert profiles.passphrase_problems(example) == []
    dialog.first.setText(example)
    dialog.second.setText(example)
    assert dialog.problems() == []  # the dialog's own rule


def test_the_default_profile_is_named_in_vietnamese(qtbot, data_dir, forms_registry: FormRegistry) -> None:
    db = create_profile("default", forms_registry)
    dialog = UnlockDialog(db, "default")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Mở hồ sơ mặc định"
    assert "hồ sơ mặc định" in dialog.panel.intro.text() and "default" not in dialog.panel.intro.text()


def test_commune_search_finds_every_commune_named_with_the_words_typed(qtbot) -> None:
    definition = load_definition()
    widget = make_widget(definition, definition.by_id["commune_code"])
    assert isinstance(widget, CodeWidget)
    qtbot.addWidget(widget)
    activate(qtbot, widget)
    widget.line.setFocus()
    communes = definition.choices(definition.by_id["commune_code"])  # the real national list
    wanted = {c.code for c in communes.items if {"dong", "son"} <= set(fold(c.label.vi).split())}
    assert len(wanted) >= 10
    for typed in ("dong son", "Đông Sơn", "son  dong"):
        widget.line.clear()
        type_text(typed)
        shown = {widget.model.item(r).data(Qt.ItemDataRole.UserRole + 1) for r in range(widget.model.rowCount())}
        assert wanted <= shown, (typed, sorted(wanted - shown))
