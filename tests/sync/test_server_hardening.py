"""Requests made to harm the provincial server (issue 16), against a real server process: each
is refused with a message in both languages, and nobody else waits for it."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests import factories as fx
from tests.sync.conftest import Server, start_https_server

MIB = 1024 * 1024


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[Server]:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path)
    s.start()
    yield s
    s.stop()


def enroll(server: Server, name: str = "lan", communes: str = "14797,14758") -> str:
    r = requests.post(f"{server.url}/api/v1/enroll", json={"code": server.add_officer(name, communes), "device_name": name},
                      timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def record(uuid: str | None = None, commune: str = "14797", **fields: Any) -> dict[str, Any]:
    rec = fx.household(commune_code=commune)
    return {"uuid": uuid or str(uuidlib.uuid4()), "revision": 1, "base_revision": None, "form_id": "labour_supply",
            "form_version": "2", "deleted": False, **rec, **fields}


def post_batch(server: Server, token: str, body: bytes, gz: bool = True) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if gz:
        headers["Content-Encoding"] = "gzip"
        body = gzip.compress(body, 9)
    return requests.post(f"{server.url}/api/v1/batches", data=body, headers=headers, timeout=120)


def batch_json(records: str) -> bytes:
    return f'{{"batch_id": "{uuidlib.uuid4()}", "records": {records}}}'.encode()


def assert_said(r: requests.Response, status: int, en: str, vi: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    said = r.json()["message"]
    assert en in said["en"] and vi in said["vi"], said


def peak_rss_mib(server: Server) -> float:
    assert server.proc is not None
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


# -- finding 3: a gzip bomb ----------------------------------------------------------------------
def bomb(inflated_mib: int) -> bytes:
    """A batch of empty records that inflates to about `inflated_mib` MiB (61 KB for 60 MiB)."""
    n = inflated_mib * MIB // 3
    return gzip.compress(batch_json("[" + "{}," * n + "{}]"), 9)


def test_a_gzip_bomb_is_refused_and_others_are_answered_meanwhile(plain_server: Server) -> None:
    token = enroll(plain_server)
    body = bomb(60)
    assert len(body) < 100 * 1024
    host, port = "127.0.0.1", plain_server.port
    finished: list[str] = []
    lock = threading.Lock()
    answers: list[tuple[int, dict[str, Any]]] = []

    def answer(conn: http.client.HTTPConnection, name: str) -> None:
        resp = conn.getresponse()
        payload = json.loads(resp.read())
        with lock:
            finished.append(name)
            if name == "bomb":
                answers.append((resp.status, payload))

    bombs = []
    for _ in range(4):  # each is sent whole before the health check below is asked
        conn = http.client.HTTPConnection(host, port, timeout=120)
        conn.request("POST", "/api/v1/batches", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Encoding": "gzip", "Content-Type": "application/json"})
        bombs.append(threading.Thread(target=answer, args=(conn, "bomb")))
    for t in bombs:
        t.start()
    health = http.client.HTTPConnection(host, port, timeout=120)
    health.request("GET", "/api/v1/health")
    answer(health, "health")
    for t in bombs:
        t.join(120)
    assert finished[0] == "health", finished  # answered while the bombs were still being refused
    assert len(answers) == 4
    for status, payload in answers:
        assert status == 413, payload
        assert "more than 16 MiB" in payload["message"]["en"] and "lớn hơn 16 MiB" in payload["message"]["vi"]
    assert peak_rss_mib(plain_server) < 400  # was 1.7 GiB for one bomb
    assert requests.get(f"{plain_server.url}/api/v1/health", timeout=10).status_code == 200


def test_a_bomb_under_the_size_bound_is_refused_before_it_is_built(plain_server: Server) -> None:
    token = enroll(plain_server)
    r = post_batch(plain_server, token, batch_json("[" + "{}," * (15 * MIB // 3) + "{}]"))
    assert_said(r, 422, "more than 128000 JSON objects", "có hơn 128000 đối tượng JSON")
    assert peak_rss_mib(plain_server) < 400


# -- finding 4: numbers and nesting that used to give 500 ---------------------------------------
def test_huge_numbers_and_deep_nesting_are_4xx_with_a_message(plain_server: Server) -> None:
    token = enroll(plain_server)
    r = post_batch(plain_server, token, json.dumps({"batch_id": str(uuidlib.uuid4()),
                                                    "records": [record(revision=2**70)]}).encode())
    assert_said(r, 422, "revision must be an integer from 1 to 2147483647", "revision phải là một số nguyên từ 1 đến")
    r = post_batch(plain_server, token, json.dumps({"batch_id": str(uuidlib.uuid4()),
                                                    "records": [record(base_revision=2**70)]}).encode())
    assert_said(r, 422, "base_revision must be null or an integer", "base_revision phải là null")
    digits = "9" * 5000
    for gz in (True, False):
        r = post_batch(plain_server, token, batch_json(f'[{{"uuid": "{uuidlib.uuid4()}", "revision": {digits}}}]'), gz=gz)
        assert_said(r, 422, "a number has more than 30 digits", "có một số dài hơn 30 chữ số")
        r = post_batch(plain_server, token, batch_json("[" * 100_000 + "]" * 100_000), gz=gz)
        assert_said(r, 422, "JSON nested too deep", "JSON lồng nhau quá sâu")
    # The server is whole: a real batch still goes in.
    r = post_batch(plain_server, token, json.dumps({"batch_id": str(uuidlib.uuid4()), "records": [record()]}).encode())
    assert r.status_code == 200 and r.json()["records"][0]["outcome"] == "accepted", r.text


# -- finding 5: forged client addresses ----------------------------------------------------------
def audit_addresses(server: Server, action: str) -> list[str]:
    lines = [line for line in server.admin("audit").stdout.splitlines() if action in line]
    return [line.split()[-1] for line in lines]


def test_forwarded_for_from_an_untrusted_client_changes_nothing(tmp_path: Path) -> None:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path, env={"LABOUR_SURVEY_ENROLL_LIMIT": "3/600"})
    s.start()
    try:
        for i in range(3):
            r = requests.post(f"{s.url}/api/v1/enroll", json={"code": "AAAAA-BBBBB", "device_name": "x"},
                              headers={"X-Forwarded-For": f"10.0.0.{i}"}, timeout=10)
            assert r.status_code == 403
        r = requests.post(f"{s.url}/api/v1/enroll", json={"code": "AAAAA-BBBBB", "device_name": "x"},
                          headers={"X-Forwarded-For": "10.0.0.99"}, timeout=10)
        assert r.status_code == 429  # a new forged address is still the same client
        assert audit_addresses(s, "enroll refused") == ["127.0.0.1"] * 3
    finally:
        s.stop()


def test_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path, serve_args=["--trusted-proxy", "127.0.0.1"])
    s.start()
    try:
        r = requests.post(f"{s.url}/api/v1/enroll", json={"code": "AAAAA-BBBBB", "device_name": "x"},
                          headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
        assert r.status_code == 403
        assert audit_addresses(s, "enroll refused") == ["203.0.113.7"]
    finally:
        s.stop()


# -- also: API description, HSTS, review headers, another commune, sign-in lock-out --------------
def test_the_api_description_is_published_only_when_asked(tmp_path: Path, plain_server: Server) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert requests.get(plain_server.url + path, timeout=10).status_code == 404, path
    s = Server(f"sqlite:///{tmp_path / 'docs.sqlite'}", tmp_path, serve_args=["--api-docs"])
    s.start()
    try:
        assert "/api/v1/batches" in requests.get(f"{s.url}/openapi.json", timeout=10).json()["paths"]
        assert requests.get(f"{s.url}/docs", timeout=10).status_code == 200
    finally:
        s.stop()


def test_https_answers_carry_hsts_and_plain_http_does_not(tmp_path: Path, plain_server: Server) -> None:
    s, ca_file = start_https_server(tmp_path, "tls.sqlite")
    try:
        for path in ("/api/v1/health", "/review/login", "/api/v1/nothing"):
            r = requests.get(s.url + path, timeout=10, verify=str(ca_file), allow_redirects=False)
            assert r.headers.get("Strict-Transport-Security") == "max-age=31536000", path
    finally:
        s.stop()
    assert "Strict-Transport-Security" not in requests.get(f"{plain_server.url}/api/v1/health", timeout=10).headers


def test_every_review_answer_has_the_security_headers_errors_included(plain_server: Server) -> None:
    for path in ("/review/no-such-page", "/review/households/not-a-uuid", "/review/login", "/review/lang/xx"):
        r = requests.get(plain_server.url + path, timeout=10, allow_redirects=False)
        assert r.headers.get("X-Frame-Options") == "DENY", (path, r.status_code)
        assert "default-src 'none'" in r.headers.get("Content-Security-Policy", ""), path
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        assert r.headers.get("Cache-Control") == "no-store", path
    r = requests.post(f"{plain_server.url}/review/no-such-page", timeout=10)
    assert r.status_code in (404, 405) and r.headers.get("X-Frame-Options") == "DENY"


def test_another_communes_household_is_refused_without_naming_the_commune(plain_server: Server) -> None:
    son_la, thanh_hoa = enroll(plain_server, "muong", "14758"), enroll(plain_server, "lan", "14797")
    uuid = str(uuidlib.uuid4())
    r = post_batch(plain_server, son_la, json.dumps({"batch_id": str(uuidlib.uuid4()),
                                                     "records": [record(uuid, commune="14758")]}).encode())
    assert r.json()["records"][0]["outcome"] == "accepted"
    r = post_batch(plain_server, thanh_hoa, json.dumps({"batch_id": str(uuidlib.uuid4()),
                                                        "records": [record(uuid, commune="14797")]}).encode())
    entry = r.json()["records"][0]
    assert entry["outcome"] == "rejected"
    assert "14758" not in json.dumps(entry)
    assert "commune this account may not write to" in entry["message"]["en"]
    assert "không được ghi dữ liệu" in entry["message"]["vi"]


class FromAddress(HTTPAdapter):
    """Connections from another loopback address (127.0.0.2): another computer, as the server sees it."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser_from(server: Server, address: str) -> Any:
    from tests.web.conftest import Browser

    b = Browser(server)
    b.http.mount("http://", FromAddress(address))
    return b


