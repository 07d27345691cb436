"""A session that is killed: `python -m tests.desktop.kill_session` starts the program on
$LABOUR_SURVEY_DATA, keys the start of a household with the keyboard, prints "typed" while the
last answer is still being typed, and waits to be killed (SIGKILL, no clean exit)."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop import app
from tests.desktop.helpers import focused_field, press, type_text


def main() -> int:
    qapp = app.make_app()
    window = app.start(argparse.Namespace(data_dir=None, profile="default", lang=None, actor=None, command=None))
    assert window is not None
    while not window.isActiveWindow():
        qapp.processEvents()
    press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    while focused_field() is not None and focused_field().field.id != "village":
        press(Qt.Key.Key_Return)
    type_text("Thôn Yên Trường")
    press(Qt.Key.Key_Return)  # committed: saved at once
    type_text("HT-0099")  # typed, not committed: saved by the autosave after 300 ms
    QTest.qWait(600)
    type_text("77")  # the field being typed when the program is killed
    print("typed", flush=True)
    QTimer.singleShot(60_000, QApplication.quit)
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main())
