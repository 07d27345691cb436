"""Every error and warning of the household, in form order; Enter or a double click jumps to
the question."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.field_widgets import COMMENT_COLOR, ERROR_COLOR, WARNING_COLOR
from desktop.text import t
from forms.definition import Definition
from forms.engine import Evaluation, FieldRef, Finding, fix_target

REF_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(definition: Definition, ev: Evaluation, f: Finding) -> str:
    """'Thành viên 2 (Đặng Minh Đức) · Ngày sinh: Câu hỏi bắt buộc chưa được trả lời.'"""
    ref = f.ref
    fld = definition.by_id.get(ref.field)
    label = fld.label.text() if fld is not None and fld.label else ref.field
    text = f.message.text()
    if not text.startswith(f"{label}:"):  # some messages name their question already ("B. Members: …")
        text = f"{label}: {text}"
    target = fix_target(definition, ev, f)
    if target is not None and target[1]:  # a rule across members: which members to look at
        who = ", ".join(row_title(definition, ev, ref.field, row) for row in target[1])
        return t("finding_members", finding=text, members=who)
    if ref.roster is None or ref.row is None:
        return text
    return f"{row_title(definition, ev, ref.roster, ref.row)} · {text}"


def place(definition: Definition, ev: Evaluation, f: Finding) -> FieldRef:
    """Where the officer fixes a finding: its own question, or for a rule across members the
    question it depends on, at the first member concerned (the relation of the first of two
    heads), so that F8 and Enter lead to a question and not to the table."""
    target = fix_target(definition, ev, f)
    if target is None or not target[1]:
        return f.ref
    return FieldRef(target[0], f.ref.field, target[1][0])


def row_title(definition: Definition, ev: Evaluation | None, roster_id: str, row: int) -> str:
    """The roster's row label, its number and its first text answer: 'Thành viên 2 (Đặng Minh Đức)'."""
    roster = definition.by_id[roster_id]
    name = roster.row_label.text() if roster.row_label else roster_id
    first_text = next((f for f in roster.children if f.type == "text"), None)
    who = ""
    if ev is not None and first_text is not None and row < len(ev.rows.get(roster_id, [])):
        who = ev.rows[roster_id][row].get(first_text.id) or ""
    return f"{name} {row + 1} ({who})" if who else f"{name} {row + 1}"


class FindingsList(QListWidget):
    jump = Signal(object)  # FieldRef

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None:
                self.jump.emit(item.data(REF_ROLE))
                e.accept()
                return
        super().keyPressEvent(e)


class FindingsPanel(QWidget):
    jump = Signal(object)  # FieldRef

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setObjectName("findings_summary")
        self.list = FindingsList(self)
        self.list.setObjectName("findings_list")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemDoubleClicked.connect(lambda item: self.jump.emit(item.data(REF_ROLE)))
        self.list.jump.connect(self.jump)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        self._key: tuple = ()
        self.errors = 0
        self.warnings = 0
        self.set_findings(None, None)

    def set_findings(self, definition: Definition | None, ev: Evaluation | None, comments: Sequence[Finding] = (),
                     shown: Sequence[Finding] | None = None) -> None:
        """The evaluation's errors and warnings (those `shown`, if given), after the
        province's comments on questions."""
        own = list(shown) if shown is not None else ev.findings if ev is not None else []
        findings = [*comments, *own]
        # What each line says (a rule across members names them): rebuilt when any changes.
        key = tuple((f.ref, f.severity, describe(definition, ev, f) if definition is not None and ev is not None
                     else f.message.text()) for f in findings)
        if key == self._key and self.summary.text():
            return
        self._key = key
        self.errors = sum(1 for f in own if f.severity == "error")
        self.warnings = len(own) - self.errors
        if findings:
            self.summary.setText(t("findings_summary", errors=self.errors, warnings=self.warnings))
        else:
            self.summary.setText(t("findings_none"))
        self.list.clear()
        assert definition is not None or not findings
        for f in findings:
            color, mark = {"error": (ERROR_COLOR, "✖"), "comment": (COMMENT_COLOR, "✎")}.get(f.severity, (WARNING_COLOR, "⚠"))
            item = QListWidgetItem(f"{mark} {describe(definition, ev, f)}")  # type: ignore[arg-type]
            item.setData(REF_ROLE, place(definition, ev, f) if ev is not None else f.ref)  # type: ignore[arg-type]
            item.setForeground(QBrush(QColor(color)))
            self.list.addItem(item)

    def refs(self) -> list[FieldRef]:
        return [self.list.item(i).data(REF_ROLE) for i in range(self.list.count())]

    def retranslate(self) -> None:
        self._key = ()

