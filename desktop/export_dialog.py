"""The export window: files for statisticians (CSV, Excel, SPSS, Stata and a codebook).

The officer picks the formats, a folder, which households (by status) and the language of
the labels, and types a passphrase twice: the files hold names, birth dates and citizen IDs,
so they are written into one 7z archive encrypted with AES-256 (forms.exports.archive) that the
district opens with 7-Zip. Files in clear need an explicit checkbox, which shows a warning.
The export runs in a worker thread with the usual progress dialog and cancel button; its
outcome (where the personal data now is, files, rows, values left out) is shown in the window
itself, with a button that opens the folder. `open_export_dialog(parent, store, registry)` is
the entry point for the main window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from desktop.field_widgets import ERROR_COLOR, WARNING_COLOR
from desktop.text import t
from desktop.worker import Task, run_task
from forms import profiles
from forms.exports import archive as encrypted
from forms.i18n import current_language, tr
from forms.progress import TaskState
from forms.registry import FormRegistry
from forms.store import STATUSES, Store

FORMAT_KEYS = {"csv": "exports_dialog_csv", "xlsx": "exports_dialog_xlsx", "sav": "exports_dialog_sav",
               "dta": "exports_dialog_dta"}


def export_work(state: TaskState, store_path: Path, forms: FormRegistry, folder: Path, formats: list[str],
                statuses: list[str], lang: str, passphrase: str | None = None) -> Any:
    """The export itself, in the worker thread with its own connection to the store: into an
    encrypted archive in `folder`, or with passphrase None the files in clear."""
    from forms.exports import export_files
    from forms.exports.from_store import store_selection

    def reading(done: int, total: int) -> None:
        if done % 50 == 0:
            state.progress(done, total, tr("exports_dialog_reading", done=done, total=total))

    def writing(name: str) -> None:
        state.progress(1, 1, tr("exports_dialog_writing", file=name))

    with Store(store_path, forms) as store:
        definitions, records, _count = store_selection(store, statuses, progress=reading)
        if passphrase is None:
            return export_files(definitions, records, folder, formats=formats, lang=lang, progress=writing)
        return encrypted.export_archive(definitions, records, encrypted.archive_path(folder), passphrase,
                                        formats=formats, lang=lang, progress=writing)


def open_folder(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _passphrase_line(name: str) -> QLineEdit:
    line = QLineEdit()
    line.setObjectName(name)
    line.setEchoMode(QLineEdit.EchoMode.Password)
    line.setMinimumWidth(320)
    return line


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget | None, store: Store, registry: FormRegistry):
        super().__init__(parent)
        self.store, self.registry = store, registry
        self.task: Task | None = None
        self.setWindowTitle(tr("exports_dialog_title"))
        self.setObjectName("export_dialog")
        form = QFormLayout()
        formats = QHBoxLayout()
        self.formats: dict[str, QCheckBox] = {}
        for fmt, key in FORMAT_KEYS.items():
            box = QCheckBox(tr(key))
            box.setChecked(True)
            self.formats[fmt] = box
            formats.addWidget(box)
        form.addRow(tr("exports_dialog_formats"), formats)
        folder_row = QHBoxLayout()
        self.folder = QLineEdit(str(store.path.parent / "exports" / "statistics"))
        browse = QPushButton(tr("exports_dialog_browse"))
        browse.clicked.connect(self.browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow(tr("exports_dialog_folder"), folder_row)
        statuses = QHBoxLayout()
        self.statuses: dict[str, QCheckBox] = {}
        for status in STATUSES:
            box = QCheckBox(t("status_" + status))
            box.setChecked(True)
            self.statuses[status] = box
            statuses.addWidget(box)
        form.addRow(tr("exports_dialog_statuses"), statuses)
        self.language = QComboBox()
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if current_language() == "vi" else 1)
        form.addRow(tr("exports_dialog_language"), self.language)

        self.passphrase = _passphrase_line("export_passphrase")
        self.passphrase_again = _passphrase_line("export_passphrase_again")
        form.addRow(tr("exports_dialog_passphrase"), self.passphrase)
        form.addRow(tr("exports_dialog_passphrase_again"), self.passphrase_again)
        self.show_passphrase = QCheckBox(tr("exports_dialog_show_passphrase"))
        self.show_passphrase.toggled.connect(self._show_passphrase)
        form.addRow("", self.show_passphrase)
        self.plain = QCheckBox(tr("exports_dialog_plain"))
        self.plain.setObjectName("export_plain")
        self.plain.toggled.connect(self._plain_toggled)
        form.addRow("", self.plain)
        # Wrapped texts below the form, not in it: a form layout gives a wrapped label too little height.
        self.protected_note = QLabel(tr("exports_dialog_protected_note", n=profiles.MIN_LENGTH))
        self.protected_note.setWordWrap(True)
        self.plain_warning = QLabel(tr("exports_dialog_plain_warning"))
        self.plain_warning.setObjectName("export_plain_warning")
        self.plain_warning.setWordWrap(True)
        self.plain_warning.setStyleSheet(f"color: {WARNING_COLOR}; font-weight: bold;")
        self.plain_warning.hide()

        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.outcome.setObjectName("export_outcome")
        # The path of the archive can be selected and copied, with the mouse or the keyboard.
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.open_folder_button = QPushButton(tr("exports_dialog_open_folder"))
        self.open_folder_button.setObjectName("export_open_folder")
        self.open_folder_button.clicked.connect(self.open_written_folder)
        self.open_folder_button.hide()
        self.written_folder: Path | None = None
        self.export_button = QPushButton(tr("exports_dialog_export"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        close = QPushButton(t("close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.protected_note)
        layout.addWidget(self.plain_warning)
        layout.addWidget(self.outcome)
        layout.addStretch(1)  # room left over goes above the buttons, not between the texts
        layout.addLayout(buttons)
        self.setMinimumWidth(680)

    def _show_passphrase(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for line in (self.passphrase, self.passphrase_again):
            line.setEchoMode(mode)

    def _plain_toggled(self, plain: bool) -> None:
        for widget in (self.passphrase, self.passphrase_again, self.show_passphrase):
            widget.setEnabled(not plain)
        # One or the other: how the files are protected, or that they will not be.
        self.protected_note.setVisible(not plain)
        self.plain_warning.setVisible(plain)
        self.say("")

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("exports_dialog_folder"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def start(self) -> Task | None:
        formats = [f for f, box in self.formats.items() if box.isChecked()]
        statuses = [s for s, box in self.statuses.items() if box.isChecked()]
        folder = self.folder.text().strip()
        problem = ("exports_dialog_no_format" if not formats else "exports_dialog_no_status" if not statuses
                   else "exports_dialog_no_folder" if not folder else None)
        if problem:
            self.say(tr(problem), ERROR_COLOR)
            return None
        passphrase: str | None = None
        if not self.plain.isChecked():
            passphrase = self.passphrase.text()
            refused = encrypted.passphrase_problems(passphrase, self.passphrase_again.text())
            if refused:
                self.say("\n".join(p.text() for p in refused), ERROR_COLOR)
                self.passphrase.setFocus()
                self.passphrase.selectAll()
                return None
        self.export_button.setEnabled(False)
        self.open_folder_button.hide()
        self.say("")
        self.task = run_task(self, tr("exports_dialog_title"), export_work, self.store.path, self.registry,
                             Path(folder).absolute(), formats, statuses, self.language.currentData(), passphrase)
        self.task.succeeded.connect(self.done_ok)
        self.task.failed.connect(self.done_failed)
        self.task.cancelled.connect(lambda: self.finish(t("task_cancelled")))
        return self.task

    def done_ok(self, result: Any) -> None:
        lines = [tr("exports_cli_file", path=f.path, rows=f.rows) if f.level != "codebook"
                 else tr("exports_cli_codebook", path=f.path, rows=f.rows) for f in result.files]
        if result.archive is not None:
            self.written_folder = result.archive.parent
            # The files on one line: a laptop screen of 768 pixels has no room for one each.
            lines = [tr("exports_cli_archive", path=result.archive), "; ".join(lines),
                     tr("exports_cli_done", households=result.households, folder=result.archive),
                     tr("exports_cli_archive_how")]
            # A passphrase that worked is not left in the window for whoever uses the laptop next.
            self.passphrase.clear()
            self.passphrase_again.clear()
        else:
            self.written_folder = result.files[0].path.parent
            lines = [tr("exports_dialog_done_plain", folder=self.written_folder), "; ".join(lines),
                     tr("exports_cli_done", households=result.households, folder=self.written_folder)]
        if result.problems:
            lines.append(tr("exports_cli_unwritable", n=len(result.problems)))
            lines += [f"  {p.household_code or p.household_uuid} {p.level} {p.row or ''} {p.variable}: {p.value!r}"
                      for p in result.problems[:10]]
        self.finish("\n".join(lines), WARNING_COLOR if result.archive is None else "")
        self.open_folder_button.show()
        self.open_folder_button.setFocus()  # Enter or Space opens it; Tab goes on to Export and Close

    def done_failed(self, error: BaseException) -> None:
        msg = getattr(error, "msg", None)
        reason = msg.text() if msg is not None else (getattr(error, "strerror", None) or str(error))
        self.finish(tr("exports_dialog_failed", reason=reason), ERROR_COLOR)

    def finish(self, text: str, color: str = "") -> None:
        self.say(text, color)
        self.export_button.setEnabled(True)

    def say(self, text: str, color: str = "") -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet(f"color: {color};" if color else "")
        # Taller for a longer text, at the same width: a wrapped label does not ask for it by itself.
        needed = self.layout().totalHeightForWidth(self.width())
        if self.isVisible() and needed > self.height():
            self.resize(self.width(), needed)

    def open_written_folder(self) -> None:
        if self.written_folder is not None:
            open_folder(self.written_folder)


def open_export_dialog(parent: QWidget | None, store: Store, registry: FormRegistry) -> None:
    ExportDialog(parent, store, registry).exec()
