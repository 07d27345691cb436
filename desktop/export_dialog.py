"""The export window: files for statisticians (CSV, Excel, SPSS, Stata and a codebook).

The officer picks the formats, a folder, which households (by status) and the language of
the labels; the export runs in a worker thread with the usual progress dialog and cancel
button, and its outcome (files, rows, values left out) is shown in the window itself.
`open_export_dialog(parent, store, registry)` is the entry point for the main window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

from desktop.progress import TaskState
from desktop.text import t
from desktop.worker import Task, run_task
from forms.i18n import current_language, tr
from forms.registry import FormRegistry
from forms.store import STATUSES, Store

FORMAT_KEYS = {"csv": "exports_dialog_csv", "xlsx": "exports_dialog_xlsx", "sav": "exports_dialog_sav",
               "dta": "exports_dialog_dta"}


def export_work(state: TaskState, store_path: Path, forms: FormRegistry, folder: Path, formats: list[str],
                statuses: list[str], lang: str) -> Any:
    """The export itself, in the worker thread with its own connection to the store."""
    from forms.exports import export_files
    from forms.exports.from_store import store_selection

    def reading(done: int, total: int) -> None:
        if done % 50 == 0:
            state.progress(done, total, tr("exports_dialog_reading", done=done, total=total))

    def writing(name: str) -> None:
        state.progress(1, 1, tr("exports_dialog_writing", file=name))

    with Store(store_path, forms) as store:
        definitions, records, _count = store_selection(store, statuses, progress=reading)
        return export_files(definitions, records, folder, formats=formats, lang=lang, progress=writing)


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
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.outcome.setObjectName("export_outcome")
        self.export_button = QPushButton(tr("exports_dialog_export"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        close = QPushButton(t("close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)

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
            self.outcome.setText(tr(problem))
            return None
        self.export_button.setEnabled(False)
        self.outcome.setText("")
        self.task = run_task(self, tr("exports_dialog_title"), export_work, self.store.path, self.registry, Path(folder),
                             formats, statuses, self.language.currentData())
        self.task.succeeded.connect(self.done_ok)
        self.task.failed.connect(self.done_failed)
        self.task.cancelled.connect(lambda: self.finish(t("task_cancelled")))
        return self.task

    def done_ok(self, result: Any) -> None:
        lines = [tr("exports_cli_file", path=f.path, rows=f.rows) if f.level != "codebook"
                 else tr("exports_cli_codebook", path=f.path, rows=f.rows) for f in result.files]
        lines.insert(0, tr("exports_cli_done", households=result.households, folder=self.folder.text().strip()))
        if result.problems:
            lines.append(tr("exports_cli_unwritable", n=len(result.problems)))
            lines += [f"  {p.household_code or p.household_uuid} {p.level} {p.row or ''} {p.variable}: {p.value!r}"
                      for p in result.problems[:10]]
        self.finish("\n".join(lines))

    def done_failed(self, error: BaseException) -> None:
        msg = getattr(error, "msg", None)
        reason = msg.text() if msg is not None else (getattr(error, "strerror", None) or str(error))
        self.finish(tr("exports_dialog_failed", reason=reason))

    def finish(self, text: str) -> None:
        self.outcome.setText(text)
        self.export_button.setEnabled(True)


def open_export_dialog(parent: QWidget | None, store: Store, registry: FormRegistry) -> None:
    ExportDialog(parent, store, registry).exec()
