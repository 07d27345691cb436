"""Enrolling the laptop through the dialog, against a real provincial server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.enroll_dialog import EnrollDialog, normalized_url
from desktop.main_window import MainWindow
from forms.store import Store
from tests.desktop.helpers import type_text
from tests.sync.conftest import Server

WAIT = 30_000


@pytest.fixture
def sync_server(tmp_path: Path) -> Iterator[Server]:
    s = Server(f"sqlite:///{tmp_path / 'server' / 'province.sqlite'}", tmp_path)
    s.start()
    yield s
    s.stop()


def fill(qtbot, dialog: EnrollDialog, server: str, code: str, ca: str = "") -> None:
    """Type into the dialog as the officer does (keys go to the focused line)."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    for line, text in ((dialog.server, server), (dialog.code, code), (dialog.ca_file, ca)):
        line.setFocus()
        qtbot.waitUntil(line.hasFocus)
        line.selectAll()
        line.del_()
        type_text(text)
    qtbot.mouseClick(dialog.enroll_button, Qt.MouseButton.LeftButton)


def settled(qtbot, dialog: EnrollDialog) -> str:
    qtbot.waitUntil(lambda: dialog.task is None or not dialog.task.running, timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.enroll_button.isHidden() or dialog.code.isEnabled(), timeout=WAIT)
    return dialog.message.text()


def test_enroll_through_the_dialog(qtbot, start_window, desk_store: Store, sync_server: Server, tmp_path: Path) -> None:
    window: MainWindow = start_window()
    window.auto_sync.stop()
    panel = window.sync_panel
    qtbot.waitUntil(lambda: panel.overview is not None, timeout=WAIT)
    window.show_sync_panel()
    assert panel.server.text().startswith("Chưa đăng ký") and panel.enroll_button.isVisible()
    assert not panel.sync_button.isVisible()
    assert window.sync_indicator.button.text() == "Đồng bộ: chưa đăng ký"

    assert window.sync_now() is None  # F9 before enrolling: the enrollment dialog instead
    dialog = window.enroll_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.device.text()  # the computer's name, to be changed if the officer likes

    fill(qtbot, dialog, "", "")
    assert dialog.message.text() == "Hãy nhập địa chỉ máy chủ.\nHãy nhập mã đăng ký."
    fill(qtbot, dialog, sync_server.url, "AAAAA-BBBBB", ca=str(tmp_path / "nowhere.pem"))
    assert dialog.message.text() == f"Không tìm thấy tệp chứng chỉ: {tmp_path / 'nowhere.pem'}"
    fill(qtbot, dialog, sync_server.url, "AAAAA-BBBBB")
    assert settled(qtbot, dialog) == "Chưa đăng ký được. Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới."
    assert desk_store.get_setting("sync.server_url") is None

    code = sync_server.add_officer("lan", "14797,14758")
    fill(qtbot, dialog, sync_server.url + "/", code)
    text = settled(qtbot, dialog)
    assert text == ("Đã đăng ký máy này cho cán bộ lan.\n"
                    "Xã được giao: 14758 Phường Hàm Rồng, 14797 Phường Hạc Thành"), text
    assert dialog.enroll_button.isHidden()
    assert desk_store.get_setting("sync.server_url") == sync_server.url and desk_store.get_setting("sync.token")
    qtbot.waitUntil(lambda: panel.overview is not None and panel.overview.enrolled, timeout=WAIT)
    assert panel.server.text() == sync_server.url and panel.sync_button.isEnabled()
    assert panel.account.text() == "lan — 14758 Phường Hàm Rồng, 14797 Phường Hạc Thành"
    assert not panel.enroll_button.isVisible()
    qtbot.waitUntil(lambda: window.auto_sync.reachable is True, timeout=WAIT)  # asked at once after enrolling
    assert "Có mạng · chờ gửi 0" in window.sync_indicator.button.text()
    dialog.reject()


def test_the_same_code_twice_is_refused_in_plain_words(qtbot, start_window, desk_store: Store,
                                                       sync_server: Server) -> None:
    code = sync_server.add_officer("lan")
    window: MainWindow = start_window()
    window.auto_sync.stop()
    dialog = window.enroll()
    fill(qtbot, dialog, sync_server.url, code.lower())  # typed in lower case: fine
    assert settled(qtbot, dialog).startswith("Đã đăng ký máy này cho cán bộ lan.")
    dialog.reject()
    qtbot.waitUntil(lambda: window.sync_panel.overview is not None and window.sync_panel.overview.enrolled,
                    timeout=WAIT)
    again = window.enroll()  # e.g. to move to another server: says what it replaces
    assert sync_server.url in again.intro.text() and again.server.text() == sync_server.url
    fill(qtbot, again, sync_server.url, code)
    assert settled(qtbot, again).startswith("Chưa đăng ký được. Mã đăng ký không đúng, đã dùng")
    again.reject()


def test_an_address_without_a_scheme_is_https() -> None:
    assert normalized_url(" laodong.thanhhoa.gov.vn/ ") == "https://laodong.thanhhoa.gov.vn"
    assert normalized_url("http://10.0.0.5:8470") == "http://10.0.0.5:8470"
