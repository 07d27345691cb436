"""Sync from a laptop's store to a real server process, over real HTTP."""

from __future__ import annotations

import copy
import gzip
import json
import uuid as uuidlib
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from forms.store import Store, outbox
from sync import client
from tests import factories as fx
from tests.sync.conftest import Server


def laptop(tmp_path: Path, server: Server, name: str = "lan", communes: str = "14797,14758") -> Store:
    store = Store(tmp_path / f"{name}.sqlite")
    client.enroll(store, server.url, server.add_officer(name, communes), f"laptop-{name}")
    return store


def complete_households(store: Store, n: int, seed: int = 1) -> list[str]:
    uuids = []
    for rec in fx.generated(n, seed=seed):
        saved = store.save(rec, actor="lan")
        store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
        uuids.append(saved.household.uuid)
    return uuids


def server_rows(server: Server) -> list[tuple]:
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT uuid, server_revision, client_revision, deleted FROM households")).fetchall()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_households_reach_the_server_once(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuids = complete_households(store, 60)
    store.set_setting("sync.batch_size", "25")  # as if an earlier sync found the link slow
    draft = store.save(fx.generated(1, seed=99)[0], actor="lan").household  # drafts stay home
    assert client.status(store).waiting == 60
    result = client.SyncClient(store).sync()
    assert (result.accepted, result.rejected, result.conflicts, result.waiting) == (60, 0, 0, 0)
    assert result.batches >= 3  # two batches of 25 on their way together, then the rest
    assert sorted(r[0] for r in server_rows(server)) == sorted(uuids)
    assert all(store.get(u).status == "sent" for u in uuids)
    assert store.get(draft.uuid).status == "draft"
    st = client.status(store)
    assert st.waiting == 0 and st.last_success_at and st.last_error is None
    again = client.SyncClient(store).sync()  # nothing new: nothing sent
    assert again.batches == 0 and len(server_rows(server)) == 60