def test_wrong_passwords_from_one_address_do_not_lock_the_supervisor_out_elsewhere(plain_server: Server) -> None:
    from tests.web.conftest import add_supervisor, audit_entries

    try:
        socket.create_connection(("127.0.0.1", plain_server.port), source_address=("127.0.0.2", 0)).close()
    except OSError:
        pytest.skip("this system cannot connect from 127.0.0.2")
    code = add_supervisor(plain_server, "hoa")
    office = browser_from(plain_server, "127.0.0.1")
    assert office.activate("hoa", code).status_code == 303
    attacker = browser_from(plain_server, "127.0.0.2")
    for _ in range(10):
        assert attacker.sign_in("hoa", "guess").status_code == 401
    for _ in range(3):  # the attacker is slowed down, even with the right password ...
        r = attacker.sign_in("hoa")
        assert r.status_code == 429 and "Thử quá nhiều lần" in r.text
    # ... and the supervisor at the office is not.
    r = browser_from(plain_server, "127.0.0.1").sign_in("hoa")
    assert r.status_code == 303 and "ls_review_session" in r.headers.get("set-cookie", "")
    refused = audit_entries(plain_server, "review sign-in refused")
    assert len(refused) == 10 and {e["address"] for e in refused} == {"127.0.0.2"}
    # Tries refused while waiting are logged apart: counting them would keep the wait going for ever.
    assert len(audit_entries(plain_server, "review sign-in delayed")) == 3
