"""The cost of encrypting the officer's profile (SQLCipher): save, import and search on an
encrypted store against a plain one, the same households in all. Prints figures and the
ratios; asserts nothing about them (it stops if two runs find different households).

    .venv/bin/python bench/bench_crypto.py [--households 20000]

- import of generated households through JSON Lines (households/s)
- migration 4 -> 5 (the search index rebuilt) of copies of the schema 4 profiles, backup included
- save: a 10-member household with validation and change log, as in bench_core, in the
  profile of imported households (median ms); again without waiting for the disk
  (synchronous off, the bench only), as a save's wait for the disk comes in whole steps of a
  few ms on some machines and hides the rest
- search over them: the median of each query, summed over the queries
Saves and searches go round the runs one at a time, so that a load from other programs on
the machine weighs on every run alike.
- unlock: the passphrase KDF (Argon2id 64 MiB, 3 passes), paid once when the profile opens
Target: encrypted <= 1.3 x today's plain profile for save and search.

The runs: "plain 4" is a plain profile as today's program (store schema 4) keeps it, in Python's
own SQLite: the search index keyed by the household's rowid and read newest first, backwards
(TodayStore; its saves also look at the index entry before rewriting it, as the program does
now: 0.005 ms); "enc 4" the same encrypted. "plain", "no key" and "encrypted" are schema 5 profiles (prefix
indexes, keyed by minus the rowid, read forwards): "no key" is the plain file through the SQLite
that sqlcipher3 ships (another SQLite version and build) without encryption, so encrypted /
no key is the cost of the encryption itself and no key / plain that of the other build.
"plain 4>5" and "enc 4>5" are copies of the schema 4 profiles, migrated.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlcipher3 import dbapi2
from sqlite_utils import Database

from forms import profiles
from forms.exchange import import_jsonl
from forms.records import normalize
from forms.registry import FormRegistry
from forms.store import Store, keys
from tests import factories as fx

TARGET = 1.3
QUERIES = ["dang", "Nguyễn Văn", "hoa", "duc anh", "bui thi yen", "lo van son", "thon yen truong", "n"]
PASSPHRASE = "lúa chín vàng ở Hạc Thành"


class TodayStore(Store):
    """A profile as the program with store schema 4 keeps it: the same migrations, up to 4 only,
    and that schema's search index, keyed by the household's own rowid."""

    _SEARCH_SIGN = 1

    def _migrate(self, target: int = 4) -> None:
        super()._migrate(target)


@dataclass
class Run:
    store: Store
    figures: dict[str, float] = field(default_factory=dict)  # import, migration (s); save medians (ms)
    search: dict[str, list[float]] = field(default_factory=dict)  # query: the times (s)
    found: dict[str, list[str]] = field(default_factory=dict)  # query: the households found, in order


class Saver:
    """Saves one 10-member household again and again, a name and a job changed each time."""

    JOBS = ("Thợ điện", "Công nhân may", "Lái xe", "Bán hàng")

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        rec = normalize(forms.current(), fx.generated(1, members=10, seed=3)[0])
        self.rec = store.save(rec, actor="bench").household.record
        self.i = 0

    def save(self) -> float:
        rec = copy.deepcopy(self.rec)
        rec["members"][self.i % 10]["full_name"] = f"Nguyễn Văn {self.i}"
        rec["members"][0]["job"] = self.JOBS[self.i % 4]
        self.i += 1
        t = time.perf_counter()
        self.rec = self.store.save(rec, actor="bench").household.record
        return time.perf_counter() - t


def measure_saves(runs: dict[str, Run], forms: FormRegistry, rounds: int = 400) -> None:
    """Each run in turn, one save at a time: a load from other programs weighs on all alike."""
    savers = {name: Saver(run.store, forms) for name, run in runs.items()}
    for figure, sync in (("save", "FULL"), ("save, no sync", "OFF")):
        samples: dict[str, list[float]] = {name: [] for name in runs}
        for run in runs.values():
            run.store.conn.execute(f"PRAGMA synchronous = {sync}")
        for _ in range(rounds):
            for name, saver in savers.items():
                samples[name].append(saver.save())
        for name, run in runs.items():
            run.figures[figure] = statistics.median(samples[name]) * 1000
            run.store.conn.execute("PRAGMA synchronous = FULL")


def measure_searches(runs: dict[str, Run], queries: list[str], rounds: int = 15) -> None:
    for _ in range(rounds):
        for q in queries:
            for run in runs.values():
                t = time.perf_counter()
                found = run.store.search(q, limit=50)
                run.search.setdefault(q, []).append(time.perf_counter() - t)
                run.found[q] = [h.uuid for h in found]


def import_rate(store: Store, src: Path, n: int) -> float:
    t = time.perf_counter()
    with open(src, encoding="utf-8") as fh:
        report = import_jsonl(store, fh, actor="bench", workers=None)
    assert report.added == n, (report.added, report.bad[:3])
    return n / (time.perf_counter() - t)


def write_source(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for start in range(0, n, 10_000):
            for rec in fx.generated(min(10_000, n - start), seed=start + 1):
                rec["household"]["household_code"] = f"HT-{start:06d}-{rec['household']['household_code'][3:]}"
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def queries_for(store: Store, n: int) -> list[str]:
    sample = store.get(store.list(limit=1, offset=n // 2)[0].uuid).record
    return [*QUERIES, sample["members"][0]["citizen_id"][:8], sample["household"]["household_code"]]


def sqlcipher_build_without_key(store: Store) -> None:
    """The store's plain file through sqlcipher3's SQLite, with no key (the bench only)."""
    store.conn.close()
    store.conn = dbapi2.connect(str(store.path), isolation_level=None, check_same_thread=False)  # type: ignore[assignment]
    store._configure()
    store.db = Database(store.conn)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    args = parser.parse_args()
    n = args.households
    forms = FormRegistry()
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = tmp / "households.jsonl"
        write_source(src, n)
        t = time.perf_counter()
        profiles.create(tmp / "enc" / "households.sqlite", PASSPHRASE, forms=forms)
        create_s = time.perf_counter() - t
        keys.forget()
        t = time.perf_counter()
        profiles.unlock(tmp / "enc" / "households.sqlite", PASSPHRASE)
        unlock_s = time.perf_counter() - t
        old_key = keys.new_data_key()  # "enc 4" is opened with its key: no key file, no KDF
        made = {"plain 4": (TodayStore, "plain4", None), "enc 4": (TodayStore, "enc4", old_key),
                "plain": (Store, "plain", None), "no key": (Store, "nokey", None), "encrypted": (Store, "enc", None)}

        def open_store(name: str) -> Store:
            kind, folder, key = made[name]
            store = kind(tmp / folder / "households.sqlite", forms, key=key)
            assert store.encrypted == (name in ("enc 4", "encrypted")), name
            assert store.schema_version == (4 if kind is TodayStore else 5), name
            if name == "no key":
                sqlcipher_build_without_key(store)
            return store

        imported: dict[str, float] = {}
        for name in made:
            store = open_store(name)
            imported[name] = import_rate(store, src, n)
            queries = queries_for(store, n)
            store.close()
            print(f"({name}: database {store.path.stat().st_size / 1e6:.0f} MB)", flush=True)
        migrated: dict[str, Run] = {}
        for new, old in (("plain 4>5", "plain 4"), ("enc 4>5", "enc 4")):
            _kind, folder, key = made[old]
            path = tmp / (folder + "to5") / "households.sqlite"
            path.parent.mkdir()
            shutil.copyfile(tmp / folder / "households.sqlite", path)
            t = time.perf_counter()
            store = Store(path, forms, key=key)
            migrated[new] = Run(store, {"migration": time.perf_counter() - t})
            assert store.schema_version == 5 and store.encrypted == (key is not None)
            print(f"({new}: database {path.stat().st_size / 1e6:.0f} MB)", flush=True)
        runs = {name: Run(open_store(name), {"import": imported[name]}) for name in made} | migrated
        versions = {run.store.conn.execute("SELECT sqlite_version()").fetchone()[0] for run in runs.values()}
        measure_saves(runs, forms)
        measure_searches(runs, queries)
        for run in runs.values():
            run.store.close()
    different = [(name, q) for name, run in runs.items() for q in queries if run.found[q] != runs["plain 4"].found[q]]
    if different:
        print(f"different households found than on today's plain profile: {different}")
        return 1

    kdf = keys.default_kdf()
    print(f"\n{n} households; SQLite {' and '.join(sorted(versions))}; create profile {create_s:.2f} s, "
          f"unlock ({kdf.name} {kdf.params}) {unlock_s:.2f} s; every run finds the same households for every query\n")
    names = list(runs)
    print(f"{'':<42}" + "".join(f"{name:>10}" for name in names))

    def row(label: str, values: list[float | None]) -> None:
        print(f"{label:<42}" + "".join(f"{'-':>10}" if v is None else f"{v:>10.2f}" for v in values))

    row("import (s per 1000 households)", [1000 / r.figures["import"] if "import" in r.figures else None
                                           for r in runs.values()])
    row("save, 10 members (median ms)", [r.figures.get("save") for r in runs.values()])
    row("  the same, not waiting for the disk", [r.figures.get("save, no sync") for r in runs.values()])
    row("migration 4 -> 5, with its backup (s)", [r.figures.get("migration") for r in runs.values()])
    medians = {name: {q: statistics.median(times) * 1000 for q, times in r.search.items()} for name, r in runs.items()}
    for q in queries:
        row(f"  search {q!r} (median ms)", [m[q] for m in medians.values()])
    total = {name: sum(m.values()) for name, m in medians.items()}
    row("search, all queries (sum of medians, ms)", list(total.values()))
    print()
    save = {name: r.figures["save"] for name, r in runs.items()}
    nosync = {name: r.figures["save, no sync"] for name, r in runs.items()}

    def ratio(label: str, of: dict[str, float], a: str, b: str, target: bool = False) -> None:
        value = of[a] / of[b]
        verdict = f"  target <= {TARGET}x: {'ok' if value <= TARGET else 'MISSED'}" if target else ""
        print(f"  {label:<58} {a:>9} / {b:<9} {value:5.2f}x{verdict}")

    print("search:")
    ratio("encrypted against today's plain profile", total, "encrypted", "plain 4", target=True)
    ratio("encrypted, migrated from 4, against today's plain profile", total, "enc 4>5", "plain 4", target=True)
    ratio("encrypted against plain, both schema 5", total, "encrypted", "plain")
    ratio("the encryption itself (schema 5)", total, "encrypted", "no key")
    ratio("before: encrypted against plain, both schema 4", total, "enc 4", "plain 4")
    print("save:")
    ratio("encrypted against today's plain profile", save, "encrypted", "plain 4", target=True)
    ratio("encrypted against plain, both schema 5", save, "encrypted", "plain")
    ratio("the encryption itself (schema 5)", save, "encrypted", "no key")
    ratio("before: encrypted against plain, both schema 4", save, "enc 4", "plain 4")
    ratio("schema 5 against schema 4, plain", save, "plain", "plain 4")
    print("save, not waiting for the disk:")
    ratio("encrypted against today's plain profile", nosync, "encrypted", "plain 4")
    ratio("encrypted against plain, both schema 5", nosync, "encrypted", "plain")
    ratio("the encryption itself (schema 5)", nosync, "encrypted", "no key")
    ratio("before: encrypted against plain, both schema 4", nosync, "enc 4", "plain 4")
    ratio("schema 5 against schema 4, plain", nosync, "plain", "plain 4")
    return 0


if __name__ == "__main__":
    sys.exit(main())
