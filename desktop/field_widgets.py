"""One widget per answer type, generated from a questionnaire Field.

Every widget is a line edit an officer types into from paper: text, numbers, dates as
07/03/1985 (or the year alone), codes as written on the form (the label appears beside), or
several codes separated by spaces. What was typed is kept even when it cannot be read, so
the engine reports it next to the question instead of it being lost."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QGridLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from desktop.text import t
from forms import values
from forms.codelists import Choice, ChoiceList
from forms.definition import Definition, Field
from forms.engine import Finding
from forms.i18n import current_language
from forms.text import fold, nfc

ERROR_COLOR = "#b3261e"
WARNING_COLOR = "#8a5300"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class EntryLine(QLineEdit):
    """A line edit where Enter moves on, Down opens the list of codes, and focus is reported."""

    enter = Signal()
    down = Signal()
    focus_in = Signal()
    focus_out = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.holds_enter: Callable[[], bool] = lambda: False  # a list of codes open: Enter picks from it
        self.preferred_width = 0  # the width the layout gives it when there is room

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.preferred_width), hint.height())

    def keyPressEvent(self, e: QKeyEvent) -> None:
        mods = e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.NoModifier:
            if self.holds_enter():
                e.ignore()  # the completer takes the highlighted code
                return
            super().keyPressEvent(e)  # editingFinished first: the answer is committed, then we move on
            e.accept()
            self.enter.emit()
            return
        if e.key() == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.NoModifier:
            self.down.emit()
            e.accept()
            return
        super().keyPressEvent(e)

    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        self.focus_in.emit()

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.focus_out.emit()


def field_label(f: Field) -> str:
    text = f.label.text() if f.label else f.id
    return f"{text} *" if f.required else text


COMMENT_COLOR = "#1a5fb4"
# How a finding looks beside its question: an error, a warning, or a supervisor's comment.
_LOOK = {"error": (ERROR_COLOR, "✖"), "warning": (WARNING_COLOR, "⚠"), "comment": (COMMENT_COLOR, "✎")}


class FieldWidget(QWidget):
    """A question: its label, the line the officer types in, and its findings underneath.

    changed(field id, value, final): value is what will be stored (None when empty); final is
    True when the officer has finished with the answer (left the field, pressed Enter)."""

    changed = Signal(str, object, bool)
    enter = Signal(object)
    focused = Signal(object)
    EDIT_WIDTH = 300

    def __init__(self, definition: Definition, f: Field, label_width: int = 240, parent: QWidget | None = None):
        super().__init__(parent)
        self.definition = definition
        self.field = f
        self._findings: tuple[tuple[str, str], ...] = ()
        self._relevant = True
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setFixedWidth(label_width)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.line = EntryLine(self)
        self.line.setObjectName(f"field_{f.id}")
        # Full width when there is room; narrower rather than pushing the form past the pane
        # (a form wider than its pane scrolls sideways and cuts the labels off).
        self.line.preferred_width = self.EDIT_WIDTH
        self.line.setMaximumWidth(self.EDIT_WIDTH)
        self.line.setMinimumWidth(min(self.EDIT_WIDTH, 160))
        self.line.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.label.setBuddy(self.line)
        self.extra = QLabel(self)
        self.extra.setWordWrap(True)
        self.extra.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.extra.setStyleSheet("color: #1d4f91;")
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setObjectName(f"findings_{f.id}")
        self.problems.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 1, 0, 1)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.line, 0, 1)
        grid.addWidget(self.extra, 0, 2)
        grid.addWidget(self.problems, 1, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        self.line.textEdited.connect(self._edited)
        self.line.editingFinished.connect(self._finished)
        self.line.enter.connect(lambda: self.enter.emit(self))
        self.line.focus_in.connect(lambda: self.focused.emit(self))
        self.retranslate()

    # -- values ----------------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """Show a stored value (no signal)."""
        text = self.to_text(value)
        if self.line.text() != text:
            self.line.setText(text)
        self.update_extra()

    def value(self) -> Any:
        return self.from_text(self.line.text(), final=True)

    def to_text(self, value: Any) -> str:
        return "" if value is None else str(value)

    def from_text(self, text: str, final: bool) -> Any:
        text = nfc(text).strip()
        if not text:
            return None
        return values.coerce(self.definition, self.field, text)

    def _edited(self, text: str) -> None:
        self.update_extra()
        self.changed.emit(self.field.id, self.from_text(text, final=False), False)

    def _finished(self) -> None:
        value = self.from_text(self.line.text(), final=True)
        if self._canonical_display():
            shown = self.to_text(value)
            if shown != self.line.text():
                self.line.setText(shown)
        self.update_extra()
        self.changed.emit(self.field.id, value, True)

    def _canonical_display(self) -> bool:
        """Rewrite what was typed in the stored form's display when leaving the field."""
        return False

    def update_extra(self) -> None:
        """The text beside the line (a code's label); nothing for plain questions."""

    # -- state shown -----------------------------------------------------------------------
    def set_relevant(self, relevant: bool) -> None:
        if relevant != self._relevant:
            self._relevant = relevant
            self.setVisible(relevant)

    @property
    def relevant(self) -> bool:
        return self._relevant

    def set_findings(self, findings: list[Finding]) -> None:
        key = tuple((f.severity, f.message.text()) for f in findings)
        if key == self._findings:
            return
        self._findings = key
        if not key:
            self.problems.hide()
            self.problems.clear()
            self.line.setStyleSheet("")
            return
        lines = []
        for severity, text in key:
            color, mark = _LOOK.get(severity, _LOOK["warning"])
            lines.append(f'<span style="color:{color}">{mark} {_html(text)}</span>')
        self.problems.setText("<br>".join(lines))
        self.problems.show()
        worst = next(_LOOK[s][0] for s in ("error", "warning", "comment") if any(k == s for k, _ in key))
        self.line.setStyleSheet(f"QLineEdit {{ border: 1px solid {worst}; }}")

    def shown_findings(self) -> tuple[tuple[str, str], ...]:
        """(severity, text) of the findings shown beside the question."""
        return self._findings

    def findings_text(self) -> str:
        return "" if self.problems.isHidden() else self.problems.text()

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)

    def set_parent_value(self, value: Any) -> None:
        """The answer of the question this one's codes depend on (filter_by)."""

    def can_take_focus(self) -> bool:
        return self._relevant and self.isVisibleTo(self.window()) and self.line.isEnabled()

    def retranslate(self) -> None:
        self.label.setText(field_label(self.field))
        hint = self.field.hint.text() if self.field.hint else ""
        self.line.setToolTip(hint)
        self.line.setPlaceholderText(self.placeholder() or hint)
        self.update_extra()

    def placeholder(self) -> str:
        return ""


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TextWidget(FieldWidget):
    pass


