from __future__ import annotations

import pytest

from forms.definition import Definition
from forms.registry import FormRegistry


@pytest.fixture(scope="session")
def current(forms_registry: FormRegistry) -> Definition:
    return forms_registry.current()