def test_a_replayed_batch_changes_nothing_and_gets_the_same_receipt(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    complete_households(store, 5)
    batch = outbox.next_batch(store, 10)
    assert batch is not None
    token = store.get_setting("sync.token")
    headers = {"Authorization": f"Bearer {token}", "Content-Encoding": "gzip", "Content-Type": "application/json"}
    first = requests.post(f"{server.url}/api/v1/batches", data=batch.payload, headers=headers, timeout=30).json()
    second = requests.post(f"{server.url}/api/v1/batches", data=batch.payload, headers=headers, timeout=30).json()
    assert first == second and [e["outcome"] for e in first["records"]] == ["accepted"] * 5
    assert len(server_rows(server)) == 5
    # The laptop never stored that receipt (a cut link): its next sync resends the same batch.
    result = client.SyncClient(store).sync()
    assert result.accepted == 5 and len(server_rows(server)) == 5
    assert {r[1] for r in server_rows(server)} == {1}


def test_an_edit_after_sending_goes_again_as_a_new_revision(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    (uuid,) = complete_households(store, 1)
    client.SyncClient(store).sync()
    rec = store.get(uuid).record
    rec["members"][0]["job"] = "Thợ hàn"
    assert store.save(rec, actor="lan").household.status == "draft"
    assert client.status(store).waiting == 0  # a draft is not sent
    store.complete(uuid, actor="lan", accept_warnings=True)
    assert client.SyncClient(store).sync().accepted == 1
    ((_, server_rev, client_rev, _),) = server_rows(server)
    assert (server_rev, client_rev) == (2, store.get(uuid).revision)


def test_a_stale_edit_is_a_conflict_and_returns_to_draft(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    (uuid,) = complete_households(store, 1)
    client.SyncClient(store).sync()
    engine = create_engine(server.db_url)  # a supervisor changed it at the province meanwhile
    with engine.begin() as conn:
        conn.execute(text("UPDATE households SET server_revision = server_revision + 1, device_id = NULL"))
    engine.dispose()
    rec = store.get(uuid).record
    rec["household"]["address"] = "15 Lê Lợi"
    store.save(rec, actor="lan")
    store.complete(uuid, actor="lan", accept_warnings=True)
    result = client.SyncClient(store).sync()
    assert result.conflicts == 1
    h = store.get(uuid)
    assert h.status == "draft" and "changed at the province" in json.loads(h.server_note)["message"]["en"]
    assert server_rows(server)[0][1] == 2  # the province's version was kept


def test_other_communes_are_refused_and_nothing_is_stored(tmp_path: Path, server: Server) -> None:
    """The laptop refuses to complete another commune's household once it knows its communes;
    one completed before the laptop was enrolled is still refused by the server."""
    store = Store(tmp_path / "lan.sqlite")
    (uuid,) = complete_households(store, 1)  # in Phường Hạc Thành (14797), before enrollment
    client.enroll(store, server.url, server.add_officer("lan", "14758"), "laptop-lan")  # not 14797
    result = client.SyncClient(store).sync()
    assert result.rejected == 1 and server_rows(server) == []
    h = store.get(uuid)
    assert h.status == "draft"
    assert "14797" in json.loads(h.server_note)["message"]["vi"]


def test_auth_matrix(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    complete_households(store, 2)
    batch = outbox.next_batch(store, 10)
    assert batch is not None
    url = f"{server.url}/api/v1/batches"
    base = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    token = store.get_setting("sync.token")
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": token or ""},
                    {"Authorization": "Bearer " + "x" * 5000}):
        r = requests.post(url, data=batch.payload, headers={**base, **headers}, timeout=30)
        assert r.status_code == 401 and r.json()["error"] == "not_enrolled"
    devices = server.admin("devices", "list").stdout
    device_id = devices.split()[0]
    assert server.admin("devices", "revoke", device_id).returncode == 0
    r = requests.post(url, data=batch.payload, headers={**base, "Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 401
    assert server_rows(server) == []
    with pytest.raises(client.SyncError) as info:
        client.SyncClient(store, sleep=lambda s: None).sync()
    assert info.value.kind == "auth" and "withdrawn" in info.value.msg.en
    assert "withdrawn" in client.status(store).last_error.en  # type: ignore[union-attr]
    # a revoked officer: every laptop of theirs is refused at once
    other = laptop(tmp_path, server, name="hoa")
    assert server.admin("officers", "revoke", "hoa").returncode == 0
    complete_households(other, 1, seed=7)
    with pytest.raises(client.SyncError):
        client.SyncClient(other).sync()


def test_garbage_is_refused_with_4xx_and_the_server_stays_up(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    auth = {"Authorization": f"Bearer {store.get_setting('sync.token')}", "Content-Type": "application/json"}
    url = f"{server.url}/api/v1/batches"
    good = json.dumps({"batch_id": str(uuidlib.uuid4()), "records": [{"uuid": str(uuidlib.uuid4()), "revision": 1}]})
    cases = [
        (b"\x00\x01garbage", {"Content-Encoding": "gzip"}, 400),
        (gzip.compress(good.encode())[:-9], {"Content-Encoding": "gzip"}, 400),  # truncated
        (b"{not json", {}, 400),
        ("\ufeff{}".encode("utf-16"), {}, 400),
        (json.dumps([1, 2]).encode(), {}, 422),
        (json.dumps({"batch_id": "x", "records": []}).encode(), {}, 422),
        (json.dumps({"batch_id": str(uuidlib.uuid4()), "records": [{"uuid": "u", "revision": 1}]}).encode(), {}, 422),
        (json.dumps({"batch_id": str(uuidlib.uuid4()), "records": [{"uuid": str(uuidlib.uuid4()), "revision": -1}]}).encode(),
         {}, 422),
        (gzip.compress(b" " * (70 * 1024 * 1024)), {"Content-Encoding": "gzip"}, 413),  # a zip bomb
        (b"x" * (9 * 1024 * 1024), {}, 413),
        (b"{}", {"Content-Encoding": "br"}, 400),
    ]
    for body, headers, expected in cases:
        r = requests.post(url, data=body, headers={**auth, **headers}, timeout=60)
        assert r.status_code == expected, (body[:40], r.status_code, r.text[:200])
        assert set(r.json()) == {"error", "message"}
        if expected == 400:  # the reason in both languages, not English inside the Vietnamese
            vi, en = r.json()["message"]["vi"], r.json()["message"]["en"]
            assert vi.startswith("Máy chủ không đọc được") and vi.split(": ", 1)[1] != en.split(": ", 1)[1], (vi, en)
    r = requests.post(url, data=good, headers=auth, timeout=30)
    assert r.status_code == 200 and r.json()["records"][0]["outcome"] == "rejected"  # no form_id: refused, not 500
    assert "None" not in r.json()["records"][0]["message"]["vi"]
    assert requests.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
    assert server_rows(server) == []


def test_not_enrolled_and_unreachable_say_what_to_do(tmp_path: Path, server: Server) -> None:
    store = Store(tmp_path / "new.sqlite")
    complete_households(store, 1)
    with pytest.raises(client.SyncError) as info:
        client.SyncClient(store).sync()
    assert info.value.kind == "not_enrolled" and "labour-survey enroll" in info.value.msg.en
    store2 = laptop(tmp_path, server)
    complete_households(store2, 1)
    server.stop()  # the district office's link is down
    slept: list[float] = []
    with pytest.raises(client.SyncError) as info:
        client.SyncClient(store2, sleep=slept.append, max_attempts=4).sync()
    assert info.value.kind == "network" and "safe on this laptop" in info.value.msg.en
    assert len(slept) == 3 and all(0 <= s <= 4 for s in slept)
    assert client.status(store2).waiting == 1  # still waiting, in a batch kept to be resent as it is
    assert outbox.pending(store2) is not None


def test_enroll_with_a_bad_code(tmp_path: Path, server: Server) -> None:
    store = Store(tmp_path / "x.sqlite")
    with pytest.raises(client.SyncError) as info:
        client.enroll(store, server.url, "AAAAA-BBBBB", "laptop")
    assert info.value.kind == "auth" and "wrong, used or expired" in info.value.msg.en
    code = server.add_officer("lan")
    client.enroll(store, server.url, code.lower(), "laptop")  # typed in lower case: fine
    with pytest.raises(client.SyncError):
        client.enroll(Store(tmp_path / "y.sqlite"), server.url, code, "second laptop")  # one use only


def test_deletion_is_synced(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuids = complete_households(store, 2)
    client.SyncClient(store).sync()
    store.delete(uuids[0], actor="lan")
    assert client.status(store).waiting == 1
    assert client.SyncClient(store).sync().accepted == 1
    deleted = {r[0]: r[3] for r in server_rows(server)}
    assert deleted[uuids[0]] and not deleted[uuids[1]]
    never_sent = store.save(copy.deepcopy(fx.generated(1, seed=3)[0]), actor="lan").household.uuid
    store.delete(never_sent, actor="lan")
    assert client.status(store).waiting == 0  # the server never had it: nothing to tell
