"""Write an export folder: one file per level and format, and the codebook."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.definition import Definition
from forms.exports.codebook import write_codebook
from forms.exports.csv_file import write_csv
from forms.exports.spss_stata import write_dta, write_sav
from forms.exports.tables import Tables, Unwritable, build_tables
from forms.exports.variables import ExportError
from forms.exports.xlsx_file import write_xlsx
from forms.i18n import message

FORMATS = ("csv", "xlsx", "sav", "dta")
CODEBOOK = "codebook.xlsx"


@dataclass(slots=True)
class WrittenFile:
    path: Path
    level: str  # "households", "members", or "codebook"
    format: str
    rows: int


@dataclass(slots=True)
class ExportResult:
    files: list[WrittenFile] = field(default_factory=list)
    households: int = 0
    problems: list[Unwritable] = field(default_factory=list)
    # The encrypted archive that holds the files (their paths are then names inside it);
    # None when the files were written in clear into a folder.
    archive: Path | None = None

    @property
    def codebook(self) -> Path | None:
        return next((f.path for f in self.files if f.level == "codebook"), None)


@dataclass(slots=True)
class PlannedFile:
    """One file of an export, not yet written: `write(target)` writes it to a path or, when
    `needs_path` is False, to a binary stream too."""

    name: str
    level: str
    format: str
    rows: int
    write: Callable[[Any], None]
    needs_path: bool = False


def check_formats(formats: Sequence[str]) -> None:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(message("exports_unknown_format", format=", ".join(unknown), formats=", ".join(FORMATS)))


def plan_files(tables: Tables, formats: Sequence[str], *, lang: str = "vi", labels: bool = False,
               excel_text: bool = False) -> list[PlannedFile]:
    """The files of an export in the order they are written, the codebook last."""
    check_formats(formats)
    title = tables.plan.title.text(lang)
    planned: list[PlannedFile] = []
    names: dict[str, dict[str, str]] = {}
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        for level, table in tables.tables.items():
            name = f"{level}.{fmt}"
            if fmt == "csv":
                write = functools.partial(write_csv, table, lang=lang, labels=labels, excel_text=excel_text)
            elif fmt == "xlsx":
                write = functools.partial(write_xlsx, table, lang=lang, labels=labels)
            elif fmt == "sav":
                write = functools.partial(write_sav, table, lang=lang, file_label=f"{title} — {level}")
            else:
                write = functools.partial(write_dta, table, lang=lang, file_label=f"{title} — {level}")
            # pyreadstat writes SPSS and Stata files to a path only, never to a stream.
            planned.append(PlannedFile(name, level, fmt, table.rows, write, needs_path=fmt in ("sav", "dta")))
            names.setdefault(level, {})[fmt] = name
    planned.append(PlannedFile(CODEBOOK, "codebook", "xlsx", sum(len(t.variables) for t in tables.tables.values()),
                               functools.partial(write_codebook, tables, lang=lang, files=names)))
    return planned


def export_files(definitions: Sequence[Definition], records: Iterable[dict[str, Any]], folder: str | Path, *,
                 formats: Sequence[str] = FORMATS, lang: str = "vi", labels: bool = False, excel_text: bool = False,
                 calculations: bool = True, progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write `records` (dicts as the store or the server keeps them) to `folder`: for each level
    (households, members) one file per format, named households.csv, members.sav..., and
    codebook.xlsx. `definitions` are every questionnaire version the records use.

    lang chooses the language of variable and value labels ("vi" or "en"); labels=True writes
    labels instead of codes in CSV and XLSX. Files are written whole or not at all (each is
    written under a temporary name, then renamed). The files are in clear: see
    forms.exports.archive for the encrypted export that holds them."""
    check_formats(formats)  # before the folder is made
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = build_tables(definitions, records, calculations=calculations)
    result = ExportResult(households=tables.households, problems=tables.problems)
    for planned in plan_files(tables, formats, lang=lang, labels=labels, excel_text=excel_text):
        path = folder / planned.name
        if progress:
            progress(planned.name)
        with _atomic(path) as tmp:
            planned.write(tmp)
        result.files.append(WrittenFile(path, planned.level, planned.format, planned.rows))
    return result


@contextlib.contextmanager
def _atomic(path: Path):
    tmp = path.with_name(f".{path.name}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


__all__ = ["CODEBOOK", "FORMATS", "ExportError", "ExportResult", "PlannedFile", "WrittenFile", "check_formats",
           "export_files", "plan_files"]
