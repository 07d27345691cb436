"""An imported workbook saved as a new questionnaire version: <form_id>-<version>.yaml.

A version is never changed once it exists, because households keep the version they were
taken with: importing the same form_id and version with other content is refused, as is a
version lower than the newest one known; the same content again writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from forms.definition import DEFINITIONS_DIR, Definition, DefinitionError, load_definition
from forms.i18n import Message, message
from forms.registry import version_key
from forms.xlsform.raw import definition_to_raw, write_yaml
from forms.xlsform.reader import ImportedForm

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class VersionRefused(ValueError):
    def __init__(self, msg: Message):
        super().__init__(msg.en)
        self.msg = msg


@dataclass(slots=True)
class Saved:
    path: Path
    written: bool  # False: that version with that content was already there
    definition: Definition


def known_definitions(*folders: Path) -> list[Definition]:
    """The definitions in the shipped folder and in `folders`; unreadable files are left out
    (a file of the same name is refused when writing anyway)."""
    out: dict[str, Definition] = {}
    for folder in (DEFINITIONS_DIR, *folders):
        for path in sorted(Path(folder).glob("*.yaml")) if Path(folder).is_dir() else []:
            try:
                out[str(path.resolve())] = load_definition(path)
            except DefinitionError:
                continue
    return list(out.values())


def save_version(imported: ImportedForm, folder: str | Path, known: Iterable[Definition] | None = None,
                 workbook: str = "") -> Saved:
    folder = Path(folder)
    d = imported.definition
    for part, what in ((d.form_id, "form_id"), (d.version, "version")):
        if not SAFE.match(part):
            raise VersionRefused(message("xlsform_bad_file_part", what=what, value=part))
    known = list(known) if known is not None else known_definitions(folder)
    same_form = [k for k in known if k.form_id == d.form_id]
    wanted = definition_to_raw(d)
    for k in same_form:
        if k.version == d.version:
            if definition_to_raw(k) == wanted:
                return Saved(Path(k.source), False, k)
            raise VersionRefused(message("xlsform_version_exists", form=d.form_id, version=d.version, path=k.source,
                                         next=_next_version(same_form)))
    if same_form:
        newest = max(same_form, key=lambda k: version_key(k.version))
        if version_key(d.version) < version_key(newest.version):
            raise VersionRefused(message("xlsform_version_lower", form=d.form_id, version=d.version,
                                         newest=newest.version, next=_next_version(same_form)))
    path = folder / f"{d.form_id}-{d.version}.yaml"
    if path.exists():
        raise VersionRefused(message("xlsform_file_exists", path=path))
    folder.mkdir(parents=True, exist_ok=True)
    header = (f"# {d.title.vi} / {d.title.en}, version {d.version}.\n"
              f"# Made from the workbook {Path(workbook).name or '?'} by `labour-survey forms import`; check it with\n"
              f"# `labour-survey forms check {path.name}`. Texts and rules are explained in the workbook's notes sheet.\n\n")
    write_yaml(wanted, path, header)
    return Saved(path, True, load_definition(path))


def _next_version(definitions: list[Definition]) -> str:
    newest = max((k.version for k in definitions), key=version_key)
    return str(int(newest) + 1) if newest.isdigit() else f"{newest}.1"
