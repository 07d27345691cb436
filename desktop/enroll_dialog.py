"""Enrolling this laptop with the provincial server: its address, the one-time code from the
district or province, the province's CA certificate if its server uses its own, and a name
for this laptop. The exchange runs in a worker (a slow link never freezes the window); the
officer sees whose laptop it now is and which communes, or why it did not work."""

from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import errors, tasks
from desktop.sync_panel import ERROR_COLOR, OK_COLOR, error_text
from desktop.text import t
from desktop.worker import Task
from forms.registry import FormRegistry


def normalized_url(text: str) -> str:
    """What the officer typed, as an address: https:// unless another scheme is given."""
    url = text.strip().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    return url


class EnrollDialog(QDialog):
    """Closing it while the server is asked is allowed: the answer is still kept, and
    `enrolled` still tells the window."""

    enrolled = Signal(object)  # tasks.Enrolled

    def __init__(self, path: Path, current_server: str | None = None, forms: FormRegistry | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("enroll_dialog")
        self.path, self.forms = path, forms
        self.current_server = current_server
        self.task: Task | None = None
        self.answer: tasks.Enrolled | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.server = QLineEdit(current_server or "", self)
        self.server.setObjectName("enroll_server")
        self.code = QLineEdit(self)
        self.code.setObjectName("enroll_code")
        self.ca_file = QLineEdit(self)
        self.ca_file.setObjectName("enroll_ca_file")
        self.browse = QPushButton(self)
        self.browse.setObjectName("enroll_browse")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._choose_ca)
        self.device = QLineEdit(socket.gethostname(), self)
        self.device.setObjectName("enroll_device")
        self.message = QLabel(self)
        self.message.setObjectName("enroll_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.enroll_button = QPushButton(self)
        self.enroll_button.setObjectName("enroll_ok")
        self.enroll_button.setDefault(True)
        self.enroll_button.clicked.connect(self.start)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("enroll_close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.browse)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.labels = {key: QLabel(self) for key in ("server", "code", "ca", "device")}
        self.form.addRow(self.labels["server"], self.server)
        self.form.addRow(self.labels["code"], self.code)
        self.form.addRow(self.labels["ca"], ca_row)
        self.form.addRow(self.labels["device"], self.device)
        for key, w in (("server", self.server), ("code", self.code), ("ca", self.ca_file), ("device", self.device)):
            self.labels[key].setBuddy(w)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)
        self.retranslate()
        (self.code if current_server else self.server).setFocus()

    # -- enrolling -------------------------------------------------------------------------
    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, t("enroll_ca"), self.ca_file.text() or str(Path.home()),
                                                    t("enroll_ca_filter"))
        if path:
            self.ca_file.setText(path)

    def problems(self) -> list[str]:
        out = []
        if not self.server.text().strip():
            out.append(t("enroll_need_server"))
        if not self.code.text().strip():
            out.append(t("enroll_need_code"))
        ca = self.ca_file.text().strip()
        if ca and not Path(ca).is_file():
            out.append(t("enroll_ca_missing", path=ca))
        return out

    def start(self) -> Task | None:
        """Enroll in a worker; None if what was typed is not enough (the dialog says why)."""
        if self.task is not None and self.task.running:
            return None
        problems = self.problems()
        if problems:
            self._say("\n".join(problems), ERROR_COLOR)
            return None
        url = normalized_url(self.server.text())
        self.server.setText(url)
        device = self.device.text().strip() or socket.gethostname()
        task = Task(tasks.enroll, self.path, url, self.code.text().strip(), device, self.ca_file.text().strip() or None,
                    self.forms)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.ended.connect(self._ended)
        self._set_busy(True)
        self._say(t("enroll_working"), "#5f6368")
        self.task = task.start()
        return task

    def _set_busy(self, busy: bool) -> None:
        for w in (self.server, self.code, self.ca_file, self.browse, self.device, self.enroll_button):
            w.setEnabled(not busy)

    def _succeeded(self, result: tasks.Enrolled) -> None:
        self.answer = result
        self.current_server = self.server.text()
        self._say(t("enroll_done", officer=result.officer, communes=", ".join(result.communes) or "-"), OK_COLOR)
        self.code.clear()
        self.enroll_button.hide()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.enrolled.emit(result)

    def _failed(self, exc: BaseException) -> None:
        text = error_text(exc, enrolling=True)
        if not text:
            errors.report(exc)
            return
        self._say(t("enroll_failed", error=text), ERROR_COLOR)
        self.code.setFocus()
        self.code.selectAll()

    def _ended(self) -> None:
        self._set_busy(False)

    def _say(self, text: str, color: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {color};")
        self.message.show()

    def retranslate(self) -> None:
        self.setWindowTitle(t("enroll_title"))
        intro = t("enroll_intro")
        if self.current_server:
            intro += "\n" + t("enroll_replaces", server=self.current_server)
        self.intro.setText(intro)
        for key, text in (("server", t("enroll_server")), ("code", t("enroll_code")), ("ca", t("enroll_ca")),
                          ("device", t("enroll_device"))):
            self.labels[key].setText(text)
        self.server.setPlaceholderText(t("enroll_server_hint"))
        self.code.setPlaceholderText(t("enroll_code_hint"))
        self.ca_file.setPlaceholderText(t("enroll_ca_hint"))
        self.browse.setText(t("enroll_ca_browse"))
        self.enroll_button.setText(t("enroll_button"))
        self.close_button.setText(t("close"))
