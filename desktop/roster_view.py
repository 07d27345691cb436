"""A roster (the household's members) as a table: one row per member with the roster's first
questions, labelled calculations (age) and the member's problems; add, remove, reorder."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.field_widgets import ERROR_COLOR, WARNING_COLOR
from desktop.text import t
from forms.definition import Definition, Field
from forms.engine import Evaluation, Finding
from forms.i18n import current_language

SUMMARY_QUESTIONS = 4  # the roster's first questions shown as columns: name, relation, birth date, sex
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
Index = QModelIndex | QPersistentModelIndex


def roster_columns(roster: Field) -> list[Field]:
    """The roster's first questions directly under it, then its labelled calculations."""
    direct = [f for f in roster.children if f.is_answer][:SUMMARY_QUESTIONS]
    calculated = [f for f in roster.children if f.type == "calculate" and f.label is not None]
    return direct + calculated


class RosterModel(QAbstractTableModel):
    def __init__(self, definition: Definition, roster: Field, parent: Any = None):
        super().__init__(parent)
        self.definition = definition
        self.roster = roster
        self.columns = roster_columns(roster)
        self.rows: list[dict[str, Any]] = []
        self.evaluation: Evaluation | None = None
        self.problems: list[tuple[int, int]] = []

    def set_rows(self, rows: list[dict[str, Any]], ev: Evaluation | None,
                 shown: list[Finding] | None = None) -> None:
        """Show these rows. The editor hands the household's own list, which it changes in
        place (a member added, removed, moved): the model keeps a copy of its own, so that
        it can tell the view how many rows there were and really signals the change."""
        before = len(self.rows)
        if len(rows) != before:
            self.beginResetModel()
        self.rows = list(rows)
        self.evaluation = ev
        self.problems = self._problems(shown if shown is not None else ev.findings if ev is not None else [])
        if len(rows) != before:
            self.endResetModel()
        elif rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))

    def _problems(self, findings: list[Finding]) -> list[tuple[int, int]]:
        """(errors, warnings) of each row, among the findings shown."""
        problems = [(0, 0) for _ in self.rows]
        for f in findings:
            if f.ref.roster == self.roster.id and f.ref.row is not None and f.ref.row < len(problems):
                e, w = problems[f.ref.row]
                problems[f.ref.row] = (e + 1, w) if f.severity == "error" else (e, w + 1)
        return problems

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        if section < len(self.columns):
            f = self.columns[section]
            return textwrap.fill(f.label.text() if f.label else f.id, 16)  # headers on two lines, not clipped
        return t("roster_problems")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if c == len(self.columns):
            errors, warnings = self.problems[r] if r < len(self.problems) else (0, 0)
            if role == Qt.ItemDataRole.DisplayRole:
                parts = []
                if errors:
                    parts.append(t("n_errors", n=errors))
                if warnings:
                    parts.append(t("n_warnings", n=warnings))
                return ", ".join(parts) or "✓"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(ERROR_COLOR if errors else WARNING_COLOR if warnings else "#1e7b34")
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        f = self.columns[c]
        if f.type == "calculate":
            value = self.evaluation.rows[self.roster.id][r].get(f.id) if self.evaluation else None
        else:
            value = self.rows[r].get(f.id)
        return self.display(f, value)

    def display(self, f: Field, value: Any) -> str:
        if value is None or value == "":
            return ""
        if f.type == "select_one":
            label = self.definition.choices(f).label(str(value), current_language())
            return f"{value} {label}" if label else str(value)
        if f.type in ("date", "partial_date") and isinstance(value, str):
            m = _ISO.match(value)
            if m:
                return f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
        if isinstance(value, list):
            return " ".join(map(str, value))
        return str(value)

    def refresh_headers(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)


class RosterTable(QTableView):
    """Alt+Up / Alt+Down move the selected member; Enter goes to the member's questions."""

    move = Signal(int)
    enter = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        alt = e.modifiers() & Qt.KeyboardModifier.AltModifier
        if alt and e.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move.emit(-1 if e.key() == Qt.Key.Key_Up else 1)
            e.accept()
            return
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter.emit()
            e.accept()
            return
        super().keyPressEvent(e)


class RosterPanel(QWidget):
    """The roster's title, its table, its problems that concern no single row, and buttons."""

    selected = Signal(int)  # row, or -1
    add = Signal()
    remove = Signal()
    move = Signal(int)
    enter = Signal()

    def __init__(self, definition: Definition, roster: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.roster = roster
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt; color: #143d6b;")
        self.model = RosterModel(definition, roster, self)
        self.table = RosterTable(self)
        self.table.setObjectName(f"roster_{roster.id}")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(150)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.selected.emit(cur.row()))
        self.table.move.connect(self.move)
        self.table.enter.connect(self.enter)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("add_member")
        self.remove_button = QPushButton(self)
        self.up_button = QPushButton(self)
        self.down_button = QPushButton(self)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            b.setAutoDefault(True)  # Enter on a focused button presses it
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.up_button.clicked.connect(lambda: self.move.emit(-1))
        self.down_button.clicked.connect(lambda: self.move.emit(1))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.table, self.add_button)
        QWidget.setTabOrder(self.add_button, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.up_button)
        QWidget.setTabOrder(self.up_button, self.down_button)
        self.retranslate()

    def set_rows(self, rows: list[dict[str, Any]], ev: Evaluation | None, current: int | None,
                 shown: list[Finding] | None = None) -> None:
        self.model.set_rows(rows, ev, shown)
        self.set_current(current)
        self.remove_button.setEnabled(current is not None)
        self.up_button.setEnabled(bool(current))
        self.down_button.setEnabled(current is not None and current < len(rows) - 1)

    def fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 60), 200))

    def set_current(self, row: int | None) -> None:
        sm = self.table.selectionModel()
        if row is None or row >= self.model.rowCount():
            sm.clearSelection()
            return
        if sm.currentIndex().row() != row:
            blocked = self.table.blockSignals(True)
            sm.blockSignals(True)
            self.table.selectRow(row)
            sm.setCurrentIndex(self.model.index(row, 0), sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
            sm.blockSignals(False)
            self.table.blockSignals(blocked)
            self.table.viewport().update()

    def set_problems(self, texts: list[tuple[str, str]]) -> None:
        if not texts:
            self.problems.hide()
            return
        lines = [f'<span style="color:{ERROR_COLOR if s == "error" else WARNING_COLOR}">'
                 f'{"✖" if s == "error" else "⚠"} {text}</span>' for s, text in texts]
        self.problems.setText("<br>".join(lines))
        self.problems.show()

    def set_read_only(self, read_only: bool) -> None:
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            b.setVisible(not read_only)

    def retranslate(self) -> None:
        self.title.setText(self.roster.label.text() if self.roster.label else self.roster.id)
        self.add_button.setText(t("member_add"))
        self.add_button.setToolTip(t("member_add_tip"))
        self.remove_button.setText(t("member_remove"))
        self.up_button.setText(t("member_up"))
        self.down_button.setText(t("member_down"))
        self.up_button.setToolTip(t("member_move_tip"))
        self.down_button.setToolTip(t("member_move_tip"))
        self.model.refresh_headers()
