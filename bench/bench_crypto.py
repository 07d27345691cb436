"""The cost of encrypting the officer's profile (SQLCipher): save, import and search on an
encrypted store against a plain one, the same households in both. Prints figures and the
ratios; asserts nothing.

    .venv/bin/python bench/bench_crypto.py [--households 20000]

- save: a 10-member household with validation and change log, as in bench_core (median ms)
- import of generated households through JSON Lines (households/s)
- search over them: the median of each query, summed over the queries
- unlock: the passphrase KDF (Argon2id 64 MiB, 3 passes), paid once when the profile opens
Target: encrypted <= 1.3 x plain for save and search.

Three runs: "plain" is Python's own SQLite, as a plain profile uses it; "no key" is the same
plain file through the SQLite that sqlcipher3 ships (another SQLite version and build), without
encryption; "encrypted" is that SQLite with the key. encrypted / no key is the cost of the
encryption itself; encrypted / plain is what the officer sees against a plain profile.
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


def save_ms(store: Store, forms: FormRegistry, rounds: int = 400) -> float:
    rec = normalize(forms.current(), fx.generated(1, members=10, seed=3)[0])
    rec = store.save(rec, actor="bench").household.record
    jobs = ["Thợ điện", "Công nhân may", "Lái xe", "Bán hàng"]
    samples = []
    for i in range(rounds):
        rec = copy.deepcopy(rec)
        rec["members"][i % 10]["full_name"] = f"Nguyễn Văn {i}"
        rec["members"][0]["job"] = jobs[i % 4]
        t = time.perf_counter()
        rec = store.save(rec, actor="bench").household.record
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def import_rate(store: Store, src: Path, n: int) -> float:
    t = time.perf_counter()
    with open(src, encoding="utf-8") as fh:
        report = import_jsonl(store, fh, actor="bench", workers=None)
    assert report.added == n, (report.added, report.bad[:3])
    return n / (time.perf_counter() - t)


def search_ms(store: Store, queries: list[str]) -> dict[str, float]:
    out = {}
    for q in queries:
        samples = []
        for _ in range(15):
            t = time.perf_counter()
            store.search(q, limit=50)
            samples.append(time.perf_counter() - t)
        out[q] = statistics.median(samples) * 1000
    return out


def write_source(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for start in range(0, n, 10_000):
            for rec in fx.generated(min(10_000, n - start), seed=start + 1):
                rec["household"]["household_code"] = f"HT-{start:06d}-{rec['household']['household_code'][3:]}"
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def measure(store: Store, forms: FormRegistry, src: Path, n: int) -> dict[str, object]:
    figures: dict[str, object] = {"save": save_ms(store, forms), "import": import_rate(store, src, n)}
    sample = store.get(store.list(limit=1, offset=n // 2)[0].uuid).record
    queries = [*QUERIES, sample["members"][0]["citizen_id"][:8], sample["household"]["household_code"]]
    figures["search"] = search_ms(store, queries)
    return figures


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
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = tmp / "households.jsonl"
        write_source(src, n)
        t = time.perf_counter()
        profiles.create(tmp / "enc" / "households.sqlite", "lúa chín vàng ở Hạc Thành", forms=forms)
        create_s = time.perf_counter() - t
        keys.forget()
        t = time.perf_counter()
        profiles.unlock(tmp / "enc" / "households.sqlite", "lúa chín vàng ở Hạc Thành")
        unlock_s = time.perf_counter() - t
        results: dict[str, dict[str, object]] = {}
        runs = (("plain", tmp / "plain" / "households.sqlite"), ("no key", tmp / "nokey" / "households.sqlite"),
                ("encrypted", tmp / "enc" / "households.sqlite"))
        for name, path in runs:
            store = Store(path, forms)
            assert store.encrypted == (name == "encrypted")
            if name == "no key":
                sqlite_version = store.conn.execute("SELECT sqlite_version()").fetchone()[0]
                sqlcipher_build_without_key(store)
                print(f"(SQLite {sqlite_version} in Python; {store.conn.execute('SELECT sqlite_version()').fetchone()[0]}"
                      " in sqlcipher3)")
            results[name] = measure(store, forms, src, n)
            store.close()
            print(f"({name}: database {path.stat().st_size / 1e6:.0f} MB)")
    kdf = keys.default_kdf()
    print(f"\n{n} households; create profile {create_s:.2f} s, unlock ({kdf.name} {kdf.params}) {unlock_s:.2f} s\n")
    print(f"{'':<42} {'plain':>9} {'no key':>9} {'encrypted':>9}  {'enc/nokey':>9} {'enc/plain':>9}")
    plain, nokey, enc = results["plain"], results["no key"], results["encrypted"]
    rows: list[tuple[str, float, float, float]] = [
        ("save, 10 members (median ms)", plain["save"], nokey["save"], enc["save"]),  # type: ignore[list-item]
        ("import (s per 1000 households)", 1000 / plain["import"], 1000 / nokey["import"],  # type: ignore[operator]
         1000 / enc["import"])]  # type: ignore[operator]
    sp, sn, se = plain["search"], nokey["search"], enc["search"]
    assert isinstance(sp, dict) and isinstance(sn, dict) and isinstance(se, dict)
    rows += [(f"  search {q!r}", sp[q], sn[q], se[q]) for q in sp]
    rows.append(("search, all queries (sum of medians, ms)", sum(sp.values()), sum(sn.values()), sum(se.values())))
    for label, p, k, e in rows:
        print(f"{label:<42} {p:>9.2f} {k:>9.2f} {e:>9.2f}  {e / k:>8.2f}x {e / p:>8.2f}x")
    print()
    for what, row in (("save", rows[0]), ("search", rows[-1])):
        _label, p, k, e = row
        print(f"{what}: encryption itself (encrypted / no key) {e / k:.2f}x, target <= {TARGET}x: "
              f"{'ok' if e / k <= TARGET else 'MISSED'}; against today's plain profile {e / p:.2f}x: "
              f"{'ok' if e / p <= TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
