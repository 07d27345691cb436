"""A real server process for the review pages, supervisors and the officers' laptops that feed it."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from forms.store import Store
from sync import client
from tests import factories as fx
from tests.sync.conftest import Server, server_database, start_https_server

PASSWORD = "mật khẩu đủ dài 2026"


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The real server process, once on SQLite (its default) and once on PostgreSQL."""
    with server_database(request.param, tmp_path) as url:
        s = Server(url, tmp_path)
        s.start()
        yield s
        s.stop()


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """The server over HTTPS with a certificate of the province's own authority; and that CA's file."""
    s, ca_file = start_https_server(tmp_path)
    yield s, ca_file
    s.stop()


def add_supervisor(server: Server, username: str, communes: str = "14797") -> str:
    r = server.admin("officers", "add", username, "--name", f"Giám sát {username.capitalize()}", "--communes", communes,
                     "--role", "supervisor")
    assert r.returncode == 0, r.stderr
    return re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", r.stdout).group(0)  # type: ignore[union-attr]


def laptop(tmp_path: Path, server: Server, name: str = "lan", communes: str = "14797,14758") -> Store:
    store = Store(tmp_path / f"{name}.sqlite")
    client.enroll(store, server.url, server.add_officer(name, communes), f"laptop-{name}")
    return store


def send(store: Store, *records: dict[str, Any]) -> list[str]:
    """Complete these households on the laptop and sync them; their UUIDs."""
    uuids = []
    for rec in records:
        saved = store.save(rec, actor="lan")
        store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
        uuids.append(saved.household.uuid)
    result = client.SyncClient(store, actor="lan").sync()
    assert result.accepted == len(records), result
    return uuids


def with_warning(code: str = "HT-0001", **overrides: Any) -> dict[str, Any]:
    """The factory household, with member 3 (members[2]) marked as from a poor household
    although the household is not classed poor: a warning on members[2].priority_groups."""
    rec = fx.household(household_code=code, **overrides)
    rec["members"][2]["priority_groups"] = ["2"]
    return rec


def form_value(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, f"no {name} in the page"
    return html.unescape(match.group(1))


class Browser:
    """A supervisor's browser as plain HTTP: cookies kept, redirects not followed."""

    def __init__(self, server: Server, ca_file: Path | None = None):
        self.base = server.url
        self.http = requests.Session()
        # Per request: a session's own `verify` loses to $REQUESTS_CA_BUNDLE.
        self.verify: str | bool = str(ca_file) if ca_file is not None else True

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=30, verify=self.verify, **kw)

    def post(self, path: str, data: dict[str, str], **kw: Any) -> requests.Response:
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=30, verify=self.verify, **kw)

    def activate(self, username: str, code: str, password: str = PASSWORD, again: str | None = None) -> requests.Response:
        page = self.get("/review/activate").text
        return self.post("/review/activate", {"csrf": form_value(page, "csrf"), "username": username, "code": code,
                                              "password": password, "again": password if again is None else again})

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        page = self.get("/review/login").text
        return self.post("/review/login", {"csrf": form_value(page, "csrf"), "username": username, "password": password})

    def csrf(self, path: str = "/review/") -> str:
        r = self.get(path)
        assert r.status_code == 200, (r.status_code, r.headers.get("location"))
        return form_value(r.text, "csrf")


def query(server: Server, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).fetchall()
    engine.dispose()
    return rows


def review_state(server: Server, uuid: str) -> tuple[str | None, int, int]:
    (row,) = query(server, "SELECT review_state, review_round, server_revision FROM households WHERE uuid = :u", u=uuid)
    return tuple(row)  # type: ignore[return-value]


def audit_entries(server: Server, action: str) -> list[dict[str, Any]]:
    rows = query(server, "SELECT actor, action, target, detail, address FROM audit_log WHERE action = :a ORDER BY id", a=action)
    return [{"actor": r[0], "action": r[1], "target": r[2], "detail": json.loads(r[3]) if r[3] else None, "address": r[4]}
            for r in rows]
