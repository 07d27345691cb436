"""The household editor: the household's questions, its members' table and the selected
member's questions (with the labour module when it applies), and the list of findings.

Every change is evaluated at once (relevance, calculations, errors and warnings beside each
question) and saved as a draft: at once when the officer leaves an answer, within 300 ms
while typing. Everything is generated from the household's questionnaire version."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
import uuid as uuidlib
from collections import defaultdict
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs
from desktop.field_widgets import ERROR_COLOR, FieldWidget
from desktop.findings_panel import FindingsPanel, describe, place, row_title
from desktop.form_view import FormView
from desktop.roster_view import RosterPanel
from desktop.server_notes import ServerNote, read_note
from desktop.settings import Place, Profile
from desktop.text import t
from forms.definition import Definition, Field
from forms.engine import Engine, Evaluation, FieldRef, Finding
from forms.i18n import message
from forms.store import ConflictError, Household, NeedsConfirmation, NotCompletable, Store, StoreError

AUTOSAVE_MS = 300
_REFERENCE = re.compile(r"\$\{(\w+)\}")
READ_ONLY_STATUSES = ("complete", "sent")


class RosterSection:
    """One roster: its table (left column) and the selected row's questions (right column)."""

    def __init__(self, definition: Definition, roster: Field):
        self.roster = roster
        self.panel = RosterPanel(definition, roster)
        self.form = FormView(definition, roster.children, roster.id)
        self.title = ""  # shown above the questions when this roster's row is
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #5f6368;")
        self.page = QWidget()
        layout = QVBoxLayout(self.page)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(self.empty)
        layout.addWidget(self.form)
        layout.addStretch(1)
        self.current: int | None = None