class NumberWidget(FieldWidget):
    EDIT_WIDTH = 120


class DateWidget(FieldWidget):
    """Dates as written on paper: 07/03/1985; a partial date may be the year alone."""

    EDIT_WIDTH = 130

    def to_text(self, value: Any) -> str:
        if isinstance(value, str):
            m = _ISO.match(value)
            if m:
                return f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
        return super().to_text(value)

    def placeholder(self) -> str:
        return t("date_placeholder_partial") if self.field.type == "partial_date" else t("date_placeholder")

    def _canonical_display(self) -> bool:
        return True


_INDEXES: dict[int, tuple[ChoiceList, list[tuple[Choice, str, str]]]] = {}


def _search_index(choices: ChoiceList) -> list[tuple[Choice, str, str]]:
    """(choice, folded code, folded labels in both languages) for typing part of a name."""
    found = _INDEXES.get(id(choices))
    if found is None or found[0] is not choices:
        found = (choices, [(c, fold(c.code), " " + fold(f"{c.label.vi} {c.label.en}")) for c in choices.items])
        _INDEXES[id(choices)] = found
    return found[1]


class CodeWidget(FieldWidget):
    """A coded question: type the code as written on paper ("2") and its label shows beside;
    or type part of a name (diacritics optional) and pick it from the list with Down/Enter."""

    MAX_CANDIDATES = 40

    def __init__(self, definition: Definition, f: Field, label_width: int = 240, parent: QWidget | None = None):
        self.choices = definition.choices(f)
        width = max(len(c.code) for c in self.choices.items)
        self.EDIT_WIDTH = 70 if width <= 3 else 95
        self.parent_value: Any = None
        self._by_upper = {c.code.upper(): c.code for c in self.choices.items}
        self._widths = {len(c.code) for c in self.choices.items}
        super().__init__(definition, f, label_width, parent)
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(self.line)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[QModelIndex].connect(self._picked)
        self.line.down.connect(lambda: self.show_candidates(all_if_empty=True))
        self.line.holds_enter = self.popup_has_choice

    def exact_code(self, text: str) -> str | None:
        text = text.strip()
        if text in self.choices.by_code:
            return text
        return self._by_upper.get(text.upper())

    def from_text(self, text: str, final: bool) -> Any:
        text = nfc(text).strip()
        if not text:
            return None
        code = self.exact_code(text)
        if code is None and final and text.isdigit():
            for width in sorted(self._widths):
                if len(text) < width and text.zfill(width) in self.choices.by_code:
                    code = text.zfill(width)  # ethnic group "1" written for "01"
                    break
        return code if code is not None else text

    def _canonical_display(self) -> bool:
        return True

    def update_extra(self) -> None:
        text = self.line.text().strip()
        code = self.exact_code(text)
        if code is not None:
            self.extra.setText(self.choices.label(code, current_language()))
            self.extra.setStyleSheet("color: #1d4f91;")
        elif text:
            self.extra.setText(t("code_unknown"))
            self.extra.setStyleSheet(f"color: {WARNING_COLOR};")
        else:
            self.extra.setText("")

    def _edited(self, text: str) -> None:
        super()._edited(text)
        # Digits are codes being typed from paper: no list pops up. Letters search the names.
        if self.exact_code(text) is None and not text.strip().isdigit() and text.strip():
            self.show_candidates()
        elif self.completer.popup().isVisible():
            self.completer.popup().hide()

    def candidates(self, text: str) -> list[Choice]:
        """Choices matching what was typed: code prefix first, then words starting with it,
        then anywhere in the name, then names with every word typed; common codes first; only
        those of the chosen parent."""
        q = " ".join(fold(text).split())
        words = [" " + w for w in q.split()]
        allowed = self._allowed()
        common = {c: i for i, c in enumerate(self.field.common)}
        scored: list[tuple[tuple[int, int, int], Choice]] = []
        for n, (choice, code, names) in enumerate(_search_index(self.choices)):
            if allowed is not None and choice.parent != allowed:
                continue
            if not q or code.startswith(q):
                rank = 0
            elif (" " + q) in names:
                rank = 1
            elif q in names:
                rank = 2
            elif len(words) > 1 and all(w in names for w in words):
                rank = 3  # every word typed starts a word of the name, in any order ("dong son": Đông Khánh Sơn)
            else:
                continue
            scored.append(((rank, common.get(choice.code, len(common)), n), choice))
        scored.sort(key=lambda s: s[0])
        return [c for _, c in scored[: self.MAX_CANDIDATES]]

    def _allowed(self) -> str | None:
        if self.field.filter_by and not values.is_empty(self.parent_value):
            return str(self.parent_value)
        return None

    def show_candidates(self, all_if_empty: bool = False) -> None:
        text = self.line.text()
        if self.line.isReadOnly() or (not text.strip() and not all_if_empty):
            return
        self.model.clear()
        lang = current_language()
        for c in self.candidates(text):
            item = QStandardItem(f"{c.code}  {c.label.text(lang)}")
            item.setData(c.code, CODE_ROLE)
            self.model.appendRow(item)
        if self.model.rowCount() == 0:
            self.completer.popup().hide()
            return
        self.completer.setCompletionPrefix("")
        rect = self.line.rect()
        rect.setWidth(max(420, self.line.width()))
        self.completer.complete(rect)
        self.completer.popup().setCurrentIndex(self.model.index(0, 0))  # Enter takes the best match

    def _picked(self, index: QModelIndex) -> None:
        code = index.data(CODE_ROLE)
        if code is None:
            return
        self.line.setText(code)
        self.update_extra()
        self.changed.emit(self.field.id, code, True)
        QTimer.singleShot(0, self.completer.popup().hide)

    def set_parent_value(self, value: Any) -> None:
        self.parent_value = value

    def placeholder(self) -> str:
        return t("code_placeholder")

    def choice_codes(self) -> list[str]:
        return [c.code for c in self.choices.items]

    def popup_has_choice(self) -> bool:
        popup = self.completer.popup()
        return popup.isVisible() and popup.currentIndex().isValid()


