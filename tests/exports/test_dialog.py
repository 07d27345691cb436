"""The export window: pick formats, households and language; the files appear, read back.
(The passphrase, the archive and the keyboard: tests/desktop/test_export_dialog.py.)"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pyreadstat
import pytest
from PySide6.QtCore import Qt

from desktop.export_dialog import ExportDialog
from forms import i18n
from forms.store import Store


@pytest.fixture
def dialog(qtbot, filled_store: Store, monkeypatch: pytest.MonkeyPatch) -> ExportDialog:
    monkeypatch.setattr(i18n, "_language", ["vi"])
    d = ExportDialog(None, filled_store, filled_store.forms)
    qtbot.addWidget(d)
    return d


def test_plain_export_sav_and_csv_of_complete_households_in_english(qtbot, dialog: ExportDialog, filled_store: Store,
                                                                    tmp_path: Path) -> None:
    filled_store.complete(filled_store.list(limit=1)[0].uuid, actor="lan", accept_warnings=True)
    assert dialog.windowTitle() == "Xuất dữ liệu cho thống kê"
    dialog.formats["xlsx"].setChecked(False)
    dialog.formats["dta"].setChecked(False)
    for status in ("draft", "sent", "returned"):
        dialog.statuses[status].setChecked(False)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.folder.setText(str(tmp_path / "thống kê"))
    dialog.plain.setChecked(True)
    with qtbot.waitSignal(dialog.start().succeeded, timeout=60_000):
        pass
    out = tmp_path / "thống kê"
    assert sorted(p.name for p in out.iterdir()) == ["codebook.xlsx", "households.csv", "households.sav", "members.csv",
                                                     "members.sav"]
    data, meta = pyreadstat.read_sav(out / "households.sav", output_format="dict")
    assert len(data["household_uuid"]) == 1 and data["status"] == ["complete"]
    _, meta = pyreadstat.read_sav(out / "members.sav", output_format="dict", metadataonly=True)
    assert meta.variable_value_labels["sex"] == {1: "Male", 2: "Female"}
    text = dialog.outcome.text()
    assert text.startswith(f"Dữ liệu cá nhân (họ tên, ngày sinh, số CCCD) KHÔNG mã hóa, ở thư mục: {out}\n")
    assert "Đã xuất 1 hộ" in text and f"{out / 'households.sav'}: 1 dòng" in text
    assert dialog.export_button.isEnabled() and dialog.written_folder == out


def test_nothing_chosen_is_said_plainly(qtbot, dialog: ExportDialog) -> None:
    for box in dialog.formats.values():
        box.setChecked(False)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome.text() == "Chọn ít nhất một định dạng." and dialog.task is None

