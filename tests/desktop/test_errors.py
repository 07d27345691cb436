"""Errors an officer can act on are plain messages saying what to do; programming errors are
logged to a file in the data folder, shown with the file's path."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt

from desktop import app as desktop_app
from desktop.errors import ErrorReporter
from desktop.household_editor import HouseholdEditor
from forms import paths
from forms.store import Store, cipher, keys
from tests import factories as fx
from tests.desktop.helpers import key_on_dialog, on_next_dialog, press, select_all_and_type


def test_a_locked_database_is_a_plain_message_and_the_answer_is_saved_once_free(qtbot, editor: HouseholdEditor,
                                                                                   desk_store: Store) -> None:
    uuid = desk_store.save(fx.household(), actor="lan").household.uuid
    editor.open_household(uuid)
    desk_store.conn.execute("PRAGMA busy_timeout = 200")  # do not wait 5 s for the lock in a test
    other = cipher.connect(desk_store.path, keys.unlocked_key(desk_store.path))
    other.execute("BEGIN EXCLUSIVE")  # another program holds the file
    texts: list[str] = []
    shown = on_next_dialog(lambda d: (texts.append(d.text()), key_on_dialog(Qt.Key.Key_Return)(d)))
    address = editor.household_form.widget("address")
    address.line.setFocus()
    select_all_and_type("99 Trần Phú")
    press(Qt.Key.Key_Return)
    assert shown, "the officer was told"
    assert "đang bị một chương trình khác giữ" in texts[0] and "rồi thử lại" in texts[0]
    assert editor.save_state.text() == "Chưa lưu được!" and "Chưa lưu được:" in editor.banner.text()
    assert editor.record["household"]["address"] == "99 Trần Phú"  # kept on screen
    assert editor.new_household() is False and editor.uuid == uuid  # not dropped for another household
    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: desk_store.get(uuid).record["household"]["address"] == "99 Trần Phú", timeout=7000)
    assert editor.save_error == "" and editor.banner.isHidden()


def test_a_newer_database_is_refused_with_what_to_do(qtbot, data_dir: Path) -> None:
    path = paths.store_path("default")
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    texts: list[str] = []
    on_next_dialog(lambda d: (texts.append(d.text()), key_on_dialog(Qt.Key.Key_Return)(d)))
    window = desktop_app.start(argparse.Namespace(data_dir=None, profile="default", lang=None, actor=None, command=None))
    assert window is None
    assert "phiên bản mới hơn" in texts[0] and "Hãy cài phiên bản mới hơn" in texts[0]


def test_a_programming_error_is_logged_and_its_file_shown(qtbot, data_dir: Path) -> None:
    log = data_dir / "logs" / "desktop-errors.log"
    reporter = ErrorReporter(log)
    texts: list[str] = []
    on_next_dialog(lambda d: (texts.append(d.text()), key_on_dialog(Qt.Key.Key_Return)(d)))
    try:
        {}["missing"]
    except KeyError as exc:
        reporter.hook(type(exc), exc, exc.__traceback__)
    logged = log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "KeyError" in logged and "test_errors.py" in logged  # what and where
    assert "'missing'" not in logged  # never the message: it may quote an answer
    assert str(log) in texts[0] and "lỗi ngoài dự kiến" in texts[0]


def test_the_launcher_opens_the_window_without_a_subcommand(monkeypatch) -> None:
    import desktop.app
    from desktop import launcher
    called = []
    monkeypatch.setattr(desktop.app, "run", lambda args: called.append(args) or 0)
    assert launcher.main(["--profile", "lan", "--lang", "en"]) == 0
    assert called[0].profile == "lan" and called[0].lang == "en" and called[0].command is None


def test_the_command_line_never_imports_qt() -> None:
    import subprocess
    import sys
    code = ("import sys; from desktop import launcher; launcher.main(['forms', 'list']); "
            "print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_qt_warnings_fail_every_desktop_test(request) -> None:
    marker = request.node.get_closest_marker("qt_log_level_fail")
    assert marker is not None and marker.args == ("WARNING",)
