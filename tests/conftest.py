from __future__ import annotations

import os
from pathlib import Path

import pytest

import forms.i18n
from forms.definition import Definition, load_definition
from forms.engine import Engine
from forms.registry import FormRegistry
from forms.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data folder."""
    monkeypatch.setenv("LABOUR_SURVEY_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("LABOUR_SURVEY_LANG", "en")
    # Commands run by tests may make throwaway profiles in clear (tests of encryption give a passphrase).
    monkeypatch.setenv("LABOUR_SURVEY_ALLOW_PLAIN", "1")
    # A language chosen in-process by one test (the desktop's, a CLI's --lang) must not leak into the next.
    monkeypatch.setattr(forms.i18n, "_language", [])
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    os.makedirs(tmp_path / "home", exist_ok=True)


@pytest.fixture(scope="session")
def forms_registry() -> FormRegistry:
    return FormRegistry()


@pytest.fixture(scope="session")
def definition() -> Definition:
    return load_definition()


@pytest.fixture(scope="session")
def engine(definition: Definition) -> Engine:
    return Engine(definition)


@pytest.fixture
def store(tmp_path: Path, forms_registry: FormRegistry) -> Store:
    s = Store(tmp_path / "store" / "households.sqlite", forms_registry)
    yield s
    s.close()
