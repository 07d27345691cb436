"""Seconds per export format for N households in a real store, and for the encrypted archive
of all four (prints figures, asserts nothing).

    .venv/bin/python -m tests.exports.measure [--households 10000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from forms.exchange import import_jsonl
from forms.exports import FORMATS, build_tables, export_files
from forms.exports.archive import export_archive
from forms.store import Store
from tests import factories as fx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    n = parser.parse_args().households
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "households.sqlite")
        lines = [json.dumps(r, ensure_ascii=False) for r in fx.generated(n, seed=7)]
        started = time.perf_counter()
        import_jsonl(store, lines, actor="bench", workers=None)
        print(f"store filled with {n} households in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        summaries = store.list(limit=2**62)
        records = [store.get(h.uuid).export() for h in summaries]
        read = time.perf_counter() - started
        members = sum(len(r["members"]) for r in records)
        print(f"read {n} households ({members} members) from the store: {read:.2f} s")
        definitions = [store.forms.current()]
        started = time.perf_counter()
        build_tables(definitions, records)
        print(f"tables (values, 0/1 columns, age by the engine): {time.perf_counter() - started:.2f} s")
        for fmt in FORMATS:
            started = time.perf_counter()
            export_files(definitions, records, Path(tmp) / fmt, formats=[fmt])
            spent = time.perf_counter() - started
            sizes = sum(p.stat().st_size for p in (Path(tmp) / fmt).iterdir()) / 1e6
            print(f"{fmt:5} households + members + codebook: {spent:.2f} s (+ {read:.2f} s reading), {sizes:.1f} MB")
        started = time.perf_counter()
        export_files(definitions, records, Path(tmp) / "all")
        print(f"all four formats in one export: {time.perf_counter() - started:.2f} s (+ {read:.2f} s reading)")
        started = time.perf_counter()
        archive = Path(tmp) / "protected.7z"
        export_archive(definitions, records, archive, "district office 2026")
        print(f"all four in one encrypted 7z archive: {time.perf_counter() - started:.2f} s (+ {read:.2f} s reading), "
              f"{archive.stat().st_size / 1e6:.1f} MB")
        store.close()


if __name__ == "__main__":
    main()
