"""The export window protects the personal data: a passphrase typed twice (hidden, with a show
toggle) gives one encrypted archive whose place is said at the end with a button that opens
its folder; files in clear need an explicit checkbox and carry a warning; keyboard only works."""

from __future__ import annotations

import json
from pathlib import Path

import pyreadstat
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

import desktop.export_dialog as export_dialog
from desktop.export_dialog import ExportDialog
from forms.exchange import import_jsonl
from forms.exports import ExportError
from forms.exports import archive as encrypted
from forms.store import Store
from tests.desktop.test_language import english_left, english_texts, widget_texts
from tests.exports.conftest import survey_households
from tests.exports.test_archive import CITIZEN_ID, NAME, PASSPHRASE, assert_no_personal_data_in_clear, unpack


@pytest.fixture
def dialog(qtbot, store: Store, tmp_path: Path) -> ExportDialog:
    report = import_jsonl(store, [json.dumps(r, ensure_ascii=False) for r in survey_households()], actor="lan")
    assert report.added == 21
    d = ExportDialog(None, store, store.forms)
    qtbot.addWidget(d)
    d.folder.setText(str(tmp_path / "usb"))
    d.show()
    qtbot.waitExposed(d)
    return d


def test_passphrase_twice_gives_one_archive_named_at_the_end_with_open_folder(
        qtbot, dialog: ExportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(export_dialog, "open_folder", lambda path: opened.append(path) or True)
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.passphrase_again.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.plain.isChecked() and not dialog.plain_warning.isVisible()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClicks(dialog.passphrase_again, PASSPHRASE)
    with qtbot.waitSignal(dialog.start().succeeded, timeout=60_000):
        pass
    (archive,) = (tmp_path / "usb").iterdir()
    assert archive.suffix == ".7z"
    text = dialog.outcome.text()
    assert text.startswith(f"Dữ liệu cá nhân (họ tên, ngày sinh, số CCCD) đã ghi vào tệp mã hóa AES-256, cần mật khẩu "
                           f"để mở: {archive}\n")
    assert "members.sav: 113 dòng" in text and "Đã xuất 21 hộ" in text and "7-Zip" in text
    assert dialog.passphrase.text() == "" and dialog.passphrase_again.text() == ""  # not left for the next user
    # the focus (once the progress window is gone) is on it: Space or Enter opens the folder
    assert dialog.open_folder_button.isVisible() and dialog.focusWidget() is dialog.open_folder_button
    qtbot.keyClick(dialog.open_folder_button, Qt.Key.Key_Space)
    assert opened == [tmp_path / "usb"]

    assert_no_personal_data_in_clear(archive.read_bytes())
    with pytest.raises(ExportError):
        encrypted.read_archive(archive, PASSPHRASE.upper())
    out = unpack(archive, PASSPHRASE, tmp_path / "opened")
    data, meta = pyreadstat.read_sav(out / "members.sav", output_format="dict")
    assert NAME in data["full_name"] and CITIZEN_ID in data["citizen_id"]
    assert meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}


@pytest.mark.parametrize(("first", "second", "said"), [
    ("lan2026", "lan2026", "Mật khẩu cần ít nhất 10 ký tự. Nên dùng vài từ dễ nhớ, viết không dấu"),
    ("lúa chín vàng 2026", "lúa chín vàng 2026", "chữ không dấu"),
    (PASSPHRASE, PASSPHRASE + "!", "Hai lần nhập mật khẩu không giống nhau."),
])
def test_a_weak_or_mistyped_passphrase_is_refused_with_why(qtbot, dialog: ExportDialog, tmp_path: Path, first: str,
                                                           second: str, said: str) -> None:
    dialog.passphrase.setText(first)
    dialog.passphrase_again.setText(second)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert said in dialog.outcome.text() and dialog.task is None
    assert dialog.passphrase.hasFocus() and dialog.export_button.isEnabled()
    assert not (tmp_path / "usb").exists()


def test_files_in_clear_only_behind_the_checkbox_with_a_warning(qtbot, dialog: ExportDialog, tmp_path: Path) -> None:
    dialog.plain.setChecked(True)
    assert dialog.plain_warning.isVisible() and "dữ liệu cá nhân" in dialog.plain_warning.text()
    assert not dialog.passphrase.isEnabled() and not dialog.passphrase_again.isEnabled()
    for fmt in ("xlsx", "sav", "dta"):
        dialog.formats[fmt].setChecked(False)
    with qtbot.waitSignal(dialog.start().succeeded, timeout=60_000):
        pass
    folder = tmp_path / "usb"
    assert sorted(p.name for p in folder.iterdir()) == ["codebook.xlsx", "households.csv", "members.csv"]
    assert NAME.encode() in (folder / "members.csv").read_bytes()
    assert dialog.outcome.text().startswith(f"Dữ liệu cá nhân (họ tên, ngày sinh, số CCCD) KHÔNG mã hóa, ở thư mục: {folder}")
    assert dialog.open_folder_button.isVisible()
    dialog.plain.setChecked(False)
    assert not dialog.plain_warning.isVisible() and dialog.passphrase.isEnabled()


def test_keyboard_only_type_twice_show_and_export_with_enter(qtbot, dialog: ExportDialog, tmp_path: Path) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.passphrase.setFocus()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.passphrase_again
    qtbot.keyClicks(dialog.passphrase_again, PASSPHRASE)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.show_passphrase
    qtbot.keyClick(dialog.show_passphrase, Qt.Key.Key_Space)
    assert dialog.passphrase.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.passphrase_again.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.plain
    dialog.passphrase_again.setFocus()
    qtbot.keyClick(dialog.passphrase_again, Qt.Key.Key_Return)  # the default button: Export
    assert dialog.task is not None
    with qtbot.waitSignal(dialog.task.ended, timeout=60_000):
        pass
    (archive,) = (tmp_path / "usb").iterdir()
    assert set(encrypted.read_archive(archive, PASSPHRASE)) >= {"members.csv", "codebook.xlsx"}


def test_no_english_in_the_vietnamese_window(qtbot, dialog: ExportDialog, store: Store) -> None:
    english = english_texts(store)
    assert english_left(widget_texts(dialog), english) == []
    dialog.plain.setChecked(True)
    assert english_left(widget_texts(dialog), english) == []
