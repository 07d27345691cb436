"""Benchmarks of the data core. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_core.py [--households 100000]

- save: a 10-member household with validation and change log (median ms; target <= 5)
- re-evaluation of every rule after one changed field, 10 members (median ms; target <= 2)
- import of generated households through JSON Lines (households/s; target >= 5000)
- search over them (median ms per query; target <= 20)
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms.exchange import import_jsonl
from forms.records import normalize
from forms.registry import FormRegistry
from forms.store import Store
from tests import factories as fx


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def row(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name:<52} {value:>10.2f} {unit:<13} target {target:<10} {'ok' if ok else 'MISSED'}")


def bench_save_and_evaluate(forms: FormRegistry, tmp: Path) -> None:
    definition = forms.current()
    engine = forms.engine(definition)
    store = Store(tmp / "save.sqlite", forms)
    rec = normalize(definition, fx.generated(1, members=10)[0])
    rec = store.save(rec, actor="bench").household.record
    jobs = ["Thợ điện", "Công nhân may", "Lái xe", "Bán hàng"]
    samples = []
    for i in range(400):
        rec = copy.deepcopy(rec)
        rec["members"][i % 10]["full_name"] = f"Nguyễn Văn {i}"
        rec["members"][0]["job"] = jobs[i % 4]
        t = time.perf_counter()
        rec = store.save(rec, actor="bench").household.record
        samples.append(time.perf_counter() - t)
    ms = median_ms(samples)
    row("save, 10 members, validation + change log (median)", ms, "ms", "<= 5", ms <= 5)

    samples = []
    for i in range(2000):
        rec["members"][3]["labour_status"] = str(1 + i % 3)  # one changed answer, all rules again
        t = time.perf_counter()
        engine.evaluate(rec)
        samples.append(time.perf_counter() - t)
    ms = median_ms(samples)
    row("re-evaluation after one change, 10 members (median)", ms, "ms", "<= 2", ms <= 2)
    store.close()


def bench_import_and_search(forms: FormRegistry, tmp: Path, n: int) -> None:
    src = tmp / "households.jsonl"
    t = time.perf_counter()
    with open(src, "w", encoding="utf-8") as fh:
        for start in range(0, n, 10_000):
            for rec in fx.generated(min(10_000, n - start), seed=start + 1):
                rec["household"]["household_code"] = f"HT-{start:06d}-{rec['household']['household_code'][3:]}"
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"(generated {n} households in {time.perf_counter() - t:.1f} s, {src.stat().st_size / 1e6:.0f} MB of JSON Lines)")

    store = Store(tmp / "import.sqlite", forms)
    t = time.perf_counter()
    with open(src, encoding="utf-8") as fh:
        report = import_jsonl(store, fh, actor="bench", workers=None)
    elapsed = time.perf_counter() - t
    assert report.added == n, (report.added, report.bad[:3])
    rate = n / elapsed
    row(f"import {n} households, validated (households/s)", rate, "households/s", ">= 5000", rate >= 5000)
    print(f"(import took {elapsed:.1f} s; database {(tmp / 'import.sqlite').stat().st_size / 1e6:.0f} MB)")

    sample = store.get(store.list(limit=1, offset=n // 2)[0].uuid).record
    queries = ["dang", "Nguyễn Văn", "hoa", "duc anh", sample["members"][0]["citizen_id"][:8],
               sample["household"]["household_code"], "bui thi yen", "lo van son", "thon yen truong", "n"]
    worst = 0.0
    for q in queries:
        samples = []
        for _ in range(15):
            t = time.perf_counter()
            found = store.search(q, limit=50)
            samples.append(time.perf_counter() - t)
        ms = median_ms(samples)
        worst = max(worst, ms)
        print(f"  search {q!r:<20} {ms:7.2f} ms  ({len(found)} shown, {store.count(text=q)} match)")
    row("search, slowest query (median)", worst, "ms", "<= 20", worst <= 20)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    args = parser.parse_args()
    forms = FormRegistry()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_save_and_evaluate(forms, tmp)
        bench_import_and_search(forms, tmp, args.households)
    return 0


if __name__ == "__main__":
    sys.exit(main())
