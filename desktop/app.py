"""The desktop program's start: the QApplication with its font and texts, the error hook,
the officer's profile (created at first start), then the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

import resources
from desktop import dialogs
from desktop.errors import ErrorReporter
from desktop.main_window import MainWindow
from desktop.profile_dialog import ProfileDialog
from desktop.pyside_fix import keep_singletons_alive
from desktop.qt_texts import CatalogTranslator
from desktop.settings import Profile, UiSettings
from desktop.text import t
from desktop.worker import wait_for_all
from forms import paths
from forms.i18n import set_language
from forms.store import Store, StoreError

FONT_FAMILY = "DejaVu Sans"
FONT_POINTS = 10
_translator: CatalogTranslator | None = None


def load_fonts() -> list[str]:
    """The shipped fonts (full Vietnamese coverage), whatever the computer has installed."""
    families: list[str] = []
    for ttf in sorted(resources.path("fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def make_app(argv: list[str] | None = None) -> QApplication:
    keep_singletons_alive()
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("labour-survey")
    app.setOrganizationName("labour-survey")
    if FONT_FAMILY in load_fonts():
        app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    install_translator(app)
    return app


def install_translator(app: QCoreApplication) -> None:
    global _translator
    if _translator is None:
        _translator = CatalogTranslator()
        app.installTranslator(_translator)


def profile_name(args: argparse.Namespace, settings: UiSettings) -> str:
    """--profile when given, else the last profile opened on this computer."""
    name = getattr(args, "profile", None) or "default"
    if name == "default" and settings.last_profile:
        return settings.last_profile
    return name


def start(args: argparse.Namespace) -> MainWindow | None:
    """Open the profile and show the main window; None if the officer cancelled the first
    start or the data cannot be opened (after saying why)."""
    data = paths.data_dir(getattr(args, "data_dir", None))
    settings = UiSettings(data / "desktop.ini")
    name = profile_name(args, settings)
    try:
        store = Store(paths.store_path(name, getattr(args, "data_dir", None)))
    except StoreError as exc:
        dialogs.warn(None, t("open_failed_title"), exc.msg.text())
        return None
    profile = Profile.load(store)
    lang = getattr(args, "lang", None) or profile.language
    set_language(lang)
    if not profile.is_set_up:
        profile.language = lang
        dialog = ProfileDialog(store.forms.current(), profile, first_start=True)
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            store.close()
            return None
        profile = dialog.profile()
        try:
            profile.save(store)
        except StoreError as exc:
            dialogs.warn(None, t("open_failed_title"), exc.msg.text())
            store.close()
            return None
        set_language(profile.language)
    settings.last_profile = name
    settings.sync()
    actor = getattr(args, "actor", None) or profile.officer_name or name
    window = MainWindow(store, profile, settings, name, actor, exports_dir=data / "exports")
    window.restore_geometry()
    window.show()
    window.activateWindow()
    window.restore_place()
    return window


def run(args: argparse.Namespace) -> int:
    app = make_app()
    reporter = ErrorReporter(paths.data_dir(getattr(args, "data_dir", None)) / "logs" / "desktop-errors.log")
    reporter.install()
    window = start(args)
    if window is None:
        return 1
    code = app.exec()
    wait_for_all()
    window.store.close()
    return code
