"""The desktop program's start: the QApplication with its font and texts, the error hook,
the officer's profile (chosen on a shared laptop, unlocked with its passphrase, created and
encrypted at first start), then the main window."""

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
from desktop.profile_chooser import ProfileChooser, existing_profiles
from desktop.profile_dialog import ProfileDialog
from desktop.pyside_fix import keep_singletons_alive
from desktop.qt_texts import CatalogTranslator
from desktop.settings import Profile, UiSettings
from desktop.text import t
from desktop.unlock_dialog import unlock_profile
from desktop.worker import wait_for_all
from forms import paths
from forms.i18n import current_language, set_language
from forms.store import Store, StoreError, keys

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


def choose_profile(args: argparse.Namespace, settings: UiSettings, always: bool = False) -> str | None:
    """The profile to open: --profile if given; on a laptop with several profiles, the one the
    officer picks (or makes); else the last one. None if the officer quit."""
    data_dir = getattr(args, "data_dir", None)
    name = profile_name(args, settings)
    given = getattr(args, "profile", None) not in (None, "default")
    names = existing_profiles(data_dir)
    if given or (len(names) < 2 and not always):
        # The one profile of this laptop, even if desktop.ini was lost: never a new empty one.
        return names[0] if not given and names and name not in names else name
    chooser = ProfileChooser(names, name, data_dir)
    chosen = chooser.chosen if chooser.exec() == ProfileChooser.DialogCode.Accepted else None
    chooser.deleteLater()
    return chosen


def open_store(name: str, data_dir: str | None) -> Store | None:
    """The profile's store, unlocked: its passphrase asked, chosen (a new profile) or set to
    encrypt an old plain profile. None if the officer quit or it cannot be opened (said why)."""
    db = paths.store_path(name, data_dir)
    try:
        key = unlock_profile(db, name)
        if key is None:
            return None
        keys.remember(db, key)  # the list counts, sync and printing open it again from threads
        return Store(db, key=key)
    except StoreError as exc:
        keys.forget(db)
        dialogs.warn(None, t("open_failed_title"), exc.msg.text())
        return None


def start(args: argparse.Namespace, choose: bool = False) -> MainWindow | None:
    """Open the profile and show the main window; None if the officer cancelled the first
    start or the data cannot be opened (after saying why). `choose`: show the list of
    profiles even when there is only one (File › Switch profile)."""
    data = paths.data_dir(getattr(args, "data_dir", None))
    settings = UiSettings(data / "desktop.ini")
    # Until a profile is open its own language is unknown (it is inside the encrypted file):
    # the one last used on this computer.
    set_language(getattr(args, "lang", None) or settings.language or current_language())
    name = choose_profile(args, settings, always=choose)
    if name is None:
        return None
    store = open_store(name, getattr(args, "data_dir", None))
    if store is None:
        return None
    profile = Profile.load(store)
    lang = getattr(args, "lang", None) or profile.language or current_language()
    set_language(lang)
    if not profile.is_set_up:
        profile.language = lang
        dialog = ProfileDialog(store.forms.current(), profile, first_start=True)
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            close_store(store)
            return None
        profile = dialog.profile()
        try:
            profile.save(store)
        except StoreError as exc:
            dialogs.warn(None, t("open_failed_title"), exc.msg.text())
            close_store(store)
            return None
        set_language(profile.language)
    settings.last_profile = name
    settings.language = current_language()
    settings.sync()
    actor = getattr(args, "actor", None) or profile.officer_name or name
    window = MainWindow(store, profile, settings, name, actor, exports_dir=data / "exports")
    window.restore_geometry()
    window.show()
    window.activateWindow()
    window.restore_place()
    return window


def close_store(store: Store) -> None:
    """Close the profile and forget its key: nothing in this process can open it any more."""
    store.close()
    keys.forget(store.path)


def run(args: argparse.Namespace) -> int:
    app = make_app()
    reporter = ErrorReporter(paths.data_dir(getattr(args, "data_dir", None)) / "logs" / "desktop-errors.log")
    reporter.install()
    choose = False
    while True:
        window = start(args, choose=choose)
        if window is None:
            return 1
        code = app.exec()
        wait_for_all()
        close_store(window.store)
        if not window.switch_requested:
            return code
        # Another officer's turn: their profile, never the one just closed by default.
        args.profile, choose = None, True
        window.deleteLater()
