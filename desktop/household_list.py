"""The household list: filter by status and village, search as you type (diacritics ignored),
smooth with 100,000 households.

The model never holds the whole list: it reads pages of 200 summaries from the store as the
view needs them and keeps the last few. Counting all households scans the table, so the total
(and the status counts) are computed in a worker thread: until it arrives, the list grows as
the officer scrolls."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import tasks
from desktop.text import number, t
from desktop.worker import Task
from forms.store import STATUSES, Household, Store

Index = QModelIndex | QPersistentModelIndex
STATUS_COLORS = {"draft": "#8a5300", "complete": "#1e7b34", "sent": "#1d4f91", "returned": "#b3261e"}


def local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return when.astimezone().strftime("%d/%m/%Y %H:%M")


class HouseholdListModel(QAbstractTableModel):
    PAGE = 200
    KEEP_PAGES = 40
    # Household summary attributes shown, in order (the list's columns are the store's, not the form's).
    COLUMNS = ("household_code", "head_name", "village", "member_count", "status", "problems", "updated_at")

    def __init__(self, store: Store, parent: Any = None):
        super().__init__(parent)
        self.store = store
        self.filters: dict[str, str | None] = {"status": None, "village": None, "text": None}
        self.pages: OrderedDict[int, list[Household]] = OrderedDict()
        self.total: int | None = None  # known once counted
        self.exposed = 0  # rows shown while the total is not known
        self.generation = 0

    # -- loading ---------------------------------------------------------------------------
    def reset(self, **filters: str | None) -> int:
        """New filters: show the first page now; the total follows (set_total)."""
        self.beginResetModel()
        self.filters = {k: (v or None) for k, v in {**self.filters, **filters}.items()}
        self.generation += 1
        self.pages.clear()
        self.total = None
        first = self._page(0)
        self.exposed = len(first)
        if len(first) < self.PAGE:
            self.total = len(first)
        self.endResetModel()
        return self.generation

    def _page(self, n: int) -> list[Household]:
        page = self.pages.get(n)
        if page is None:
            page = self.store.list(**self.filters, limit=self.PAGE, offset=n * self.PAGE)
            self.pages[n] = page
            while len(self.pages) > self.KEEP_PAGES:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(n)
        return page

    def set_total(self, total: int, generation: int) -> None:
        """The count from the worker, for the filters of `generation`."""
        if generation != self.generation or self.total is not None:
            return
        if total > self.exposed:
            self.beginInsertRows(QModelIndex(), self.exposed, total - 1)
            self.total = total
            self.endInsertRows()
        elif total < self.exposed:
            self.beginResetModel()
            self.total = total
            self.pages.clear()
            self.endResetModel()
        else:
            self.total = total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.total is None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.total is not None:
            return
        page = self._page(self.exposed // self.PAGE)
        if not page:
            self.total = self.exposed
            return
        self.beginInsertRows(QModelIndex(), self.exposed, self.exposed + len(page) - 1)
        self.exposed += len(page)
        if len(page) < self.PAGE:
            self.total = self.exposed
        self.endInsertRows()

    def household(self, row: int) -> Household | None:
        if row < 0:
            return None
        page = self._page(row // self.PAGE)
        i = row % self.PAGE
        return page[i] if i < len(page) else None

    def row_of(self, uuid: str) -> int | None:
        for n, page in self.pages.items():
            for i, h in enumerate(page):
                if h.uuid == uuid:
                    return n * self.PAGE + i
        return None

    # -- Qt --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return self.total if self.total is not None else self.exposed

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return t(f"column_{self.COLUMNS[section]}")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.COLUMNS[index.column()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole):
            return None
        h = self.household(index.row())
        if h is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == "member_count":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "status":
                return QColor(STATUS_COLORS.get(h.status, "#000000"))
            if column == "problems" and (h.error_count or h.warning_count):
                return QColor(STATUS_COLORS["returned"] if h.error_count else STATUS_COLORS["draft"])
            return None
        if column == "status":
            return t(f"status_{h.status}")
        if column == "updated_at":
            return local_time(h.updated_at)
        if column == "problems":
            parts = []
            if h.error_count:
                parts.append(t("n_errors", n=h.error_count))
            if h.warning_count:
                parts.append(t("n_warnings", n=h.warning_count))
            return ", ".join(parts)
        value = getattr(h, column)
        return "" if value is None else str(value)

    def refresh_headers(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(self.COLUMNS) - 1))


class SearchBox(QLineEdit):
    """Down or Enter goes to the list."""

    to_list = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.to_list.emit()
            e.accept()
            return
        super().keyPressEvent(e)


class HouseholdListPage(QWidget):
    open_household = Signal(str)
    new_household = Signal()
    counts_ready = Signal(object)  # dict of counts by status
    SEARCH_DELAY_MS = 200

    def __init__(self, store: Store, villages: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.profile_villages = list(villages)
        self.known_villages: list[str] = []
        self.counts: dict[str, int] | None = None
        self._task: Task | None = None
        self._pending = False
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.search = SearchBox(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(400)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("status_filter")
        self.village_filter = QComboBox(self)
        self.village_filter.setObjectName("village_filter")
        self.village_filter.setMinimumContentsLength(18)
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("new_household")
        self.new_button.setAutoDefault(True)
        self.new_button.clicked.connect(self.new_household)
        self.search_label = QLabel(self)
        self.status_label = QLabel(self)
        self.village_label = QLabel(self)
        self.search_label.setBuddy(self.search)
        self.status_label.setBuddy(self.status_filter)
        self.village_label.setBuddy(self.village_filter)
        self.found = QLabel(self)
        self.found.setObjectName("found")
        self.model = HouseholdListModel(store, self)
        self.view = QTableView(self)  # Enter or a double click opens a household (activated)
        self.view.setObjectName("household_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in zip(self.model.COLUMNS, (130, 220, 200, 90, 120, 150, 150)):
            self.view.setColumnWidth(self.model.COLUMNS.index(column), width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.activated.connect(self._activated)
        self.search.to_list.connect(self.focus_list)
        self._search_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.village_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())

        bar = QHBoxLayout()
        bar.addWidget(self.search_label)
        bar.addWidget(self.search, 2)
        bar.addSpacing(12)
        bar.addWidget(self.status_label)
        bar.addWidget(self.status_filter)
        bar.addSpacing(12)
        bar.addWidget(self.village_label)
        bar.addWidget(self.village_filter)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.found)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        QWidget.setTabOrder(self.search, self.status_filter)
        QWidget.setTabOrder(self.status_filter, self.village_filter)
        QWidget.setTabOrder(self.village_filter, self.new_button)
        QWidget.setTabOrder(self.new_button, self.view)
        self._filling = False
        self.retranslate()
        self.apply_filters()

    # -- filters ---------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        self._filling = True
        status = self.status_filter.currentData()
        self.status_filter.clear()
        self.status_filter.addItem(t("filter_all_statuses"), None)
        for s in STATUSES:
            self.status_filter.addItem(t(f"status_{s}"), s)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))
        self._fill_villages()
        self._filling = False

    def _fill_villages(self) -> None:
        was = self._filling
        self._filling = True
        village = self.village_filter.currentData()
        self.village_filter.clear()
        self.village_filter.addItem(t("filter_all_villages"), None)
        for v in sorted(set(self.profile_villages) | set(self.known_villages)):
            self.village_filter.addItem(v, v)
        self.village_filter.setCurrentIndex(max(0, self.village_filter.findData(village)))
        self._filling = was

    def filters(self) -> dict[str, str | None]:
        return {"status": self.status_filter.currentData(), "village": self.village_filter.currentData(),
                "text": self.search.text().strip() or None}

    def apply_filters(self) -> None:
        if self._filling:
            return
        self._search_timer.stop()
        selected = self.current_uuid()
        generation = self.model.reset(**self.filters())
        self._show_found()
        self._count(generation)
        if selected:
            row = self.model.row_of(selected)
            if row is not None:
                self.view.selectRow(row)

    def refresh(self) -> None:
        """Households changed: read the list and the counts again."""
        self.apply_filters()

    def _count(self, generation: int) -> None:
        """Counts in a worker; one at a time, the latest filters win."""
        if self._task is not None and self._task.running:
            self._pending = True
            return
        self._pending = False
        task = Task(tasks.overview, self.store.path, dict(self.model.filters), self.store.forms)
        task.succeeded.connect(lambda o, g=generation: self._counted(o, g))
        task.failed.connect(lambda _exc: None)  # the list works without its total
        task.ended.connect(self._count_ended)
        self._task = task.start()

    def _count_ended(self) -> None:
        if self._pending:
            self._count(self.model.generation)

    def _counted(self, o: tasks.Overview, generation: int) -> None:
        self.counts = o.counts
        self.counts_ready.emit(o.counts)
        if o.villages != self.known_villages:
            self.known_villages = o.villages
            self._fill_villages()
        if generation == self.model.generation and not self._pending:
            self.model.set_total(o.total, generation)
            self._show_found()

    def _show_found(self) -> None:
        total = self.model.total
        if total is None:
            self.found.setText(t("list_counting", n=number(self.model.rowCount())))
        else:
            self.found.setText(t("list_found", n=number(total)))

    def wait_for_counts(self, ms: int = 30_000) -> None:
        """Wait for the counting worker (closing the window, tests)."""
        if self._task is not None:
            self._task.wait(ms)

    # -- navigation ------------------------------------------------------------------------
    def _activated(self, index: QModelIndex) -> None:
        h = self.model.household(index.row())
        if h is not None:
            self.open_household.emit(h.uuid)

    def current_uuid(self) -> str | None:
        idx = self.view.currentIndex()
        h = self.model.household(idx.row()) if idx.isValid() else None
        return h.uuid if h else None

    def focus_list(self) -> None:
        self.view.setFocus()
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.selectRow(0)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_profile_villages(self, villages: list[str]) -> None:
        self.profile_villages = list(villages)
        self._fill_villages()

    def retranslate(self) -> None:
        self.title.setText(t("list_title"))
        self.search.setPlaceholderText(t("search_placeholder"))
        self.search_label.setText(t("search_label"))
        self.status_label.setText(t("status_label"))
        self.village_label.setText(t("village_label"))
        self.new_button.setText(t("new_household"))
        self._fill_filters()
        self.model.refresh_headers()
        self._show_found()
