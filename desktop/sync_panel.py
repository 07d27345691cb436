"""The sync panel and the status bar's sync indicator: what an officer can trust about sending
to the province — the server, how many households wait, when the last sync worked, the last
error in plain words, and the households the server did not take, with its reasons.

What the panel shows is read in a worker (desktop.tasks.sync_overview: counting what waits
scans the table); the sync itself runs in desktop.auto_sync.SyncRunner."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import tasks
from desktop.auto_sync import AutoSync, SyncOutcome, SyncRunner
from desktop.household_list import local_time
from desktop.text import number, t
from desktop.worker import Task
from forms.registry import FormRegistry
from forms.store import StoreError
from sync.client import SyncError

Index = QModelIndex | QPersistentModelIndex
ERROR_COLOR, OK_COLOR, MUTED_COLOR, BUSY_COLOR = "#b3261e", "#1e7b34", "#5f6368", "#1d4f91"
_ROW = re.compile(r"^[A-Za-z_][\w]*\[(\d+)\]\.")


def when_text(iso: str | None, now: dt.datetime | None = None) -> str:
    """'15/10/2026 14:03 (5 phút trước)', in the computer's time zone."""
    if not iso:
        return t("sync_never")
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = ((now or dt.datetime.now(dt.UTC)) - when).total_seconds()
    if seconds < 60:
        ago = t("time_just_now")
    elif seconds < 3600:
        ago = t("time_minutes_ago", n=int(seconds // 60))
    elif seconds < 86400:
        ago = t("time_hours_ago", n=int(seconds // 3600))
    else:
        ago = t("time_days_ago", n=int(seconds // 86400))
    return f"{local_time(iso)} ({ago})"


def error_text(exc: BaseException | None, enrolling: bool = False) -> str:
    """A sync's failure in plain words, with what to do (in the enrollment dialog itself, the
    way to it goes unsaid); "" for a programming error (the window reports those in full)."""
    if isinstance(exc, SyncError):
        if exc.kind == "not_enrolled":
            return t("sync_not_enrolled_hint")
        text = exc.msg.text()
        return f"{text}\n{t('sync_auth_hint')}" if exc.kind == "auth" and not enrolling else text
    if isinstance(exc, StoreError):
        return exc.msg.text()
    return ""


def outcome_text(r: tasks.Refused) -> str:
    if r.outcome == "conflict":
        return t("outcome_conflict")
    if r.outcome == "rejected":
        return t("outcome_rejected")
    return t("outcome_returned")


def reason_lines(r: tasks.Refused) -> list[str]:
    """The server's message, then each of its findings ('Thành viên 3: ...' for a member's)."""
    lines = [r.message.text()] if r.message else []
    for f in r.findings:
        mark = "✖" if f.severity == "error" else "⚠"
        row = _ROW.match(f.field)
        where = f"{t('refused_member', n=int(row.group(1)) + 1)}: " if row else ""
        lines.append(f"{mark} {where}{f.text.text()}")
    return lines


class RefusedModel(QAbstractTableModel):
    """The households the server refused or returned, as the last overview found them."""

    COLUMNS = ("household", "outcome", "reason")  # the household: its code, and its head below

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: list[tasks.Refused] = []

    def set_rows(self, rows: list[tasks.Refused]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def refused(self, row: int) -> tasks.Refused | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return {"household": t("refused_column_household"), "outcome": t("refused_column_outcome"),
                "reason": t("refused_column_reason")}[self.COLUMNS[section]]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.refused(index.row()) if index.isValid() else None
        if r is None:
            return None
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(reason_lines(r))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(ERROR_COLOR) if column == "outcome" else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "outcome":
            return outcome_text(r)
        if column == "reason":
            return r.message.text() if r.message else ""
        return "\n".join(x for x in (r.household_code, r.head_name) if x)

    def refresh_texts(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))


def _value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SyncPanel(QWidget):
    """Shown in a dock of the main window. Holds the state the status bar indicator shows too."""

    open_household = Signal(str)
    enroll_requested = Signal()
    sync_requested = Signal()
    changed = Signal()  # something the indicator shows

    def __init__(self, path: Path, forms: FormRegistry | None, runner: SyncRunner, auto_sync: AutoSync,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sync_panel")
        self.path, self.forms, self.runner, self.auto_sync = path, forms, runner, auto_sync
        self.overview: tasks.SyncOverview | None = None
        self.outcome: SyncOutcome | None = None  # the last sync of this session
        self._task: Task | None = None
        self._pending = False
        self._build()
        runner.started.connect(self._sync_started)
        runner.progressed.connect(self._sync_progressed)
        runner.ended.connect(self._sync_ended)
        auto_sync.checked.connect(self._probed)
        self.retranslate()
        self.refresh()

    # -- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.server = _value_label(self, "sync_server")
        self.server.setWordWrap(False)  # an address cut at its "//" reads as two
        self.account = _value_label(self, "sync_account")
        self.connection = _value_label(self, "sync_connection")
        self.waiting = _value_label(self, "sync_waiting")
        self.waiting.setStyleSheet("font-weight: bold;")
        self.last_success = _value_label(self, "sync_last_success")
        self.last_error = _value_label(self, "sync_last_error")
        self.labels = {key: QLabel(self) for key in ("server", "account", "connection", "waiting", "last_success",
                                                     "last_error")}
        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for key, value in (("server", self.server), ("account", self.account), ("connection", self.connection),
                           ("waiting", self.waiting), ("last_success", self.last_success),
                           ("last_error", self.last_error)):
            form.addRow(self.labels[key], value)
        self.enroll_button = QPushButton(self)
        self.enroll_button.setObjectName("sync_enroll")
        self.enroll_button.clicked.connect(self.enroll_requested)
        self.sync_button = QPushButton(self)
        self.sync_button.setObjectName("sync_now")
        self.sync_button.clicked.connect(self.sync_requested)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("sync_cancel")
        self.cancel_button.clicked.connect(self.cancel_sync)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("sync_progress")
        self.bar.setTextVisible(False)
        self.progress_label = _value_label(self, "sync_progress_text")
        self.result = _value_label(self, "sync_result")
        self.refused_title = _value_label(self, "refused_title")
        self.refused_title.setStyleSheet("font-weight: bold;")
        self.model = RefusedModel(self)
        self.view = QTableView(self)  # Enter or a double click opens the household (activated)
        self.view.setObjectName("refused_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        # A narrow dock: the reason wraps, rows grow to fit (a few hundred rows at most).
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentRowChanged.connect(lambda _now, _before: self._show_details())
        self.details = _value_label(self, "refused_details")
        self.details.setStyleSheet("background: #fce8e6; padding: 6px;")
        self.more = _value_label(self, "refused_more")
        state = QVBoxLayout()
        state.addLayout(form)
        state.addLayout(buttons)
        state.addWidget(self.bar)
        state.addWidget(self.progress_label)
        state.addWidget(self.result)
        state.addStretch()
        refused = QVBoxLayout()
        refused.addWidget(self.refused_title)
        refused.addWidget(self.view, 1)
        refused.addWidget(self.more)
        refused.addWidget(self.details)
        refused.addStretch()  # only while the list is hidden: keeps the title at the top
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.columns.setContentsMargins(8, 8, 8, 8)
        self.columns.setSpacing(12)
        self.columns.addLayout(state, 2)
        self.columns.addLayout(refused, 3)
        # A laptop screen is 1366 pixels wide and the household list needs 1040 of them:
        # beside the list the panel must make do with 300.
        self.setMinimumWidth(300)

    def set_area(self, area: Qt.DockWidgetArea) -> None:
        """Side by side under the list, one above the other beside it."""
        wide = area in (Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.TopDockWidgetArea)
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        self.columns.setStretch(0, 2 if wide else 0)
        self.columns.setStretch(1, 3 if wide else 1)
        # Beside the list the panel is narrow: each label above its value leaves the value the width.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows if wide
                                   else QFormLayout.RowWrapPolicy.WrapAllRows)

    # -- reading the state -----------------------------------------------------------------
    def refresh(self) -> None:
        """Read the sync state again, in a worker; one at a time, the latest wins."""
        if self._task is not None and self._task.running:
            self._pending = True
            return
        self._pending = False
        # The refused households are read only while the panel is seen (a pass over the table).
        task = Task(tasks.sync_overview, self.path, self.forms, self.isVisible())
        task.succeeded.connect(self._overview)
        task.failed.connect(lambda _exc: None)  # the panel keeps what it showed; the next refresh may work
        task.ended.connect(self._refresh_ended)
        self._task = task.start()

    def _refresh_ended(self) -> None:
        if self._pending:
            self.refresh()

    def wait_for_refresh(self, ms: int = 30_000) -> None:
        if self._task is not None:
            self._task.wait(ms)

    def _overview(self, ov: tasks.SyncOverview) -> None:
        selected = self._selected()
        if not ov.refused_read and self.overview is not None:
            ov.refused, ov.refused_total = self.overview.refused, self.overview.refused_total
        self.overview = ov
        self.model.set_rows(ov.refused)
        if selected is not None:
            for row, r in enumerate(ov.refused):
                if r.uuid == selected.uuid:
                    self.view.selectRow(row)
        self._render()

    def _probed(self, p: tasks.Probe) -> None:
        ov = self.overview
        if ov is None or ov.enrolled != p.enrolled or ov.waiting != p.waiting:
            self.refresh()  # enrolled elsewhere (the command line), or households changed: read it all
        else:
            ov.last_success_at = p.last_success_at
        self._render()

    # -- a sync ----------------------------------------------------------------------------
    def cancel_sync(self) -> None:
        """Stop after the batch on its way: its answer is recorded, so nothing is sent twice.
        A request already sent is waited for (up to the client's timeout)."""
        if not self.runner.running:
            return
        self.runner.cancel()
        self.progress_label.setText(t("task_cancelling"))
        self.cancel_button.setEnabled(False)
        self.changed.emit()

    @property
    def cancelling(self) -> bool:
        task = self.runner.task
        return task is not None and task.running and task.state.cancelled

    def _sync_started(self, _auto: bool) -> None:
        self.bar.setRange(0, 0)
        self.progress_label.setText(t("sync_starting"))
        self.cancel_button.setEnabled(True)
        self._render()

    def _sync_progressed(self, done: int, total: int) -> None:
        if total > 0 and not self.cancelling:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.progress_label.setText(t("sync_progress", done=number(done), total=number(total)) if done
                                        else t("sync_starting"))
        self.changed.emit()

    def _sync_ended(self, outcome: SyncOutcome) -> None:
        self.outcome = outcome
        self.refresh()
        self._render()

    # -- showing ---------------------------------------------------------------------------
    @property
    def reachable(self) -> bool | None:
        return self.auto_sync.reachable

    def error_shown(self) -> str:
        """The last error, in plain words: this session's if the last sync failed, else the
        one the store kept from an earlier one."""
        ov = self.overview
        if ov is None or not ov.enrolled:
            return ""
        if self.outcome is not None and self.outcome.error is not None:
            return error_text(self.outcome.error) or (ov.last_error.text() if ov.last_error else "")
        return ov.last_error.text() if ov.last_error else ""

    def _render(self) -> None:
        ov = self.overview
        enrolled = ov is not None and ov.enrolled
        running = self.runner.running
        if ov is None:
            self.server.setText(t("sync_loading"))
        elif enrolled:
            self.server.setText(ov.server_url or "")
            self.server.setStyleSheet("")
        else:
            self.server.setText(t("sync_not_enrolled_text"))
            self.server.setStyleSheet(f"color: {ERROR_COLOR};")
        account = ""
        if enrolled and ov is not None and ov.officer:
            account = ov.officer + (f" — {', '.join(ov.communes)}" if ov.communes else "")
        self.account.setText(account)
        self._set_row("account", bool(account))
        reachable = self.reachable
        self.connection.setText(t("sync_online") if reachable else t("sync_unknown") if reachable is None
                                else t("sync_offline"))
        self.connection.setStyleSheet(f"color: {OK_COLOR if reachable else MUTED_COLOR};")
        self._set_row("connection", enrolled)
        self.waiting.setText(t("sync_waiting_value", n=number(ov.waiting)) if ov else "")
        self.last_success.setText(when_text(ov.last_success_at) if ov else "")
        self._set_row("last_success", enrolled)
        error = self.error_shown()
        self.last_error.setText(error or t("sync_no_error"))
        self.last_error.setStyleSheet(f"color: {ERROR_COLOR};" if error else f"color: {MUTED_COLOR};")
        self._set_row("last_error", enrolled)
        self.enroll_button.setVisible(ov is not None and not enrolled)
        self.sync_button.setEnabled(enrolled and not running)
        self.sync_button.setVisible(ov is None or enrolled)
        self.cancel_button.setVisible(running)
        self.bar.setVisible(running)
        self.progress_label.setVisible(running)
        self.result.setText(self.summary())
        self.result.setVisible(bool(self.result.text()))
        total = ov.refused_total if ov else 0
        self.refused_title.setText(t("refused_title", n=number(total)) if total else t("refused_none"))
        self.refused_title.setVisible(enrolled)
        self.view.setVisible(total > 0)
        hidden = total - len(ov.refused) if ov else 0
        self.more.setText(t("refused_more", n=number(hidden)) if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self._show_details()
        self.changed.emit()

    def _set_row(self, key: str, visible: bool) -> None:
        self.labels[key].setVisible(visible)
        getattr(self, key).setVisible(visible)

    def summary(self) -> str:
        o = self.outcome
        if o is None or self.runner.running:
            return ""
        if o.cancelled:
            return t("sync_cancelled")
        if o.error is not None:  # the error itself is in its row above
            return t("sync_failed_at", time=o.ended_at.strftime("%H:%M"))
        r = o.result
        text = t("sync_outcome", time=o.ended_at.strftime("%H:%M"), accepted=number(getattr(r, "accepted", 0)),
                 rejected=number(getattr(r, "rejected", 0)), conflicts=number(getattr(r, "conflicts", 0)),
                 waiting=number(getattr(r, "waiting", 0)))
        received = {name: getattr(r, name, 0) or 0 for name in ("forms_received", "assigned", "returned")}
        if any(received.values()):
            text += "\n" + t("sync_outcome_received", forms=number(received["forms_received"]),
                             assigned=number(received["assigned"]), returned=number(received["returned"]))
        return text

    def _selected(self) -> tasks.Refused | None:
        index = self.view.currentIndex()
        return self.model.refused(index.row()) if index.isValid() else None

    def _show_details(self) -> None:
        r = self._selected()
        if r is None:
            self.details.setText(t("refused_pick"))
            self.details.setStyleSheet(f"color: {MUTED_COLOR}; padding: 6px;")
        else:
            head = " — ".join(x for x in (r.household_code, r.head_name) if x)
            self.details.setText("\n".join([f"{head}: {outcome_text(r)}", *reason_lines(r)]))
            self.details.setStyleSheet("background: #fce8e6; padding: 6px;")
        self.details.setVisible(self.model.rowCount() > 0)

    def _activated(self, index: QModelIndex) -> None:
        r = self.model.refused(index.row())
        if r is not None:
            self.open_household.emit(r.uuid)

    def retranslate(self) -> None:
        for key, text in (("server", t("sync_server_label")), ("account", t("sync_account_label")),
                          ("connection", t("sync_connection_label")), ("waiting", t("sync_waiting_label")),
                          ("last_success", t("sync_last_success_label")), ("last_error", t("sync_last_error_label"))):
            self.labels[key].setText(text)
        self.enroll_button.setText(t("sync_enroll_button"))
        self.sync_button.setText(t("sync_now_button"))
        self.cancel_button.setText(t("cancel"))
        self.model.refresh_texts()
        self._render()


class SyncIndicator(QWidget):
    """In the status bar: online, offline or syncing, and how many households wait. A click
    opens the panel; while a sync runs, its progress and a cancel button."""

    clicked = Signal()

    def __init__(self, panel: SyncPanel, parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = panel
        self.button = QToolButton(self)
        self.button.setObjectName("sync_indicator")
        self.button.setAutoRaise(True)
        self.button.clicked.connect(self.clicked)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("sync_indicator_progress")
        self.bar.setFixedWidth(110)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("sync_indicator_cancel")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(panel.cancel_sync)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        layout.addWidget(self.button)
        panel.changed.connect(self.render)
        self.render()

    def render(self) -> None:
        p = self.panel
        ov = p.overview
        running = p.runner.running
        n = number(ov.waiting) if ov else "…"
        if running:
            done, total = p.runner.progress()
            if p.cancelling:
                text = t("task_cancelling")
            elif total:
                text = t("indicator_syncing_progress", done=number(done), total=number(total))
            else:
                text = t("indicator_syncing")
            color = BUSY_COLOR
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        elif ov is not None and not ov.enrolled:
            text, color = t("indicator_not_enrolled"), MUTED_COLOR
        elif p.reachable is False:
            text, color = t("indicator_offline", n=n), MUTED_COLOR
        elif p.error_shown():
            text, color = t("indicator_error", n=n), ERROR_COLOR
        elif p.reachable:
            text, color = t("indicator_online", n=n), OK_COLOR
        else:
            text, color = t("indicator_unknown", n=n), MUTED_COLOR
        self.button.setText(text)
        self.button.setStyleSheet(f"color: {color};")
        self.button.setToolTip(t("indicator_tip"))
        self.bar.setVisible(running)
        self.cancel.setVisible(running)
        self.cancel.setEnabled(not p.cancelling)
        self.cancel.setText(t("cancel"))
