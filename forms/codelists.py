"""National code lists shipped in resources/code_lists (admin units, ethnic groups, VSIC,
countries...), each a CSV named in catalog.yaml with its version."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import resources
from forms.i18n import Message


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: Message
    parent: str | None = None


@dataclass(slots=True)
class ChoiceList:
    name: str
    items: list[Choice]
    provisional: bool = False
    source: str = "form"  # "form" or the national list's name
    version: str = ""
    by_code: dict[str, Choice] = field(init=False)
    codes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {c.code: c for c in self.items}
        self.codes = frozenset(self.by_code)

    def label(self, code: str, lang: str | None = None) -> str:
        choice = self.by_code.get(code)
        return choice.label.text(lang) if choice else ""


class CodeListError(ValueError):
    pass


def catalog_dir() -> Path:
    return resources.path("code_lists")


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    with open(catalog_dir() / "catalog.yaml", encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["lists"]
    return {e["name"]: e for e in entries}


@functools.cache
def load(name: str) -> ChoiceList:
    """A national code list by its catalog name, e.g. load('communes_2025')."""
    entry = catalog().get(name)
    if entry is None:
        raise CodeListError(f"no national code list named {name!r} in {catalog_dir() / 'catalog.yaml'}")
    with open(catalog_dir() / entry["file"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    items = [
        Choice(r["code"], Message(r["label_vi"], r["label_en"]), r.get("parent") or None) for r in rows
    ]
    return ChoiceList(name, items, source=name, version=str(entry.get("version", "")))
