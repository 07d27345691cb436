"""Security tests: encrypted profiles, passphrases, recovery, what a thief of the laptop finds.

Qt tests here run offscreen and fail on any Qt warning, as the desktop tests do. Key files
made by the library calls here use a cheap KDF (helpers.FAST) so that the tests are quick; the command
line tests use the real parameters."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

import forms.i18n
from forms.store import keys

HERE = Path(__file__).resolve().parent
IGNORED = (r"This plugin does not support propagateSizeHints\(\)", r"This plugin does not support raise\(\)",
           r"This plugin does not support grabbing the keyboard")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents and "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*IGNORED))


@pytest.fixture(autouse=True)
def _no_key_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(forms.i18n, "_language", [])
    forms.i18n.set_language("en")
    keys.forget()
    yield
    keys.forget()
