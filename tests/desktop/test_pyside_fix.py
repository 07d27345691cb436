"""The guard against PySide6 6.12.0 dropping references to None, True and False (see
desktop/pyside_fix.py)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QLineEdit
{guard}
app = QApplication([])
line = QLineEdit()
line.textChanged.connect(lambda text: None)
for i in range(50_000):
    line.setText(str(i % 7))  # returns nothing; emits textChanged
    line.textChanged.emit("x")  # emit() returns a bool
    app.processEvents()
print("alive")
"""


def run(guard: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(guard=guard)], capture_output=True, text=True, timeout=120)


def test_a_long_session_survives_with_the_guard() -> None:
    done = run("from desktop.pyside_fix import keep_singletons_alive; keep_singletons_alive()")
    assert done.returncode == 0 and "alive" in done.stdout, done.stderr[-500:]


def test_the_guard_is_applied_only_when_needed() -> None:
    from desktop.pyside_fix import drops_references, keep_singletons_alive
    needed = sys.version_info < (3, 12) and drops_references()
    without = run("")
    if needed:  # this PySide6 has the bug: without the guard a long session aborts
        assert without.returncode != 0 and "Fatal Python error" in without.stderr
        assert keep_singletons_alive()
    else:
        assert without.returncode == 0