class HouseholdEditor(QWidget):
    saved = Signal(object)  # Household, after every save
    status_changed = Signal(object)  # Household created, completed, reopened or deleted
    place_changed = Signal(object)  # Place
    back = Signal()

    def __init__(self, store: Store, actor: str, profile: Profile | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.profile = profile or Profile()
        self.definition: Definition | None = None
        self.engine: Engine | None = None
        self.household: Household | None = None
        self.record: dict[str, Any] | None = None
        self.ev: Evaluation | None = None
        self.findings: dict[FieldRef, list[Finding]] = {}
        self.touched: set[tuple[str, str]] = set()
        self.settled: dict[str, Any] | None = None  # the record as after the last answer left
        self.typing: tuple[str, str] | None = None  # (question, row id) being typed, not yet left
        self.typing_shown: frozenset[tuple[str, str]] = frozenset()
        self.focus_key: tuple[str, str] | None = None  # (question, row id) that has the focus
        self.note: ServerNote | None = None
        self._asking = False
        self.show_all = False
        self.dirty = False
        self.save_error: str = ""
        self._shown_error = ""
        self.sections: list[RosterSection] = []
        self.household_form: FormView | None = None
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self._retry = QTimer(self, singleShot=True, interval=2000)
        self._retry.timeout.connect(self.save_now)
        self._build_frame()

    # -- frame -----------------------------------------------------------------------------
    def _build_frame(self) -> None:
        self.title = QLabel(self)
        self.title.setObjectName("editor_title")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.status = QLabel(self)
        self.status.setObjectName("editor_status")
        self.save_state = QLabel(self)
        self.save_state.setObjectName("save_state")
        self.back_button = QPushButton(self)
        self.complete_button = QPushButton(self)
        self.complete_button.setObjectName("complete_button")
        self.reopen_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        for b in (self.back_button, self.complete_button, self.reopen_button, self.delete_button):
            b.setAutoDefault(True)
        self.back_button.clicked.connect(self.go_back)
        self.complete_button.clicked.connect(self.mark_complete)
        self.reopen_button.clicked.connect(self.reopen)
        self.delete_button.clicked.connect(self.delete)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.save_state)
        top.addSpacing(12)
        for b in (self.complete_button, self.reopen_button, self.delete_button, self.back_button):
            top.addWidget(b)
        self.banner = QLabel(self)
        self.banner.setObjectName("editor_banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.left = QWidget()
        self.left_layout = QVBoxLayout(self.left)
        self.left_layout.setContentsMargins(0, 0, 0, 0)
        self.left_scroll = QScrollArea()
        self.left_scroll.setWidgetResizable(True)
        self.left_scroll.setWidget(self.left)
        self.left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.right_stack = QStackedWidget()
        self.right_scroll = QScrollArea()
        self.right_scroll.setWidgetResizable(True)
        self.right_scroll.setWidget(self.right_stack)
        self.right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.right = QWidget()  # the selected row's title stays in view above its questions
        right_layout = QVBoxLayout(self.right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        self.row_header = QLabel()
        self.row_header.setObjectName("row_header")
        self.row_header.setStyleSheet("font-weight: bold; font-size: 12pt; color: #143d6b; padding: 4px 6px;")
        right_layout.addWidget(self.row_header)
        right_layout.addWidget(self.right_scroll, 1)
        self.columns = QSplitter(Qt.Orientation.Horizontal)
        self.columns.setObjectName("editor_columns")
        self.columns.addWidget(self.left_scroll)
        self.columns.addWidget(self.right)
        self.columns.setStretchFactor(0, 5)
        self.columns.setStretchFactor(1, 6)
        self.findings_panel = FindingsPanel()
        self.findings_panel.jump.connect(self.jump_to)
        self.rows = QSplitter(Qt.Orientation.Vertical)
        self.rows.setObjectName("editor_rows")
        self.rows.addWidget(self.columns)
        self.rows.addWidget(self.findings_panel)
        self.rows.setStretchFactor(0, 5)
        self.rows.setStretchFactor(1, 1)
        self.rows.setSizes([650, 100])
        self.columns.setSizes([560, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.rows, 1)
        self.retranslate_frame()

    def _build_forms(self, definition: Definition) -> None:
        """The household's questions and one section per roster, for this questionnaire version."""
        if self.definition is definition and self.household_form is not None:
            return
        while self.left_layout.count():
            item = self.left_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for s in self.sections:
            self.right_stack.removeWidget(s.page)
            s.page.deleteLater()
        self.definition = definition
        self.engine = self.store.forms.engine(definition)
        self.household_form = FormView(definition, [f for f in definition.fields if f.type != "roster"], None)
        self.household_form.changed.connect(self._household_changed)
        self.household_form.enter.connect(self._enter)
        self.household_form.focused.connect(self._focused)
        self.left_layout.addWidget(self.household_form)
        self.sections = []
        for roster in definition.rosters:
            s = RosterSection(definition, roster)
            s.form.changed.connect(lambda fid, value, final, s=s: self._row_changed(s, fid, value, final))
            s.form.enter.connect(self._enter)
            s.form.focused.connect(self._focused)
            s.panel.selected.connect(lambda row, s=s: self.select_row(s, row if row >= 0 else None))
            s.panel.add.connect(lambda s=s: self.add_row(s))
            s.panel.remove.connect(lambda s=s: self.remove_row(s))
            s.panel.move.connect(lambda delta, s=s: self.move_row(s, delta))
            s.panel.enter.connect(lambda s=s: self._focus_row_start(s))
            self.left_layout.addWidget(s.panel)
            self.right_stack.addWidget(s.page)
            self.sections.append(s)
        self.left_layout.addStretch(1)
        for w in (self.household_form, *(x for s in self.sections for x in (s.form,))):
            for fw in w.order:
                fw.line.focus_out.connect(lambda fw=fw: self._left_field(fw))
        if self.sections:
            self.right_stack.setCurrentWidget(self.sections[0].page)
        self._chain_tab_order()
        self.retranslate_frame()

    def _chain_tab_order(self) -> None:
        """One fixed Tab order: household questions, then per roster its table, buttons and the
        row's questions, then the findings, then the editor's buttons."""
        chain: list[QWidget] = [w.line for w in self.household_form.order] if self.household_form else []
        for s in self.sections:
            p = s.panel
            chain += [p.table, p.add_button, p.remove_button, p.up_button, p.down_button]
            chain += [w.line for w in s.form.order]
        chain += [self.findings_panel.list, self.complete_button, self.reopen_button, self.delete_button, self.back_button]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    # -- opening ---------------------------------------------------------------------------
    @property
    def uuid(self) -> str | None:
        return self.record["uuid"] if self.record else None

    @property
    def read_only(self) -> bool:
        return self.household is not None and self.household.status in READ_ONLY_STATUSES

    def new_household(self) -> bool:
        """An empty household with what the profile knows (province, commune, the village if
        only one); nothing is stored until the officer answers something. False (and the
        household on screen stays) if the one on screen could not be saved."""
        if not self.flush():
            return False
        definition = self.store.forms.current()
        record = self.store.new_record(officer=self.profile.officer_name, definition=definition)
        prefill = {"province_code": self.profile.province, "commune_code": self.profile.commune,
                   "village": self.profile.villages[0] if len(self.profile.villages) == 1 else ""}
        for column, value in prefill.items():
            fid = definition.summary.get(column)
            if fid and value and definition.by_id[fid].is_answer:
                record["household"].setdefault(fid, value)
        self._load(definition, record, None, show_all=False)
        self.focus_first()
        return True

    def open_household(self, uuid: str, place: Place | None = None) -> bool:
        """Show a stored household; False if the one on screen could not be saved first."""
        if not self.flush():
            return False
        h = self.store.get(uuid)
        if h.deleted_at:
            raise StoreError(message("store_deleted", uuid=uuid))
        self._load(self.store.definition_of(h), copy.deepcopy(h.record or {"uuid": uuid}), h, show_all=True)
        if not (place is not None and place.field and self.jump_to_place(place)):
            self.focus_first()
        return True

    def _load(self, definition: Definition, record: dict[str, Any], household: Household | None, show_all: bool) -> None:
        self._autosave.stop()
        self._build_forms(definition)
        for r in definition.rosters:
            record.setdefault(r.id, [])
            for row in record[r.id]:
                row.setdefault("_id", uuidlib.uuid4().hex)
        record.setdefault("household", {})
        self.record = record
        self.household = household
        self.dirty = False
        self.save_error = ""
        self.touched = set()
        self.typing = None
        self.show_all = show_all
        assert self.household_form is not None
        self.household_form.load(record["household"])
        for s in self.sections:
            s.current = 0 if record[s.roster.id] else None
            self._load_row(s)
        self._evaluate()
        self.settled = copy.deepcopy(record)
        self._refresh()
        for s in self.sections:
            s.panel.fit_columns()
        self._update_state()

    def _load_row(self, s: RosterSection) -> None:
        rows = self.record[s.roster.id] if self.record else []
        if s.current is not None and s.current < len(rows):
            s.form.load(rows[s.current])
        s.form.setVisible(s.current is not None)
        s.empty.setVisible(s.current is None)

    # -- evaluating and showing ------------------------------------------------------------
    def _evaluate(self) -> None:
        assert self.engine is not None and self.record is not None
        self.ev = self.engine.evaluate(self.record, elsewhere=self.store.elsewhere(self.record["uuid"]))
        # The supervisor's comments (or the server's reasons) stay next to their questions
        # until the province accepts the household again.
        self.note = read_note(self.household.server_note if self.household else None)

    def _shown_findings(self) -> list[Finding]:
        """The findings the officer is shown now: a required answer once its question was
        passed (or completing was asked), "at least one member" once completing was asked,
        and for the question being typed only what it showed before the typing began (an
        error may go at once, a new one waits until the officer leaves the question)."""
        assert self.ev is not None
        return [f for f in self.ev.findings if self._shows(f)]

    def _shows(self, f: Finding) -> bool:
        if f.rule == "min_rows":
            return self.show_all
        key = (f.ref.field, self._row_id(f.ref))
        if f.rule == "required" and not (self.show_all or key in self.touched):
            return False
        return key != self.typing or (f.severity, f.message.text()) in self.typing_shown

    def _row_id(self, ref: FieldRef) -> str:
        if ref.roster is None or ref.row is None or self.record is None:
            return ""
        rows = self.record.get(ref.roster) or []
        return rows[ref.row].get("_id", "") if ref.row < len(rows) else ""

    def _typing_in(self, w: FieldWidget | None, key: tuple[str, str], final: bool) -> None:
        """Remember the question being typed and what it showed when the typing began."""
        if final:
            self.typing = None
        elif self.typing != key:
            self.typing = key
            self.typing_shown = frozenset(w.shown_findings()) if w is not None else frozenset()

    def _refresh(self) -> None:
        ev, d = self.ev, self.definition
        assert ev is not None and d is not None and self.record is not None and self.household_form is not None
        shown = self._shown_findings()
        index: dict[FieldRef, list[Finding]] = defaultdict(list)
        for f in [*shown, *(self.note.findings if self.note else [])]:
            index[f.ref].append(f)
        self.findings = index
        touched, show_all = self.touched, self.show_all
        self.household_form.apply(ev, None, self.findings, lambda fid: show_all or (fid, "") in touched)
        for s in self.sections:
            rows = self.record[s.roster.id]
            s.panel.set_rows(rows, ev, s.current, shown)
            s.panel.set_problems([(f.severity, f.message.text()) for f in self.findings.get(FieldRef(s.roster.id), [])])
            if s.current is not None:
                row_id = rows[s.current]["_id"]
                s.form.apply(ev, s.current, self.findings, lambda fid, r=row_id: show_all or (fid, r) in touched)
                s.title = row_title(d, ev, s.roster.id, s.current)
            else:
                s.title = s.roster.label.text() if s.roster.label else s.roster.id
            if self.right_stack.currentWidget() is s.page:
                self.row_header.setText(s.title)
        self.findings_panel.set_findings(d, ev, self.note.findings if self.note else (), shown=shown)

    def _update_state(self) -> None:
        h = self.household
        code = (self.record or {}).get("household", {}).get(self.definition.summary.get("household_code", "")) \
            if self.definition else None
        self.title.setText(t("editor_title", code=code) if code else t("editor_title_new"))
        status = h.status if h else "draft"
        self.status.setText(f"· {t('status_' + status)}")
        ro = self.read_only
        if self.household_form:
            self.household_form.set_read_only(ro)
        for s in self.sections:
            s.form.set_read_only(ro)
            s.panel.set_read_only(ro)
        self.complete_button.setVisible(not ro)
        self.reopen_button.setVisible(ro)
        self.delete_button.setEnabled(h is not None)
        note = getattr(self, "note", None)
        if ro:
            self.banner.setText(t("editor_read_only", status=t("status_" + status)))
            self.banner.setStyleSheet("background: #e8f0fe; padding: 6px;")
            self.banner.show()
        elif note is not None and not self.save_error:
            self.banner.setText(self._note_text(note))
            self.banner.setStyleSheet("background: #fff4e5; color: #6b3e00; padding: 6px; border: 1px solid #f0b64d;")
            self.banner.show()
        elif self.save_error:
            self.banner.setText(self.save_error)
            self.banner.setStyleSheet(f"background: #fce8e6; color: {ERROR_COLOR}; padding: 6px;")
            self.banner.show()
        else:
            self.banner.hide()
        if self.save_error:
            self.save_state.setText(t("save_failed_short"))
            self.save_state.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        elif h is None:
            self.save_state.setText(t("save_not_yet"))
            self.save_state.setStyleSheet("color: #5f6368;")
        else:
            self.save_state.setText(t("save_done", time=_local_time(h.updated_at)))
            self.save_state.setStyleSheet("color: #1e7b34;")

    def _note_text(self, note: ServerNote) -> str:
        lines = [t("editor_note_returned", by=note.by or "-", round=note.round or 1) if note.outcome == "returned"
                 else t("editor_note_refused")]
        if note.message is not None and note.message.text().strip():
            lines.append(note.message.text())
        lines += [m.text() for m in note.loose]
        if note.findings:
            lines.append(t("editor_note_fields", n=len(note.findings)))
        return "\n".join(lines)

    # -- changes ---------------------------------------------------------------------------
    def _household_changed(self, fid: str, value: Any, final: bool) -> None:
        if self.record is None or self.read_only:
            return
        answers = self.record["household"]
        if value is None:
            answers.pop(fid, None)
        else:
            answers[fid] = value
        self._typing_in(self.household_form.widget(fid) if self.household_form else None, (fid, ""), final)
        if final:
            self.touched.add((fid, ""))
            if not self._keep_hidden_answers(None, fid):
                return
        self._changed(final)

    def _row_changed(self, s: RosterSection, fid: str, value: Any, final: bool) -> None:
        if self.record is None or self.read_only or s.current is None:
            return
        row = self.record[s.roster.id][s.current]
        if value is None:
            row.pop(fid, None)
        else:
            row[fid] = value
        self._typing_in(s.form.widget(fid), (fid, row["_id"]), final)
        if final:
            self.touched.add((fid, row["_id"]))
            if not self._keep_hidden_answers(s, fid):
                return
        self._changed(final)

    def _keep_hidden_answers(self, s: RosterSection | None, fid: str) -> bool:
        """An answer that leaves answers already typed without their question (a birth date
        that makes a member under 15 hides the labour module) is asked about first: on
        Cancel the answer goes back to what it was. False if it went back."""
        assert self.engine is not None and self.record is not None and self.definition is not None
        if self._asking or self.settled is None:
            return True
        before = self.engine.evaluate(self.settled)
        after = self.engine.evaluate(self.record)
        hidden = [r for r in after.irrelevant_answers
                  if r not in set(before.irrelevant_answers) and not self._decides(fid, r.field)]
        if not hidden:
            return True
        rows = sorted({r.row for r in hidden if r.roster is not None and r.row is not None})
        roster = next((r.roster for r in hidden if r.roster is not None), None)
        who = ", ".join(row_title(self.definition, after, roster, i) for i in rows) if roster else ""
        self._asking = True  # leaving the line for the dialog sends the answer once more
        try:
            go_on = dialogs.confirm(self, t("hide_answers_title"),
                                    t("hide_answers_text", n=len(hidden), who=who or t("hide_answers_household")),
                                    t("hide_answers_yes"), t("hide_answers_no"))
        finally:
            self._asking = False
        if go_on:
            return True
        self._restore_settled(s, fid)
        return False

    def _decides(self, fid: str, hidden: str) -> bool:
        """Whether a question's answer itself decides if `hidden` applies (the labour status
        opens one branch and closes another, in front of the officer): then no question is
        asked. A birth date does it through the age, out of sight: then it is asked."""
        assert self.definition is not None
        f: Field | None = self.definition.by_id.get(hidden)
        while f is not None:
            if f.relevant and fid in _REFERENCE.findall(f.relevant):
                return True
            f = self.definition.by_id.get(f.parent) if f.parent else None
        return False

    def _restore_settled(self, s: RosterSection | None, fid: str) -> None:
        """Put back the answer as it was after the officer last left a question."""
        assert self.record is not None and self.settled is not None
        if s is None:
            old, answers = self.settled["household"], self.record["household"]
        else:
            row_id = self.record[s.roster.id][s.current]["_id"]
            old = next((r for r in self.settled.get(s.roster.id, []) if r.get("_id") == row_id), {})
            answers = self.record[s.roster.id][s.current]
        if fid in old:
            answers[fid] = copy.deepcopy(old[fid])
        else:
            answers.pop(fid, None)
        form = self.household_form if s is None else s.form
        w = form.widget(fid) if form is not None else None
        if w is not None:
            w.set_value(answers.get(fid))
            w.line.selectAll()
        self._changed(final=True)

    def _changed(self, final: bool) -> None:
        self.dirty = True
        self._evaluate()
        self._refresh()
        if final:
            self.settled = copy.deepcopy(self.record)
            self.save_now()
        else:
            self._autosave.start()

    def _left_field(self, w: FieldWidget) -> None:
        """Leaving a question shows whether it still needs an answer."""
        if self.record is None:
            return
        # The row it was entered in: adding or choosing a member changes the row shown
        # before the focus leaves the question, and the next member has not been reached.
        key = self.focus_key if self.focus_key and self.focus_key[0] == w.field.id else None
        if key is None:
            s = self._section_of(w)
            if s is not None and s.current is None:
                return
            key = (w.field.id, self.record[s.roster.id][s.current]["_id"] if s is not None else "")
        if key not in self.touched:
            self.touched.add(key)
            if self.ev is not None:
                self._refresh()

    # -- saving ----------------------------------------------------------------------------
    def flush(self) -> bool:
        """Save now whatever is waiting; False if it could not be saved."""
        return self.save_now()

    def save_now(self) -> bool:
        self._autosave.stop()
        if self.record is None or not self.dirty:
            return not self.save_error
        created = self.household is None
        try:
            saved = self.store.save(self.record, actor=self.actor,
                                    expected_revision=self.household.revision if self.household else None)
        except ConflictError:
            self.dirty = False
            uuid = self.record["uuid"]
            dialogs.warn(self, t("conflict_title"), t("conflict_text"))
            self.open_household(uuid)
            return False
        except StoreError as exc:
            self.save_error = t("save_failed", reason=exc.msg.text())
            self._update_state()
            if self._shown_error != exc.msg.en:
                self._shown_error = exc.msg.en
                dialogs.warn(self, t("save_failed_title"), self.save_error)
            self._retry.start()
            return False
        self.dirty = False
        self.save_error = ""
        self._shown_error = ""
        self._retry.stop()
        status_before = self.household.status if self.household else None
        self.household = saved.household
        self._update_state()
        self.saved.emit(saved.household)
        if created or status_before != saved.household.status:
            self.status_changed.emit(saved.household)
        return True

    # -- completing ------------------------------------------------------------------------
    def mark_complete(self) -> bool:
        if self.record is None or self.read_only:
            return False
        if not self.flush():
            return False
        if self.household is None:
            dialogs.inform(self, t("complete_title"), t("complete_nothing"))
            return False
        try:
            saved = self.store.complete(self.household.uuid, actor=self.actor)
        except NeedsConfirmation as exc:
            lines = self._finding_lines(exc.evaluation.warnings)
            if not dialogs.confirm(self, t("complete_title"), t("complete_warnings", n=len(exc.evaluation.warnings)),
                                   t("complete_confirm_yes"), t("complete_confirm_no"), details=lines):
                return False
            saved = self.store.complete(self.household.uuid, actor=self.actor, accept_warnings=True)
        except NotCompletable as exc:
            self.show_all = True
            self._evaluate()
            self._refresh()
            errors = exc.evaluation.errors
            dialogs.warn(self, t("complete_title"), t("complete_refused", n=len(errors)), self._finding_lines(errors))
            assert self.definition is not None and self.ev is not None
            self.jump_to(place(self.definition, self.ev, errors[0]))
            return False
        except StoreError as exc:
            dialogs.warn(self, t("complete_title"), exc.msg.text())
            return False
        self._after_status_change(saved.household)
        return True

    def _finding_lines(self, findings: list[Finding], limit: int = 12) -> str:
        assert self.definition is not None and self.ev is not None
        lines = [f"• {describe(self.definition, self.ev, f)}" for f in findings[:limit]]
        if len(findings) > limit:
            lines.append(t("and_more", n=len(findings) - limit))
        return "\n".join(lines)

    def reopen(self) -> None:
        if self.household is None or not self.read_only:
            return
        try:
            saved = self.store.reopen(self.household.uuid, actor=self.actor)
        except StoreError as exc:
            dialogs.warn(self, t("reopen"), exc.msg.text())
            return
        self._after_status_change(saved.household)
        self.focus_first()

    def _after_status_change(self, h: Household) -> None:
        assert self.definition is not None
        self._load(self.definition, copy.deepcopy(h.record or {"uuid": h.uuid}), h, show_all=True)
        self.status_changed.emit(h)
        self.saved.emit(h)

    def delete(self) -> None:
        if self.household is None:
            return
        code = self.household.household_code or ""
        if not dialogs.confirm(self, t("delete_title"), t("delete_text", code=code), t("delete_yes"), t("delete_no")):
            return
        try:
            self.store.delete(self.household.uuid, actor=self.actor)
        except StoreError as exc:
            dialogs.warn(self, t("delete_title"), exc.msg.text())
            return
        h = self.household
        self.record = None
        self.household = None
        self.dirty = False
        self.status_changed.emit(h)
        self.back.emit()

    def go_back(self) -> None:
        if self.flush():
            self.back.emit()

    # -- rows ------------------------------------------------------------------------------
    def section(self, index: int = 0) -> RosterSection:
        return self.sections[index]

    def _section_of(self, w: FieldWidget) -> RosterSection | None:
        return next((s for s in self.sections if w.field.roster == s.roster.id), None)

    def select_row(self, s: RosterSection, row: int | None) -> None:
        if self.record is None:
            return
        rows = self.record[s.roster.id]
        if row is not None and not 0 <= row < len(rows):
            return
        if row == s.current:
            return
        s.current = row
        self.right_stack.setCurrentWidget(s.page)
        self._load_row(s)
        self._refresh()

    def select_member(self, row: int) -> None:
        """Select a row of the first roster (the household's members)."""
        if self.sections:
            self.select_row(self.sections[0], row)

    def add_row(self, s: RosterSection | None = None) -> None:
        s = s or (self.sections[0] if self.sections else None)
        if s is None or self.record is None or self.read_only:
            return
        rows = self.record[s.roster.id]
        rows.append({"_id": uuidlib.uuid4().hex})
        s.current = len(rows) - 1
        self.right_stack.setCurrentWidget(s.page)
        self._load_row(s)
        self._changed(final=True)
        self._focus_row_start(s)

    def remove_row(self, s: RosterSection) -> None:
        if self.record is None or self.read_only or s.current is None:
            return
        assert self.definition is not None
        title = row_title(self.definition, self.ev, s.roster.id, s.current)
        if not dialogs.confirm(self, t("member_remove_title"), t("member_remove_text", who=title),
                               t("member_remove_yes"), t("member_remove_no")):
            return
        rows = self.record[s.roster.id]
        rows.pop(s.current)
        s.current = min(s.current, len(rows) - 1) if rows else None
        self._load_row(s)
        self._changed(final=True)
        if s.current is not None:
            s.panel.table.setFocus()
        else:
            self._focus_add(s)

    def move_row(self, s: RosterSection, delta: int) -> None:
        if self.record is None or self.read_only or s.current is None:
            return
        rows = self.record[s.roster.id]
        target = s.current + delta
        if not 0 <= target < len(rows):
            return
        rows[s.current], rows[target] = rows[target], rows[s.current]
        s.current = target
        self._load_row(s)
        self._changed(final=True)

    # -- moving around ---------------------------------------------------------------------
    def focus_first(self) -> None:
        first = self.household_form.first() if self.household_form else None
        if first is not None:
            self._focus(first)

    def _focus(self, w: FieldWidget) -> None:
        scroll = self.right_scroll if self._section_of(w) else self.left_scroll
        scroll.ensureWidgetVisible(w, 0, 60)  # no sideways scroll that would cut the labels
        if not self.window().isActiveWindow():
            self.window().activateWindow()  # a list of codes just closed may still hold the activation
        w.line.setFocus(Qt.FocusReason.OtherFocusReason)
        w.line.selectAll()

    def _focus_add(self, s: RosterSection) -> None:
        self.left_scroll.ensureWidgetVisible(s.panel.add_button, 20, 20)
        s.panel.add_button.setFocus()

    def _focus_row_start(self, s: RosterSection) -> None:
        if s.current is None:
            self._focus_add(s)
            return
        first = s.form.first()
        if first is not None:
            self._focus(first)

    def _enter(self, w: FieldWidget) -> None:
        """Enter moves to the next question that applies; after the household's questions to
        the members; after a member's last question to the next member, or to "add member"."""
        s = self._section_of(w)
        form = s.form if s else self.household_form
        assert form is not None
        nxt = form.after(w)
        if nxt is not None:
            self._focus(nxt)
            return
        if s is None:
            target = self.sections[0] if self.sections else None
            if target is None:
                self.complete_button.setFocus()
                return
            if target.current is None and self.record and self.record[target.roster.id]:
                self.select_row(target, 0)
            self._focus_row_start(target)
            return
        rows = self.record[s.roster.id] if self.record else []
        if s.current is not None and s.current + 1 < len(rows):
            self.select_row(s, s.current + 1)
            self._focus_row_start(s)
            return
        self._focus_add(s)

    def _focused(self, w: FieldWidget) -> None:
        if self.record is None:
            return
        s = self._section_of(w)
        row_id = ""
        if s is not None:
            self.right_scroll.ensureWidgetVisible(w, 40, 60)
            if s.current is not None:
                row_id = self.record[s.roster.id][s.current]["_id"]
        else:
            self.left_scroll.ensureWidgetVisible(w, 0, 60)
        self.focus_key = (w.field.id, row_id)
        self.place_changed.emit(Place(self.record["uuid"], w.field.id, row_id))

    def jump_to(self, ref: FieldRef) -> None:
        """Show and focus the question of a finding."""
        if self.record is None or self.household_form is None:
            return
        if ref.roster is None:
            w = self.household_form.widget(ref.field)
            if w is not None and w.can_take_focus():
                self._focus(w)
                return
            s = next((x for x in self.sections if x.roster.id == ref.field), None)
            if s is not None:
                s.panel.table.setFocus()
                self.left_scroll.ensureWidgetVisible(s.panel)
            return
        s = next((x for x in self.sections if x.roster.id == ref.roster), None)
        if s is None or ref.row is None:
            return
        self.select_row(s, ref.row)
        w = s.form.widget(ref.field)
        if w is not None and w.can_take_focus():
            self._focus(w)
        else:
            s.panel.table.setFocus()

    def jump_to_place(self, place: Place) -> bool:
        if self.record is None:
            return False
        row = None
        roster = None
        if place.row_id:
            for s in self.sections:
                ids = [r.get("_id") for r in self.record[s.roster.id]]
                if place.row_id in ids:
                    roster, row = s.roster.id, ids.index(place.row_id)
        if place.row_id and roster is None:
            return False
        ref = FieldRef(place.field, roster, row)
        self.jump_to(ref)
        return True

    def next_member(self, delta: int) -> None:
        s = self.sections[0] if self.sections else None
        if s is None or self.record is None or s.current is None:
            return
        target = s.current + delta
        if 0 <= target < len(self.record[s.roster.id]):
            self.select_row(s, target)
            self._focus_row_start(s)

    def next_finding(self) -> None:
        """F8: the next finding, in the order of the list, wrapping. The list's current row
        remembers the last one reached: two findings may lead to the same question (a member's
        relation for "exactly one head" and for "head under 15"), and the focus alone would
        bring F8 back to the first of them every time."""
        refs = self.findings_panel.refs()
        if not refs:
            return
        current = self._focused_ref()
        last = self.findings_panel.list.currentRow()
        start = refs.index(current) + 1 if current in refs else 0
        if 0 <= last < len(refs) and refs[last] == current:
            start = last + 1
        target = start % len(refs)
        self.findings_panel.list.setCurrentRow(target)
        self.jump_to(refs[target])

    def _focused_ref(self) -> FieldRef | None:
        for form, s in [(self.household_form, None), *((x.form, x) for x in self.sections)]:
            if form is None:
                continue
            for w in form.order:
                if w.line.hasFocus():
                    return FieldRef(w.field.id, s.roster.id if s else None, s.current if s else None)
        return None

    # -- language --------------------------------------------------------------------------
    def retranslate_frame(self) -> None:
        self.back_button.setText(t("back_to_list"))
        self.back_button.setToolTip(t("back_to_list_tip"))
        self.complete_button.setText(t("mark_complete"))
        self.complete_button.setToolTip(t("mark_complete_tip"))
        self.reopen_button.setText(t("reopen"))
        self.delete_button.setText(t("delete_household"))
        for s in self.sections:
            s.empty.setText(t("roster_empty", add=t("member_add")))

    def retranslate(self) -> None:
        self.retranslate_frame()
        self.findings_panel.retranslate()
        if self.household_form is not None:
            self.household_form.retranslate()
        for s in self.sections:
            s.form.retranslate()
            s.panel.retranslate()
        if self.record is not None and self.ev is not None:
            self._refresh()
            self._update_state()


def _local_time(iso: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return when.astimezone().strftime("%H:%M:%S")
