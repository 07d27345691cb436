"""The provincial administrator's side: rate limits, the audit log, exports for statisticians."""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest
import requests

from forms.store import Store
from sync import client
from tests.sync.conftest import Server
from tests.sync.test_sync import complete_households, laptop


def test_enrollment_codes_cannot_be_tried_by_the_thousand(tmp_path: Path) -> None:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path, env={"LABOUR_SURVEY_ENROLL_LIMIT": "3/600"})
    s.start()
    try:
        code = s.add_officer("lan")
        for _ in range(3):
            r = requests.post(f"{s.url}/api/v1/enroll", json={"code": "AAAAA-BBBBB", "device_name": "x"}, timeout=10)
            assert r.status_code == 403
        r = requests.post(f"{s.url}/api/v1/enroll", json={"code": code, "device_name": "x"}, timeout=10)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 60  # even the right code must wait
        assert "phút" in r.json()["message"]["vi"]
        with pytest.raises(client.SyncError) as err:
            client.enroll(Store(tmp_path / "lan.sqlite"), s.url, code, "laptop")
        assert "Too many attempts" in err.value.msg.en
        log = s.admin("audit").stdout
        assert log.count("enroll refused") == 3
    finally:
        s.stop()


def test_the_audit_log_says_who_did_what_without_personal_data(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuids = complete_households(store, 2)
    client.SyncClient(store).sync()
    assert server.admin("households", "return", uuids[0], "--comment", "Kiểm tra lại", "--by", "Giám sát Hoa").returncode == 0
    assert server.admin("households", "show", uuids[1]).returncode == 0
    client.SyncClient(store).sync()
    log = server.admin("audit").stdout
    lines = log.splitlines()
    assert any("add account" in line and "lan" in line for line in lines)
    assert any(" enroll " in f" {line} " and "lan" in line for line in lines)
    assert any("upload" in line and "accepted" in line for line in lines)
    assert any("Giám sát Hoa" in line and "return" in line and uuids[0] in line for line in lines)
    assert any(line.split()[2] == "read" and uuids[1] in line for line in lines if len(line.split()) > 2)
    assert any("download" in line for line in lines)
    record = store.get(uuids[0]).record
    for member in record["members"]:  # names and ID numbers never reach the log
        assert member["full_name"] not in log
        assert member.get("citizen_id", "-") not in log
    assert server.admin("audit", "--target", uuids[0][:8]).stdout.count(uuids[0]) >= 1


def test_the_province_exports_what_it_received(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    complete_households(store, 6)
    client.SyncClient(store).sync()
    out = tmp_path / "province-export"
    r = server.admin("export", "-o", str(out), "--format", "csv", "--format", "sav")
    assert r.returncode == 0, r.stderr
    assert "6 household(s) exported" in r.stdout and "personal data" in r.stdout
    households, meta = pyreadstat.read_sav(str(out / "households.sav"))
    members, _ = pyreadstat.read_sav(str(out / "members.sav"))
    assert len(households) == 6 and set(members["household_uuid"]) == set(households["household_uuid"])
    assert len(members) == sum(store.get(h.uuid).member_count for h in store.list())
    assert meta.variable_value_labels["area"] == {1: "Thành thị", 2: "Nông thôn"}  # labels from the questionnaire
    assert (out / "codebook.xlsx").exists()
    assert "export" in server.admin("audit").stdout


def test_two_worker_processes_serve_the_same_province(tmp_path: Path) -> None:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path, serve_args=["--workers", "2"])
    s.start()
    try:
        stores = [laptop(tmp_path, s, name=name) for name in ("lan", "hoa")]
        uuids = [u for i, store in enumerate(stores) for u in complete_households(store, 30, seed=i + 1)]
        for store in stores:
            assert client.SyncClient(store).sync().accepted == 30
        assert server_rows_count(s) == len(set(uuids)) == 60
    finally:
        s.stop()
    assert s.proc is not None and s.proc.returncode is not None  # stopping the server stops its workers


def server_rows_count(server: Server) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM households")).scalar()
    engine.dispose()
    return int(n or 0)
