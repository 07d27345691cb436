"""The questionnaire versions a program knows: the ones it ships, and (later) ones
received from the provincial server. A household is always evaluated with the version it
was taken with."""

from __future__ import annotations

import re
from pathlib import Path

from forms.definition import DEFINITIONS_DIR, Definition, load_definition
from forms.engine import Engine


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in re.split(r"[.\-]", version))


class FormRegistry:
    def __init__(self, directories: list[Path] | None = None):
        self._defs: dict[tuple[str, str], Definition] = {}
        self._engines: dict[tuple[str, str], Engine] = {}
        self.directories = [Path(d) for d in directories or [DEFINITIONS_DIR]]
        for directory in self.directories:
            for path in sorted(Path(directory).glob("*.yaml")):
                self.add(load_definition(path))

    def add(self, definition: Definition) -> None:
        self._defs[(definition.form_id, definition.version)] = definition

    def get(self, form_id: str, version: str) -> Definition:
        try:
            return self._defs[(form_id, version)]
        except KeyError:
            known = ", ".join(f"{f} {v}" for f, v in sorted(self._defs)) or "none"
            raise KeyError(f"questionnaire {form_id} version {version} is not installed (known: {known})") from None

    def current(self, form_id: str = "labour_supply") -> Definition:
        versions = [v for f, v in self._defs if f == form_id]
        if not versions:
            raise KeyError(f"no questionnaire {form_id!r} is installed")
        return self._defs[(form_id, max(versions, key=version_key))]

    def engine(self, definition: Definition) -> Engine:
        key = (definition.form_id, definition.version)
        if key not in self._engines:
            self._engines[key] = Engine(definition)
        return self._engines[key]

    def __iter__(self):
        return iter(self._defs.values())
