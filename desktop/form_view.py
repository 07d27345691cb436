"""A section of the questionnaire as a form, generated from the definition's fields.

Groups become titled boxes; questions become field widgets in the definition's order (which is
also the Tab and Enter order); labelled calculations are shown read-only. Relevance, findings
and the codes allowed by a parent question come from the engine's Evaluation."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from desktop.field_widgets import CalculatedWidget, FieldWidget, make_widget
from desktop.text import t
from forms.definition import Definition, Field
from forms.engine import Evaluation, FieldRef, Finding


class GroupBox(QFrame):
    """A group of questions under its title. A top-level group that does not apply keeps its
    title with a note, so the officer sees why its questions are not asked."""

    def __init__(self, f: Field, depth: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = f
        self.depth = depth
        self._relevant = True
        self.setObjectName(f"group_{f.id}")
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt; color: #143d6b;" if depth == 0 else
                                 "font-weight: bold; color: #143d6b;")
        self.note = QLabel(self)
        self.note.setStyleSheet("color: #5f6368; font-style: italic;")
        self.note.hide()
        self.body = QWidget(self)
        self.inner = QVBoxLayout(self.body)
        self.inner.setContentsMargins(12 if depth else 4, 0, 0, 0)
        self.inner.setSpacing(2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6 if depth == 0 else 4, 0, 2)
        outer.setSpacing(2)
        outer.addWidget(self.title)
        outer.addWidget(self.note)
        outer.addWidget(self.body)
        self.retranslate()

    def set_relevant(self, relevant: bool) -> None:
        if relevant == self._relevant:
            return
        self._relevant = relevant
        if self.depth == 0:
            self.body.setVisible(relevant)
            self.note.setVisible(not relevant)
            self.title.setEnabled(relevant)
        else:
            self.setVisible(relevant)

    def retranslate(self) -> None:
        self.title.setText(self.field.label.text() if self.field.label else self.field.id)
        self.note.setText(t("group_not_applicable"))


class FormView(QWidget):
    """Questions of the household (roster=None) or of one roster row."""

    changed = Signal(str, object, bool)  # field id, value, final
    enter = Signal(object)  # the FieldWidget where Enter was pressed
    focused = Signal(object)  # the FieldWidget that took the focus

    def __init__(self, definition: Definition, fields: list[Field], roster: str | None,
                 label_width: int = 240, parent: QWidget | None = None):
        super().__init__(parent)
        self.definition = definition
        self.roster = roster
        self.label_width = label_width
        self.widgets: dict[str, FieldWidget] = {}
        self.calculated: dict[str, CalculatedWidget] = {}
        self.groups: dict[str, GroupBox] = {}
        self.order: list[FieldWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        for f in fields:
            self._add(f, layout, 0)
        layout.addStretch(1)
        for a, b in itertools.pairwise(self.order):
            QWidget.setTabOrder(a.line, b.line)

    def _add(self, f: Field, layout: QVBoxLayout, depth: int) -> None:
        if f.type == "roster":
            return  # a roster has its own table
        if f.type == "group":
            box = GroupBox(f, depth, self)
            self.groups[f.id] = box
            layout.addWidget(box)
            for child in f.children:
                self._add(child, box.inner, depth + 1)
            return
        if f.type == "calculate":
            if f.label is not None:
                calc = CalculatedWidget(f, self.label_width, self)
                self.calculated[f.id] = calc
                layout.addWidget(calc)
            return
        w = make_widget(self.definition, f, self.label_width)
        w.changed.connect(self.changed)
        w.enter.connect(self.enter)
        w.focused.connect(self.focused)
        self.widgets[f.id] = w
        self.order.append(w)
        layout.addWidget(w)

    # -- showing a household ---------------------------------------------------------------
    def load(self, answers: dict[str, Any]) -> None:
        for fid, w in self.widgets.items():
            w.set_value(answers.get(fid))

    def apply(self, ev: Evaluation, row: int | None, findings: dict[FieldRef, list[Finding]],
              show_required: Callable[[str], bool]) -> None:
        """Relevance, calculations and findings of one evaluation (row: the roster row shown)."""
        roster = self.roster
        for fid, box in self.groups.items():
            box.set_relevant(ev.is_relevant(FieldRef(fid, roster, row)))
        for fid, calc in self.calculated.items():
            ref = FieldRef(fid, roster, row)
            calc.set_relevant(ev.is_relevant(ref))
            calc.set_value(ev.value(ref))
        for fid, w in self.widgets.items():
            ref = FieldRef(fid, roster, row)
            relevant = ev.is_relevant(ref)
            w.set_relevant(relevant)
            if not relevant:
                continue
            found = findings.get(ref, [])
            if found and not show_required(fid):
                found = [f for f in found if f.rule != "required"]
            w.set_findings(found)
            parent = w.field.filter_by
            if parent:
                pf = self.definition.by_id[parent]
                w.set_parent_value(ev.value(FieldRef(parent, roster if pf.roster else None, row if pf.roster else None)))

    def set_read_only(self, read_only: bool) -> None:
        for w in self.widgets.values():
            w.set_read_only(read_only)

    def retranslate(self) -> None:
        for box in self.groups.values():
            box.retranslate()
        for calc in self.calculated.values():
            calc.retranslate()
        for w in self.widgets.values():
            w.retranslate()

    # -- moving around ---------------------------------------------------------------------
    def first(self) -> FieldWidget | None:
        return next((w for w in self.order if w.can_take_focus()), None)

    def last(self) -> FieldWidget | None:
        return next((w for w in reversed(self.order) if w.can_take_focus()), None)

    def after(self, w: FieldWidget) -> FieldWidget | None:
        """The next question that can be answered, or None after the last."""
        i = self.order.index(w)
        return next((x for x in self.order[i + 1:] if x.can_take_focus()), None)

    def widget(self, field_id: str) -> FieldWidget | None:
        return self.widgets.get(field_id)
