"""National code lists shipped in resources/code_lists (admin units, ethnic groups, VSIC,
countries...), each a CSV named in catalog.yaml with its version."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import resources
from forms.i18n import Message
from forms.text import nfc


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


# Lists published by the province after this program was built: name -> (entry, CSV text).
# A list never changes once published; a new edition is a new name (communes_2026), which
# a new questionnaire version refers to, so households keep the lists they were taken with.
_published: dict[str, tuple[dict[str, str], str]] = {}
COLUMNS = ("code", "label_vi", "label_en")


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    with open(catalog_dir() / "catalog.yaml", encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["lists"]
    shipped = {e["name"]: e for e in entries}
    return {**shipped, **{name: entry for name, (entry, _) in _published.items() if name not in shipped}}


def parse_csv(name: str, text: str) -> list[Choice]:
    """The rows of a code list CSV (code, label_vi, label_en[, parent]), checked."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CodeListError(f"code list {name}: the CSV needs the columns {', '.join(COLUMNS)} (missing {', '.join(missing)})")
    items, seen = [], set()
    for line, r in enumerate(reader, start=2):
        code = (r.get("code") or "").strip()
        if not code or not (r.get("label_vi") or "").strip() or not (r.get("label_en") or "").strip():
            raise CodeListError(f"code list {name}, line {line}: a code and both labels are needed")
        if code in seen:
            raise CodeListError(f"code list {name}, line {line}: code {code} appears twice")
        seen.add(code)
        items.append(Choice(code, Message(nfc(r["label_vi"].strip()), nfc(r["label_en"].strip())), r.get("parent") or None))
    if not items:
        raise CodeListError(f"code list {name} is empty")
    return items


def publish(name: str, version: str, text: str, source: str = "") -> bool:
    """Make a list published by the province known to this process; False if known already.
    A name that exists with other content is refused: lists never change under a name."""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise CodeListError(f"code list name {name!r}: use letters, digits and _ only")
    parse_csv(name, text)
    if name in _published:
        if _published[name][1] != text:
            raise CodeListError(f"code list {name} exists already with other content: publish it under a new name")
        return False
    if name in catalog():
        raise CodeListError(f"code list {name} is shipped with the program: publish a new edition under a new name")
    _published[name] = ({"name": name, "version": version, "source": source, "file": f"{name}.csv"}, text)
    catalog.cache_clear()
    return True


def publish_directory(folder: Path) -> None:
    """Make known the lists kept in a folder (NAME.csv with NAME.yaml beside it)."""
    for meta_file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        meta = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
        text = meta_file.with_suffix(".csv").read_text(encoding="utf-8")
        publish(meta_file.stem, str(meta.get("version", "")), text, str(meta.get("source", "")))


@functools.cache
def load(name: str) -> ChoiceList:
    """A national code list by its catalog name, e.g. load('communes_2025')."""
    entry = catalog().get(name)
    if entry is None:
        raise CodeListError(f"no national code list named {name!r} in {catalog_dir() / 'catalog.yaml'}")
    if name in _published and entry is _published[name][0]:
        return ChoiceList(name, parse_csv(name, _published[name][1]), source=name, version=str(entry.get("version", "")))
    with open(catalog_dir() / entry["file"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    items = [
        Choice(r["code"], Message(r["label_vi"], r["label_en"]), r.get("parent") or None) for r in rows
    ]
    return ChoiceList(name, items, source=name, version=str(entry.get("version", "")))
