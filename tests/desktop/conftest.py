"""Desktop tests: offscreen Qt, every Qt warning fails the test, every data folder and the
QSettings files in the test's temporary directory, the interface in Vietnamese.

The officer's profile is encrypted, as the program makes it, with a cheap key derivation so that
the tests stay quick; its passphrase is in $LABOUR_SURVEY_PASSPHRASE for programs started in a
child process, and no data key outlives its test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import forms.i18n
from desktop import app as desktop_app
from desktop import worker
from desktop.household_editor import HouseholdEditor
from desktop.main_window import MainWindow
from desktop.settings import Profile
from forms import profiles
from forms.registry import FormRegistry
from forms.store import Store, keys

# Noise of the offscreen platform itself, not of the program (regular expressions).
IGNORED = (r"This plugin does not support propagateSizeHints\(\)", r"This plugin does not support raise\(\)",
           r"This plugin does not support grabbing the keyboard")
HERE = Path(__file__).resolve().parent
PASSPHRASE = "lúa chín vàng ở Hạc Thành"
FAST_KDF = keys.Kdf("argon2id", {"iterations": 1, "memory_kib": 1024, "lanes": 1})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every Qt warning fails a desktop test (pytest-qt's own log capture)."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*IGNORED))


@pytest.fixture(autouse=True)
def _no_thread_outlives_its_test() -> Iterator[None]:
    yield
    worker.wait_for_all()
    keys.forget()


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(scope="session", autouse=True)
def _app(qapp: QApplication) -> QApplication:
    desktop_app.make_app()
    return qapp


@pytest.fixture(autouse=True)
def _vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts in Vietnamese (the officer's default) with its own QSettings folder."""
    monkeypatch.setattr(forms.i18n, "_language", [])
    forms.i18n.set_language("vi")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return Path(os.environ["LABOUR_SURVEY_DATA"])


@pytest.fixture
def profile() -> Profile:
    return Profile(officer_name="Nguyễn Thị Lan", province="38", commune="14797",
                   villages=["Tổ dân phố Đông Sơn", "Thôn Yên Trường"], language="vi")


def create_profile(name: str, forms_registry: FormRegistry, passphrase: str = PASSPHRASE) -> Path:
    """An encrypted profile as the first start makes it (its key remembered in this process)."""
    from forms import paths
    db = paths.store_path(name)
    profiles.create(db, passphrase, forms=forms_registry, kdf=FAST_KDF)
    return db


@pytest.fixture
def desk_store(data_dir: Path, forms_registry: FormRegistry, profile: Profile,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The default profile's store, encrypted and set up as after the first start."""
    monkeypatch.setenv(profiles.ENV_PASSPHRASE, PASSPHRASE)
    s = Store(create_profile("default", forms_registry), forms_registry)
    profile.save(s)
    yield s
    s.close()


@pytest.fixture
def editor(qtbot, desk_store: Store, profile: Profile) -> HouseholdEditor:
    e = HouseholdEditor(desk_store, actor="lan", profile=profile)
    qtbot.addWidget(e)
    e.resize(1300, 850)
    e.show()
    e.activateWindow()
    qtbot.waitUntil(e.isActiveWindow)
    return e


@pytest.fixture
def start_window(qtbot, desk_store: Store) -> Callable[..., MainWindow]:
    """Start the program as `labour-survey` does (profile set up), on the test's data folder."""
    import argparse
    windows: list[MainWindow] = []

    def start(**kw: object) -> MainWindow:
        args = argparse.Namespace(data_dir=None, profile="default", lang=None, actor=None, command=None)
        for k, v in kw.items():
            setattr(args, k, v)
        w = desktop_app.start(args)
        assert w is not None
        qtbot.addWidget(w)
        qtbot.waitUntil(w.isActiveWindow)
        windows.append(w)
        return w

    yield start
    for w in windows:
        w.list_page.wait_for_counts()
        if w.isVisible():
            w.close()
        w.store.close()
