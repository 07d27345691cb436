"""The main window: the household list and the household editor, the counts always visible
in the status bar, menus with every action and its shortcut."""

from __future__ import annotations

import datetime as dt
import functools
import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QStackedWidget, QWidget

from desktop import dialogs, errors, printer, tasks
from desktop.auto_sync import AutoSync, SyncOutcome, SyncRunner
from desktop.enroll_dialog import EnrollDialog
from desktop.household_editor import HouseholdEditor
from desktop.household_list import HouseholdListPage
from desktop.lock import LOCK_SHORTCUT, ScreenLock
from desktop.profile_dialog import ProfileDialog
from desktop.settings import Place, Profile, UiSettings
from desktop.sync_panel import SyncIndicator, SyncPanel, error_text
from desktop.text import number, t
from desktop.unlock_dialog import ChangePassphraseDialog
from desktop.worker import Task, run_task
from forms import __version__
from forms.i18n import current_language, set_language
from forms.store import Household, Store, StoreError

COUNTED = ("draft", "complete", "waiting", "returned", "sent")


class MainWindow(QMainWindow):
    def __init__(self, store: Store, profile: Profile, settings: UiSettings, profile_name: str, actor: str,
                 exports_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("main_window")
        self.store = store
        self.profile = profile
        self.settings = settings
        self.profile_name = profile_name
        self.actor = actor
        self.exports_dir = exports_dir
        self.tasks: list[Task] = []
        self.list_page = HouseholdListPage(store, profile.villages)
        self.editor = HouseholdEditor(store, actor, profile)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.editor)
        self.setCentralWidget(self.stack)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("counts")
        self.statusBar().addPermanentWidget(self.counts_label)
        self._make_sync()
        self.list_page.open_household.connect(self.open_household)
        self.list_page.new_household.connect(self.new_household)
        self.list_page.counts_ready.connect(self.show_counts)
        self.editor.back.connect(self.show_list)
        self.editor.status_changed.connect(self._households_changed)
        self.editor.place_changed.connect(self._place_changed)
        self.switch_requested = False  # File › Switch profile: app.run opens the list of profiles
        # Only an encrypted profile has a passphrase to ask again (a plain one is encrypted at start).
        self.screen_lock: ScreenLock | None = None
        if store.encrypted:
            self.screen_lock = ScreenLock(self, store.path, profile_name, minutes=settings.lock_minutes,
                                          before_lock=self.editor.flush)
        self._make_actions()
        self.retranslate()
        self.stack.currentChanged.connect(lambda _i: self._update_actions())
        self._update_actions()
        self.auto_sync.start()

    # -- actions ---------------------------------------------------------------------------
    def _action(self, key: str, slot, shortcuts: list[QKeySequence | str] | None = None) -> QAction:
        a = QAction(self)
        a.setObjectName(f"action_{key}")
        a.triggered.connect(lambda _checked=False: slot())
        if shortcuts:
            a.setShortcuts([QKeySequence(s) for s in shortcuts])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(a)
        self.actions_by_key[key] = a
        return a

    def _make_actions(self) -> None:
        self.actions_by_key: dict[str, QAction] = {}
        e = self.editor
        self._action("new_household", self.new_household, ["Ctrl+N"])
        self._action("new_member", lambda: e.add_row(), ["Ctrl+M"])
        self._action("save", self.save, ["Ctrl+S"])
        self._action("complete", e.mark_complete, ["Ctrl+Return", "Ctrl+Enter"])
        self._action("back_to_list", self.back_to_list, ["Ctrl+L"])
        self._action("find", self.find, ["Ctrl+F"])
        self._action("next_member", lambda: e.next_member(1), ["Ctrl+PgDown"])
        self._action("previous_member", lambda: e.next_member(-1), ["Ctrl+PgUp"])
        self._action("next_finding", e.next_finding, ["F8"])
        self._action("print_household", self.print_household, ["Ctrl+P"])
        self._action("print_blank", self.print_blank)
        self._action("print_report", self.print_report)
        self._action("check_all", self.check_all)
        self._action("export_statistics", self.export_statistics)
        self._action("profile", self.edit_profile)
        self._action("language_vi", lambda: self.switch_language("vi"))
        self._action("language_en", lambda: self.switch_language("en"))
        self._action("shortcuts", self.show_shortcuts, ["F1"])
        self._action("about", self.show_about)
        self._action("sync_now", self.sync_now, ["F9"])
        self._action("sync_panel", self.show_sync_panel)
        self._action("enroll", self.enroll)
        self._action("lock", self.lock_screen, [LOCK_SHORTCUT])
        self._action("switch_profile", self.switch_profile)
        self._action("change_passphrase", self.change_passphrase)
        self._action("quit", self.close, ["Ctrl+Q"])
        for key in ("language_vi", "language_en"):
            self.actions_by_key[key].setCheckable(True)
        self.menus: dict[str, QMenu] = {}
        layout = {
            "menu_file": ["new_household", None, "print_blank", "print_report", None, "check_all",
                          "export_statistics", None, "lock", "switch_profile", "quit"],
            "menu_household": ["save", "complete", "new_member", "next_member", "previous_member", "next_finding",
                               None, "print_household", None, "back_to_list", "find"],
            "menu_sync": ["sync_now", "sync_panel", None, "enroll"],
            "menu_settings": ["profile", "change_passphrase", None, "language_vi", "language_en"],
            "menu_help": ["shortcuts", "about"],
        }
        for name, keys in layout.items():
            menu = self.menuBar().addMenu("")
            menu.setObjectName(name)
            for key in keys:
                if key is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.actions_by_key[key])
            self.menus[name] = menu

    def _update_actions(self) -> None:
        in_editor = self.stack.currentWidget() is self.editor
        for key in ("lock", "change_passphrase"):
            self.actions_by_key[key].setEnabled(self.screen_lock is not None)
        for key in ("new_member", "save", "complete", "back_to_list", "next_member", "previous_member", "next_finding",
                    "print_household"):
            self.actions_by_key[key].setEnabled(in_editor)
        lang = current_language()
        self.actions_by_key["language_vi"].setChecked(lang == "vi")
        self.actions_by_key["language_en"].setChecked(lang == "en")

    # -- pages -----------------------------------------------------------------------------
    def new_household(self) -> None:
        created = self.editor.new_household()
        self.stack.setCurrentWidget(self.editor)
        if created:
            self.editor.focus_first()

    def open_household(self, uuid: str, place: Place | None = None) -> bool:
        try:
            opened = self.editor.open_household(uuid, place)
        except StoreError as exc:
            dialogs.warn(self, t("open_failed_title"), exc.msg.text())
            return False
        self.stack.setCurrentWidget(self.editor)
        if not opened:
            return False
        if place is not None and place.field:
            self.editor.jump_to_place(place)
        else:
            self.editor.focus_first()
        self._place_changed(place or Place(uuid))
        return True

    def back_to_list(self) -> None:
        self.editor.go_back()

    def show_list(self) -> None:
        self.settings.set_place(self.profile_name, None)
        self.stack.setCurrentWidget(self.list_page)
        self.list_page.refresh()
        self.list_page.focus_list()

    def save(self) -> None:
        if self.editor.flush():
            self.statusBar().showMessage(t("saved_message"), 3000)

    def find(self) -> None:
        if self.stack.currentWidget() is self.editor:
            self.editor.go_back()
        self.list_page.focus_search()

    def restore_place(self) -> None:
        """Reopen the household and question where the officer was."""
        place = self.settings.place(self.profile_name)
        if place is None:
            self.list_page.focus_list()
            return
        try:
            self.store.get(place.household)
        except StoreError:
            self.settings.set_place(self.profile_name, None)
            self.list_page.focus_list()
            return
        self.open_household(place.household, place)

    def _place_changed(self, place: Place) -> None:
        self.settings.set_place(self.profile_name, place)

    def _households_changed(self, _h: Household) -> None:
        self.list_page.refresh()
        self.sync_panel.refresh()

    def show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        parts = [f"{t('count_' + key)}: {number(counts.get(key, 0))}" for key in COUNTED]
        self.counts_label.setText("   ·   ".join(parts))

    # -- long work -------------------------------------------------------------------------
    def check_all(self) -> Task:
        self.editor.flush()
        task = run_task(self, t("task_check_title"), tasks.check_all, self.store.path, self.store.forms)
        task.succeeded.connect(self._checked)
        task.failed.connect(self._task_failed)
        task.cancelled.connect(lambda: self.statusBar().showMessage(t("task_cancelled"), 5000))
        self._keep(task)
        return task

    def _checked(self, report: tasks.CheckReport) -> None:
        lines = [f"• {code or uuid[:8]}: {t('n_errors', n=n)}" for uuid, code, n in report.with_errors[:15]]
        if len(report.with_errors) > 15:
            lines.append(t("and_more", n=len(report.with_errors) - 15))
        dialogs.inform(self, t("task_check_title"),
                       t("task_check_done", checked=number(report.checked), errors=number(len(report.with_errors)),
                         warnings=number(report.with_warnings)), "\n".join(lines))

    def export_statistics(self) -> None:
        """CSV, Excel, SPSS and Stata files with a codebook, for the district's statisticians."""
        from desktop.export_dialog import open_export_dialog

        self.editor.flush()
        open_export_dialog(self, self.store, self.store.forms)

    def print_household(self) -> Task | None:
        if not self.editor.flush() or self.editor.household is None:
            return None
        h = self.editor.household
        name = f"{h.household_code or h.uuid[:8]}".replace("/", "-")
        return self._print(tasks.print_household, h.uuid, target=self._pdf_target(f"phieu-{name}"), personal=True)

    def print_blank(self) -> Task:
        return self._print(tasks.print_blank, target=self._pdf_target("phieu-trang"))

    def print_report(self) -> Task | None:
        """The commune report counts complete households; when drafts are waiting the officer
        chooses whether to count them too (the report then says so on its first line)."""
        self.editor.flush()
        drafts = self.store.count(status="draft") + self.store.count(status="returned")
        fn = tasks.print_report
        if drafts:
            choice = dialogs.choose(self, t("task_print_title"), t("report_drafts_question", drafts=drafts),
                                    [t("report_complete_only"), t("report_with_drafts"), t("cancel")])
            if choice == 2:
                return None
            fn = functools.partial(tasks.print_report, drafts=choice == 1)
        return self._print(fn, target=self._pdf_target("bao-cao"), officer=self.profile.officer_name)

    def _pdf_target(self, stem: str) -> Path:
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        return self.exports_dir / f"{stem}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.pdf"

    def _print(self, fn, *args: object, target: Path, officer: str | None = None, personal: bool = False) -> Task:
        extra = (officer or "",) if officer is not None else ()
        task = run_task(self, t("task_print_title"), fn, self.store.path, *args, target, *extra, self.store.forms)
        task.succeeded.connect(lambda _pages: self._printed(target, personal))
        task.failed.connect(self._task_failed)
        task.cancelled.connect(lambda: self.statusBar().showMessage(t("task_cancelled"), 5000))
        self._keep(task)
        return task

    def _printed(self, target: Path, personal: bool = False) -> None:
        """Offer to open the PDF (to look at it, or print from the viewer) or print it now; a
        pre-filled form holds personal data in clear, and the officer is told so and where."""
        self.statusBar().showMessage(t("task_print_done", path=str(target)), 15000)
        text = t("task_print_done", path=str(target))
        if personal:
            text += "\n\n" + t("task_print_personal")
        choice = dialogs.choose(self, t("task_print_title"), text, [t("open_pdf"), t("send_to_printer"), t("close")])
        if choice == 0:
            printer.open_pdf(target)
        elif choice == 1:
            if printer.send_to_printer(target):
                self.statusBar().showMessage(t("print_sent", path=str(target)), 15000)
            else:
                dialogs.warn(self, t("task_print_title"), t("no_printer", path=str(target)))

    def _task_failed(self, exc: BaseException) -> None:
        if isinstance(exc, StoreError):
            dialogs.warn(self, t("task_failed_title"), exc.msg.text())
            return
        errors.report(exc)  # a programming error: logged, and the officer is told where

    def _keep(self, task: Task) -> None:
        self.tasks.append(task)
        task.ended.connect(lambda: self.tasks.remove(task) if task in self.tasks else None)

    # -- sync with the provincial server ---------------------------------------------------
    def _make_sync(self) -> None:
        """The sync runs in a worker on its own connection to the store and shows its progress
        in the panel and the status bar, never in a modal dialog: the officer goes on typing."""
        self.sync_runner = SyncRunner(self.store.path, self.store.forms, self.actor, self)
        self.auto_sync = AutoSync(self.store.path, self.sync_runner, forms=self.store.forms, parent=self)
        self.sync_panel = SyncPanel(self.store.path, self.store.forms, self.sync_runner, self.auto_sync)
        self.sync_dock = QDockWidget(self)
        self.sync_dock.setObjectName("sync_dock")
        self.sync_dock.setWidget(self.sync_panel)
        # Under the list by default: beside it, a 1366-pixel laptop screen would be too narrow.
        self.sync_dock.dockLocationChanged.connect(self.sync_panel.set_area)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.sync_dock)
        self.sync_panel.set_area(Qt.DockWidgetArea.BottomDockWidgetArea)
        self.sync_dock.hide()
        self.sync_indicator = SyncIndicator(self.sync_panel, self)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        self.sync_indicator.clicked.connect(self.show_sync_panel)
        self.sync_panel.open_household.connect(self.open_household)
        self.sync_panel.enroll_requested.connect(self.enroll)
        self.sync_panel.sync_requested.connect(self.sync_now)
        self.sync_runner.started.connect(self._sync_started)
        self.sync_runner.ended.connect(self._sync_ended)
        self.enroll_dialog: EnrollDialog | None = None

    def show_sync_panel(self) -> None:
        if not self.sync_dock.isVisible():
            self.sync_dock.show()
            if self.dockWidgetArea(self.sync_dock) == Qt.DockWidgetArea.BottomDockWidgetArea:
                # Its own wish would take half the window: the list keeps two thirds.
                self.resizeDocks([self.sync_dock], [max(240, self.height() // 3)], Qt.Orientation.Vertical)
        self.sync_dock.raise_()
        self.sync_panel.refresh()

    def sync_now(self) -> Task | None:
        """Sync at once (F9); None if a sync already runs or the laptop is not enrolled (then
        the enrollment dialog opens)."""
        overview = self.sync_panel.overview
        if overview is not None and not overview.enrolled:
            self.enroll()
            return None
        self.editor.flush()  # what was just typed goes too, if the household is complete
        self.show_sync_panel()
        return self.sync_runner.start(auto=False)

    def _sync_started(self, auto: bool) -> None:
        if self.sync_runner.task is not None:
            self._keep(self.sync_runner.task)
        if auto:
            self.statusBar().showMessage(t("sync_auto_started"), 5000)

    def _sync_ended(self, outcome: SyncOutcome) -> None:
        self.list_page.refresh()
        self._reload_after_sync()
        if outcome.cancelled:
            self.statusBar().showMessage(t("sync_cancelled"), 10000)
        elif outcome.error is not None:
            text = error_text(outcome.error)
            if not text:
                errors.report(outcome.error)  # a programming error: logged, and the officer is told where
                return
            first = text.split(". ", 1)[0].rstrip(".")  # the status bar has room for one sentence
            self.statusBar().showMessage(t("sync_failed", error=first), 15000)
        elif summary := self.sync_panel.summary():
            self.statusBar().showMessage(summary.splitlines()[0], 10000)

    def _reload_after_sync(self) -> None:
        """The household on screen was complete and the sync sent it (or the server refused
        it): show its new state. One the officer is editing is left alone."""
        h = self.editor.household
        if h is None or self.stack.currentWidget() is not self.editor or not self.editor.read_only or self.editor.dirty:
            return
        try:
            now = self.store.get(h.uuid)
        except StoreError:
            return
        if now.status != h.status:
            self.editor.open_household(h.uuid, self.settings.place(self.profile_name))

    def enroll(self) -> EnrollDialog:
        overview = self.sync_panel.overview
        if self.enroll_dialog is not None and not (self.enroll_dialog.task and self.enroll_dialog.task.running):
            self.enroll_dialog.deleteLater()
        dialog = EnrollDialog(self.store.path, overview.server_url if overview and overview.enrolled else None,
                              self.store.forms, self)
        dialog.enrolled.connect(self._enrolled)
        self.enroll_dialog = dialog
        dialog.open()
        return dialog

    def _enrolled(self, _result: tasks.Enrolled) -> None:
        self.sync_panel.refresh()
        self.auto_sync.enrolled()

    # -- settings --------------------------------------------------------------------------
    def edit_profile(self) -> None:
        before = current_language()
        dialog = ProfileDialog(self.store.forms.current(), self.profile, first_start=False, parent=self)
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            if current_language() != before:
                set_language(before)
                self.retranslate()
            return
        self.profile = dialog.profile()
        try:
            self.profile.save(self.store)
        except StoreError as exc:
            dialogs.warn(self, t("profile_title"), exc.msg.text())
        self.editor.profile = self.profile
        self.list_page.set_profile_villages(self.profile.villages)
        self.retranslate()

    def lock_screen(self) -> None:
        if self.screen_lock is not None:
            self.screen_lock.lock()

    def switch_profile(self) -> None:
        """Close this profile (saving what is typed) and let another officer open theirs."""
        self.switch_requested = True
        if not self.close():
            self.switch_requested = False

    def change_passphrase(self) -> None:
        if not self.store.encrypted:
            return
        dialog = ChangePassphraseDialog(self.store.path, self.profile_name, self)
        if dialog.exec() == ChangePassphraseDialog.DialogCode.Accepted:
            self.statusBar().showMessage(t("passphrase_changed"), 15000)
        dialog.deleteLater()

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        self.settings.language = lang
        self.profile.language = lang
        try:
            self.profile.save(self.store)
        except StoreError as exc:
            dialogs.warn(self, t("profile_title"), exc.msg.text())
        self.retranslate()

    def show_shortcuts(self) -> None:
        rows = []
        for key, a in self.actions_by_key.items():
            if a.shortcuts():
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
                rows.append((keys, t("action_" + key)))
        more = [t("shortcut_enter"), t("shortcut_tab"), t("shortcut_down"), t("shortcut_alt_arrows")]
        rows += [([*text.split("\t", 1), ""])[:2] for text in more]
        table = "".join(f"<tr><td style='padding-right:16px'><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
                        for k, v in rows)
        dialogs.inform(self, t("action_shortcuts"), t("shortcuts_intro"), f"<table>{table}</table>")

    def show_about(self) -> None:
        definition = self.store.forms.current()
        dialogs.inform(self, t("action_about"), t("about_text", version=__version__, form=definition.title.text(),
                                                   form_version=definition.version, path=str(self.store.path)))

    def retranslate(self) -> None:
        self.setWindowTitle(t("window_title", officer=self.profile.officer_name or self.profile_name))
        for key, a in self.actions_by_key.items():
            if key in ("language_vi", "language_en"):
                a.setText({"language_vi": "Tiếng Việt", "language_en": "English"}[key])
            else:
                a.setText(t(f"action_{key}"))
        for name, menu in self.menus.items():
            menu.setTitle(t(name))
        self.list_page.retranslate()
        self.editor.retranslate()
        self.sync_dock.setWindowTitle(t("sync_panel_title"))
        self.sync_panel.retranslate()
        if getattr(self, "counts", None):
            self.show_counts(self.counts)
        else:
            self.counts_label.setText(t("counts_pending"))
        self._update_actions()

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.editor.flush() and not dialogs.confirm(
                self, t("save_failed_title"), t("close_unsaved"), t("close_anyway"), t("close_stay")):
            event.ignore()
            return
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_splitter("editor_columns", self.editor.columns.saveState())
        self.settings.set_splitter("editor_rows", self.editor.rows.saveState())
        self.settings.set_splitter("main_window", self.saveState())  # the sync panel: open or not, where
        self.settings.sync()
        if self.screen_lock is not None:
            self.screen_lock.stop()
        self.auto_sync.stop()
        for task in list(self.tasks):
            task.cancel()
            task.wait()
        self.list_page.wait_for_counts()
        self.auto_sync.wait()
        self.sync_panel.wait_for_refresh()
        super().closeEvent(event)

    def restore_geometry(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        state = self.settings.splitter("main_window")
        if state is not None:
            self.restoreState(state)
            self.sync_panel.set_area(self.dockWidgetArea(self.sync_dock))
        for name, splitter in (("editor_columns", self.editor.columns), ("editor_rows", self.editor.rows)):
            state = self.settings.splitter(name)
            if state is not None:
                splitter.restoreState(state)
