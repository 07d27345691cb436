"""Syncing on its own when the server comes back, and the reachability check under it."""

from __future__ import annotations

import datetime as dt
import http.server
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.auto_sync import should_sync
from desktop.main_window import MainWindow
from forms.store import Store
from sync import client
from sync.reachability import server_reachable
from tests import factories as fx
from tests.sync.conftest import Server

WAIT = 30_000
NOW = dt.datetime(2026, 10, 15, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def sync_server(tmp_path: Path) -> Iterator[Server]:
    s = Server(f"sqlite:///{tmp_path / 'server' / 'province.sqlite'}", tmp_path)
    s.start()
    yield s
    s.stop()


def complete_one(store: Store) -> str:
    saved = store.save(fx.generated(1, seed=5)[0], actor="lan")
    store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
    return saved.household.uuid


class _Portal(http.server.BaseHTTPRequestHandler):
    """A Wi-Fi login page: 200 and HTML, whatever is asked."""

    def do_GET(self) -> None:
        body = b"<html><body>Dang nhap Wi-Fi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_server_reachable(sync_server: Server, tmp_path: Path) -> None:
    assert server_reachable(sync_server.url)
    assert server_reachable(sync_server.url + "/", timeout=5)
    portal = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    try:
        assert not server_reachable(f"http://127.0.0.1:{portal.server_port}")
    finally:
        portal.shutdown()
        portal.server_close()
    assert not server_reachable("not an address")
    assert not server_reachable("https://127.0.0.1:9", ca_file=str(tmp_path / "missing.pem"))
    url = sync_server.url
    sync_server.stop()
    assert not server_reachable(url, timeout=1)


def test_when_auto_sync_starts_a_sync() -> None:
    fresh, old = "2026-10-15T07:50:00+00:00", "2026-10-15T07:00:00+00:00"
    kw = {"now": NOW, "stale_after": 1800, "retry_after": 300}
    # back online (or first check) with something waiting, or after a long time: sync
    assert should_sync(True, False, 3, fresh, math.inf, **kw)
    assert should_sync(True, None, 3, fresh, math.inf, **kw)
    assert should_sync(True, False, 0, old, math.inf, **kw)
    assert should_sync(True, None, 0, None, math.inf, **kw)  # never synced
    assert not should_sync(True, False, 0, fresh, math.inf, **kw)  # nothing to do
    # offline: never
    assert not should_sync(False, True, 3, old, math.inf, **kw)
    assert not should_sync(None, None, 3, old, math.inf, **kw)
    # online all along: what waits goes, but a failing server is not asked every minute
    assert should_sync(True, True, 2, fresh, 600, **kw)
    assert not should_sync(True, True, 2, fresh, 60, **kw)
    assert not should_sync(True, True, 0, old, 60, **kw)
    assert should_sync(True, True, 0, old, 600, **kw)
    assert not should_sync(True, True, 0, fresh, 600, **kw)


def test_a_sync_starts_on_its_own_when_the_server_comes_back(qtbot, start_window, desk_store: Store,
                                                             sync_server: Server) -> None:
    client.enroll(desk_store, sync_server.url, sync_server.add_officer("lan"), "laptop-lan")
    uuid = complete_one(desk_store)
    window: MainWindow = start_window()
    auto = window.auto_sync
    auto.stop()
    port = sync_server.port
    sync_server.stop()  # the commune office is offline
    checks: list[bool | None] = []
    auto.checked.connect(lambda p: checks.append(p.reachable))
    started: list[bool] = []
    window.sync_runner.started.connect(started.append)
    auto.set_interval(200)
    auto.start()
    qtbot.waitUntil(lambda: len(checks) >= 3, timeout=WAIT)
    assert set(checks) == {False} and started == []  # offline: no sync tried
    assert desk_store.get(uuid).status == "complete"
    qtbot.waitUntil(lambda: "Không có mạng · chờ gửi 1" in window.sync_indicator.button.text(), timeout=WAIT)

    sync_server.start(port=port)  # back online

    qtbot.waitUntil(lambda: window.sync_runner.last is not None, timeout=WAIT)
    assert window.sync_runner.last.auto and window.sync_runner.last.error is None
    assert desk_store.get(uuid).status == "sent"
    panel = window.sync_panel
    qtbot.waitUntil(lambda: panel.overview is not None and panel.overview.waiting == 0
                    and panel.overview.last_success_at is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: "Có mạng · chờ gửi 0" in window.sync_indicator.button.text(), timeout=WAIT)
    assert not window.sync_dock.isVisible()  # no panel, no dialog: the officer was not interrupted
    assert "1 hộ được nhận" in panel.result.text()
    seen = len(checks)
    qtbot.waitUntil(lambda: len(checks) >= seen + 5, timeout=WAIT)
    assert started == [True]  # online all along since, nothing waiting: one sync, not one a minute


def test_auto_sync_waits_while_a_sync_runs(qtbot, start_window, desk_store: Store, sync_server: Server) -> None:
    client.enroll(desk_store, sync_server.url, sync_server.add_officer("lan"), "laptop-lan")
    complete_one(desk_store)
    window: MainWindow = start_window()
    auto = window.auto_sync
    auto.set_interval(100)
    task = window.sync_now()
    assert task is not None
    assert auto.check() is None and not auto._timer.isActive()  # paused: no question, no second sync
    qtbot.waitUntil(lambda: not window.sync_runner.running, timeout=WAIT)
    assert auto._timer.isActive()  # and going again
    assert window.sync_runner.last is not None and not window.sync_runner.last.auto