class MultiCodeWidget(FieldWidget):
    """Several codes separated by spaces ("1 4"); their labels show beside."""

    EDIT_WIDTH = 150

    def __init__(self, definition: Definition, f: Field, label_width: int = 240, parent: QWidget | None = None):
        self.choices = definition.choices(f)
        super().__init__(definition, f, label_width, parent)

    def to_text(self, value: Any) -> str:
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
        return super().to_text(value)

    def update_extra(self) -> None:
        parts = [p for p in re.split(r"[\s,;]+", self.line.text().strip()) if p]
        lang = current_language()
        shown = [self.choices.label(p, lang) or f"{p}: {t('code_unknown')}" for p in parts]
        self.extra.setText("; ".join(shown))

    def placeholder(self) -> str:
        return t("codes_placeholder")


class CalculatedWidget(QWidget):
    """A calculation with a label (e.g. the member's age): shown, never typed."""

    def __init__(self, f: Field, label_width: int = 240, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = f
        self._relevant = True
        self.label = QLabel(self)
        self.label.setFixedWidth(label_width)
        self.label.setWordWrap(True)
        self.value_label = QLabel(self)
        self.value_label.setObjectName(f"calc_{f.id}")
        self.value_label.setStyleSheet("font-weight: bold;")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 1, 0, 1)
        grid.setHorizontalSpacing(8)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.value_label, 0, 1)
        grid.setColumnStretch(1, 1)
        self.retranslate()

    def set_value(self, value: Any) -> None:
        self.value_label.setText("—" if value is None or value == "" else str(value))

    def set_relevant(self, relevant: bool) -> None:
        if relevant != self._relevant:
            self._relevant = relevant
            self.setVisible(relevant)

    def retranslate(self) -> None:
        self.label.setText(self.field.label.text() if self.field.label else self.field.id)


def make_widget(definition: Definition, f: Field, label_width: int = 240) -> FieldWidget:
    if f.type == "select_one":
        return CodeWidget(definition, f, label_width)
    if f.type == "select_multiple":
        return MultiCodeWidget(definition, f, label_width)
    if f.type in ("date", "partial_date"):
        return DateWidget(definition, f, label_width)
    if f.type in ("integer", "decimal"):
        return NumberWidget(definition, f, label_width)
    return TextWidget(definition, f, label_width)
