"""An officer's laptop loses power or the program is killed: every save that returned is
there, nothing is half-written, and the file is intact."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from forms.store import Store
from tests import factories as fx

ROOT = Path(__file__).resolve().parent.parent


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.saver", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def test_sigkill_in_a_loop_of_saves_loses_nothing_that_returned(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    rnd = random.Random(20261123)
    confirmed: dict[str, tuple[int, str, int]] = {}
    total = 0
    for _ in range(12):
        proc = start(str(db))
        # Let it save for a while: a number of confirmed saves (not a time, so that a busy
        # machine proves as much as a quiet one), then a random moment inside the next ones.
        assert proc.stdout is not None
        read = []
        for _ in range(rnd.randint(9, 25)):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            read.append(line)
        time.sleep(rnd.uniform(0.0, 0.2))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        lines = [*read, *out.splitlines(keepends=True)]
        for line in lines:
            if not line.endswith("\n"):
                continue  # cut while printing: the save may or may not have committed
            parts = line.rstrip("\n").split(" ")
            uuid, revision, address, members = parts[0], int(parts[1]), " ".join(parts[2:-1]), int(parts[-1])
            confirmed[uuid] = (revision, address, members)
            total += 1
    assert total > 100, "the saver made too few saves to prove anything"

    store = Store(db)
    assert store.integrity_check() == "ok"
    for uuid, (revision, address, members) in confirmed.items():
        h = store.get(uuid)
        # A later save may have committed before its line was printed: never an older one.
        assert h.revision >= revision
        if h.revision == revision:
            assert (h.record["household"]["address"], h.member_count, len(h.record["members"])) == (address, members, members)
        assert len(store.history(uuid)) == h.revision
    print(f"{total} confirmed saves over 12 kills, {len(confirmed)} households")
    store.close()


def test_sigkill_during_import_leaves_whole_households(tmp_path: Path) -> None:
    db = tmp_path / "households.sqlite"
    src = tmp_path / "big.jsonl"
    recs = fx.generated(3000)
    by_uuid = {r["uuid"]: r for r in recs}
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs), encoding="utf-8")
    Store(db).close()
    proc = start(str(db), "import", str(src))
    deadline = time.time() + 30
    # Kill once some chunks are in, well before the end.
    while time.time() < deadline:
        time.sleep(0.05)
        probe = Store(db)
        n = probe.count()
        probe.close()
        if n >= 200:
            break
    proc.send_signal(signal.SIGKILL)
    proc.communicate()

    store = Store(db)
    assert store.integrity_check() == "ok"
    stored = store.list(limit=10_000)
    assert 200 <= len(stored) < 3000
    assert len(stored) % 50 == 0  # whole chunks only
    for h in stored:
        full = store.get(h.uuid)
        assert len(full.record["members"]) == len(by_uuid[h.uuid]["members"]) == h.member_count
        assert [m["full_name"] for m in full.record["members"]] == [m["full_name"] for m in by_uuid[h.uuid]["members"]]
    store.close()
