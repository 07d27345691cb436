"""The real program under a real X server, for tests that type with real key events (xdotool).

`python -m tests.desktop.x_driver OUT` starts the program as `labour-survey` does (profile on
$LABOUR_SURVEY_DATA, passphrase from $LABOUR_SURVEY_PASSPHRASE), prints "ready" once its
window has the keyboard, then answers requests: for each file OUT/<step>.request it writes
OUT/<step>.json (what the officer sees: the member table's rows as its view shows them, the
question that has the focus, the findings) and OUT/<step>.png (the screen, as grabbed from the
X server), then deletes the request. Nothing here types: the keys come from outside."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop import app
from desktop.field_widgets import FieldWidget
from desktop.main_window import MainWindow


def seen(window: MainWindow) -> dict[str, Any]:
    """What is on screen, read from the widgets the officer looks at."""
    editor = window.editor
    rows: list[str] = []
    if editor.sections:
        table = editor.section().panel.table
        model = table.model()
        rows = [str(model.data(model.index(r, 0)) or "") for r in range(table.verticalHeader().count())]
    focus = QApplication.focusWidget()
    field = row = None
    if isinstance(focus, QLineEdit) and isinstance(focus.parentWidget(), FieldWidget):
        fw = focus.parentWidget()
        field = fw.field.id
        s = editor._section_of(fw)
        row = s.current if s is not None else None
    panel = editor.findings_panel.list
    text = focus.text() if isinstance(focus, QLineEdit) else None
    return {"rows": rows, "focus": focus.objectName() if focus is not None else None, "field": field, "row": row,
            "text": text,
            "findings": [panel.item(i).text() for i in range(panel.count())],
            "page": "editor" if window.stack.currentWidget() is editor else "list"}


def answer(window: MainWindow, out: Path) -> None:
    for request in sorted(out.glob("*.request")):
        step = request.stem
        QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"{step}.png"))
        (out / f"{step}.json").write_text(json.dumps(seen(window), ensure_ascii=False), encoding="utf-8")
        request.unlink()


def main() -> int:
    out = Path(sys.argv[1])
    qapp = app.make_app()
    window = app.start(argparse.Namespace(data_dir=None, profile="default", lang=None, actor=None, command=None))
    assert window is not None
    window.resize(1366, 740)
    window.move(0, 0)
    window.activateWindow()
    while not window.isActiveWindow():
        qapp.processEvents()
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: answer(window, out))
    timer.start()
    QTimer.singleShot(0, lambda: print("ready", flush=True))
    QTimer.singleShot(120_000, QApplication.quit)  # never outlives a test that forgot it
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main())
