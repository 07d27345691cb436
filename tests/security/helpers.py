"""Running the command line as a process; looking for personal data in files as a thief would."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from forms.store import keys
from forms.text import fold

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "lúa chín vàng ở Hạc Thành"
OTHER_PASSPHRASE = "sông Mã chảy về biển 2026"
# Argon2id at its cheapest, for key files made by the tests' own library calls: the tests check
# the design, not the cost of a guess (the command line tests use the real parameters).
FAST = keys.Kdf("argon2id", {"iterations": 1, "memory_kib": 1024, "lanes": 1})


def cli(data: Path, *args: str, passphrase: str | None = None, new: str | None = None, lang: str = "en",
        env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LABOUR_SURVEY_")}
    full.update({"PYTHONPATH": str(ROOT), "LABOUR_SURVEY_DATA": str(data)})
    if passphrase is not None:
        full["LABOUR_SURVEY_PASSPHRASE"] = passphrase
    if new is not None:
        full["LABOUR_SURVEY_NEW_PASSPHRASE"] = new
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--lang", lang, *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, env=full, cwd=ROOT,
                          input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


def needles(values: Iterable[str]) -> list[bytes]:
    """Every way a value could sit in a file: UTF-8 (NFC and NFD), UTF-16, and folded as the
    search index keeps it (lower case, no diacritics)."""
    out: set[bytes] = set()
    for v in values:
        for form in ("NFC", "NFD"):
            text = unicodedata.normalize(form, v)
            out.add(text.encode("utf-8"))
            out.add(text.encode("utf-16-le"))
        out.add(fold(v).encode("utf-8"))
    return sorted(out)


def files_under(folder: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    skip = {p.resolve() for p in exclude}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.resolve() not in skip)


def found_in(files: Iterable[Path], values: Iterable[str]) -> list[tuple[str, bytes]]:
    """(file name, what) for every value found in the files' bytes."""
    wanted = needles(values)
    hits = []
    for f in files:
        data = f.read_bytes()
        hits += [(f.name, n) for n in wanted if n in data]
    return hits
