"""Hand a PDF to the system: open it in the PDF viewer, or send it to the default printer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def open_pdf(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def send_to_printer(path: Path) -> bool:
    """Print with the system's default printer; False when this computer has no way to."""
    if sys.platform == "win32":
        os.startfile(str(path), "print")  # type: ignore[attr-defined]  # the PDF viewer's print verb
        return True
    command = shutil.which("lp") or shutil.which("lpr")
    if command is None:
        return False
    return subprocess.run([command, str(path)], capture_output=True, timeout=60).returncode == 0
