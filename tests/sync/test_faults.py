"""Links that drop and servers that die: afterwards both sides agree, nothing lost or doubled."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from forms.store import Store, outbox
from sync import client
from tests import factories as fx
from tests.sync.conftest import Server
from tests.sync.cutting_proxy import CuttingProxy
from tests.sync.test_sync import laptop


def sync_until_done(store: Store, url: str, rounds: int = 200) -> int:
    """Keep syncing as an officer at the district office would, until nothing waits."""
    store.set_setting("sync.server_url", url)
    session = requests.Session()
    session.headers["Connection"] = "close"  # a new connection per request: every request can be cut
    failures = 0
    for _ in range(rounds):
        try:
            client.SyncClient(store, session=session, sleep=lambda s: None, max_attempts=3, max_batch=5,
                              timeout=(5.0, 20.0)).sync()
        except client.SyncError as exc:
            assert exc.kind == "network", exc.msg.en
            failures += 1
            continue
        if outbox.waiting(store) == 0 and outbox.pending(store) is None:
            return failures
    raise AssertionError("sync never finished")


def test_1000_households_through_200_cuts(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    recs = fx.generated(1000, seed=42)
    with store.transaction():
        for rec in recs:
            store.save_within(rec, actor="lan", action="import", status="complete")
    proxy = CuttingProxy(server.port, cut_probability=0.6, seed=7)
    sync_until_done(store, f"http://127.0.0.1:{proxy.port}")
    # The officer then corrects 150 households and sends them again, through the same link.
    rnd = random.Random(3)
    edited = rnd.sample([r["uuid"] for r in recs], 150)
    for uuid in edited:
        rec = store.get(uuid).record
        rec["household"]["address"] = f"{rnd.randint(1, 99)} Trần Phú"
        store.save(rec, actor="lan")
        store.complete(uuid, actor="lan", accept_warnings=True)
    sync_until_done(store, f"http://127.0.0.1:{proxy.port}")
    proxy.close()
    print(f"{proxy.connections} connections, {proxy.cuts} cut")
    assert proxy.total_cuts >= 200 and min(proxy.cuts.values()) >= 50

    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT uuid, client_revision, server_revision, data FROM households")).fetchall()
    engine.dispose()
    assert len(rows) == 1000 and len({r.uuid for r in rows}) == 1000
    for r in rows:
        h = store.get(r.uuid)
        assert h.status == "sent" and r.client_revision == h.revision == h.sent_revision
        assert r.server_revision == h.server_revision == (2 if r.uuid in edited else 1)
        if r.uuid in edited:
            assert h.record["household"]["address"] in r.data


def test_server_killed_mid_batch_applies_all_or_nothing(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    token = store.get_setting("sync.token")
    headers = {"Authorization": f"Bearer {token}", "Content-Encoding": "gzip", "Content-Type": "application/json"}
    outcomes = []
    for round_no in range(4):
        with store.transaction():
            for rec in fx.generated(300, seed=100 + round_no):
                rec["household"]["household_code"] = f"R{round_no}-{rec['household']['household_code']}"
                store.save_within(rec, actor="lan", action="import", status="complete")
        batch = outbox.next_batch(store, 300)
        assert batch is not None

        def post(b: outbox.Batch = batch) -> None:
            try:
                requests.post(f"{server.url}/api/v1/batches", data=b.payload, headers=headers, timeout=60)
            except requests.RequestException:
                pass

        t = threading.Thread(target=post)
        t.start()
        time.sleep(0.05 + 0.15 * round_no)  # kill at different points of the batch
        server.kill()
        t.join()
        engine = create_engine(server.db_url)
        with engine.connect() as conn:
            stored = {r[0] for r in conn.execute(text("SELECT uuid FROM households"))}
            has_receipt = conn.execute(text("SELECT count(*) FROM batches WHERE batch_id = :b"),
                                       {"b": batch.batch_id}).scalar()
            if server.db_url.startswith("sqlite"):
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
        in_batch = {u for u, _ in batch.records}
        assert (in_batch <= stored) == bool(has_receipt) and (not in_batch & stored or in_batch <= stored)
        outcomes.append(bool(has_receipt))
        server.start(port=server.port)
        assert client.SyncClient(store, max_batch=300).sync().accepted == len(in_batch)
    print("applied before the kill:", outcomes)
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT count(*), count(DISTINCT uuid) FROM households")).one()) == (1200, 1200)
    engine.dispose()
