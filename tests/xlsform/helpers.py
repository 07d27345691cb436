from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from forms.definition import Definition


def snapshot(obj: Any) -> Any:
    """Everything a loaded definition holds, as plain data, whatever attributes it gains later;
    compiled expressions and the source file name are left out."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: snapshot(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not f.name.endswith("fn") and not (isinstance(obj, Definition) and f.name == "source")}
    if isinstance(obj, dict):
        return {k: snapshot(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [snapshot(v) for v in obj]
    if isinstance(obj, frozenset):
        return sorted(obj)
    return obj


def survey_rows(ws: Worksheet) -> dict[str, int]:
    """name -> row of the question (or begin row of a group/repeat)."""
    out: dict[str, int] = {}
    for r in range(2, ws.max_row + 1):
        kind, name = ws.cell(r, 1).value or "", ws.cell(r, 2).value
        if name and not str(kind).startswith("end"):
            out[name] = r
    return out


def column(ws: Worksheet, title: str) -> int:
    return [c.value for c in ws[1]].index(title) + 1


def edit(path: Path, out: Path, change) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(out)
    return out


def run(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--lang", lang, *args],
                          capture_output=True, text=True, timeout=60, encoding="utf-8")
