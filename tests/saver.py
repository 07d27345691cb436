"""A child process for test_kill: saves households in a loop and prints each save that
returned, until it is killed. `python -m tests.saver DB` or `python -m tests.saver DB import FILE`."""

from __future__ import annotations

import copy
import random
import sys

from forms.store import Store
from tests import factories as fx


def save_loop(db: str) -> None:
    store = Store(db)
    rnd = random.Random()
    known: list[dict] = []
    n = 0
    while True:
        if known and rnd.random() < 0.5:
            rec = copy.deepcopy(rnd.choice(known))
            rec["household"]["address"] = f"{rnd.randint(1, 999)} Lê Lợi"
            rec["members"][0]["job"] = rnd.choice(["Thợ điện", "Công nhân may", "Lái xe", "Bán hàng"])
        else:
            n += 1
            rec = fx.generated(1, seed=rnd.getrandbits(32), members=rnd.randint(1, 10))[0]
            rec["household"]["household_code"] = f"K-{rnd.getrandbits(40):x}"
        saved = store.save(rec, actor="killer-test")
        h = saved.household
        for i, r in enumerate(known):
            if r["uuid"] == h.uuid:
                known[i] = h.record
                break
        else:
            known.append(h.record)
        # Printed only after save() returned: the test checks every printed save survived.
        print(h.uuid, h.revision, h.record["household"]["address"], h.member_count, flush=True)


def import_file(db: str, path: str) -> None:
    from forms.exchange import import_jsonl

    store = Store(db)
    with open(path, encoding="utf-8") as fh:
        import_jsonl(store, fh, actor="killer-test", chunk=50)
    print("done", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "import":
        import_file(sys.argv[1], sys.argv[3])
    else:
        save_loop(sys.argv[1])
