"""Write an export folder: one file per level and format, and the codebook."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.definition import Definition
from forms.exports.codebook import write_codebook
from forms.exports.csv_file import write_csv
from forms.exports.spss_stata import write_dta, write_sav
from forms.exports.tables import Unwritable, build_tables
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

    @property
    def codebook(self) -> Path | None:
        return next((f.path for f in self.files if f.level == "codebook"), None)


def export_files(definitions: Sequence[Definition], records: Iterable[dict[str, Any]], folder: str | Path, *,
                 formats: Sequence[str] = FORMATS, lang: str = "vi", labels: bool = False, excel_text: bool = False,
                 calculations: bool = True, progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write `records` (dicts as the store or the server keeps them) to `folder`: for each level
    (households, members) one file per format, named households.csv, members.sav..., and
    codebook.xlsx. `definitions` are every questionnaire version the records use.

    lang chooses the language of variable and value labels ("vi" or "en"); labels=True writes
    labels instead of codes in CSV and XLSX. Files are written whole or not at all (each is
    written under a temporary name, then renamed)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(message("exports_unknown_format", format=", ".join(unknown), formats=", ".join(FORMATS)))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = build_tables(definitions, records, calculations=calculations)
    title = tables.plan.title.text(lang)
    result = ExportResult(households=tables.households, problems=tables.problems)
    names: dict[str, dict[str, str]] = {}
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        for level, table in tables.tables.items():
            path = folder / f"{level}.{fmt}"
            if progress:
                progress(path.name)
            with _atomic(path) as tmp:
                if fmt == "csv":
                    write_csv(table, tmp, lang=lang, labels=labels, excel_text=excel_text)
                elif fmt == "xlsx":
                    write_xlsx(table, tmp, lang=lang, labels=labels)
                elif fmt == "sav":
                    write_sav(table, tmp, lang=lang, file_label=f"{title} — {level}")
                else:
                    write_dta(table, tmp, lang=lang, file_label=f"{title} — {level}")
            result.files.append(WrittenFile(path, level, fmt, table.rows))
            names.setdefault(level, {})[fmt] = path.name
    path = folder / CODEBOOK
    if progress:
        progress(path.name)
    with _atomic(path) as tmp:
        write_codebook(tables, tmp, lang=lang, files=names)
    result.files.append(WrittenFile(path, "codebook", "xlsx", sum(len(t.variables) for t in tables.tables.values())))
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


__all__ = ["CODEBOOK", "FORMATS", "ExportError", "ExportResult", "WrittenFile", "export_files"]
