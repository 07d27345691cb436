"""HTTPS with the province's own certificate authority: the laptop trusts only what it should."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme

from forms.store import Store
from sync import client
from tests.sync.conftest import Server, start_https_server
from tests.sync.test_sync import complete_households, server_rows


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    s, ca_file = start_https_server(tmp_path)
    yield s, ca_file
    s.stop()


def test_https_with_the_province_ca_file(tmp_path: Path, https_server: tuple[Server, Path]) -> None:
    server, ca_file = https_server
    assert server.url.startswith("https://")
    store = Store(tmp_path / "lan.sqlite")
    code = server.add_officer("lan")
    with pytest.raises(client.SyncError) as err:  # the system's CAs do not know the province's
        client.enroll(store, server.url, code, "laptop")
    assert err.value.kind == "network" and "--ca-file" in err.value.msg.en
    client.enroll(store, server.url, code, "laptop", ca_file=str(ca_file))
    uuids = complete_households(store, 3)
    assert client.SyncClient(store).sync().accepted == 3
    assert sorted(r[0] for r in server_rows(server)) == sorted(uuids)


def test_a_certificate_from_another_authority_is_refused(tmp_path: Path, https_server: tuple[Server, Path]) -> None:
    server, ca_file = https_server
    store = Store(tmp_path / "lan.sqlite")
    client.enroll(store, server.url, server.add_officer("lan"), "laptop", ca_file=str(ca_file))
    complete_households(store, 2)
    impostor = tmp_path / "impostor-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(impostor))
    store.set_setting("sync.ca_file", str(impostor))
    with pytest.raises(client.SyncError) as err:
        client.SyncClient(store, sleep=lambda s: None).sync()
    assert err.value.kind == "network" and "certificate" in err.value.msg.en
    assert client.status(store).waiting == 2 and server_rows(server) == []
    assert "certificate" in client.status(store).last_error.en


def test_plain_http_to_an_https_server_fails_cleanly(https_server: tuple[Server, Path]) -> None:
    server, _ = https_server
    with pytest.raises(requests.RequestException):
        requests.get(server.url.replace("https://", "http://") + "/api/v1/health", timeout=5)
    assert requests.get(f"{server.url}/api/v1/health", timeout=5, verify=str(https_server[1])).status_code == 200


def test_a_missing_ca_file_is_named_not_retried(tmp_path: Path, https_server: tuple[Server, Path]) -> None:
    server, ca_file = https_server
    store = Store(tmp_path / "lan.sqlite")
    with pytest.raises(client.SyncError) as err:
        client.enroll(store, server.url, server.add_officer("lan"), "laptop", ca_file=str(tmp_path / "nowhere.pem"))
    assert err.value.kind == "network" and "--ca-file" in err.value.msg.en
    client.enroll(store, server.url, server.add_officer("hoa"), "laptop", ca_file=str(ca_file))
    complete_households(store, 1)
    store.set_setting("sync.ca_file", str(tmp_path / "moved-away.pem"))
    slept: list[float] = []
    with pytest.raises(client.SyncError) as err:
        client.SyncClient(store, sleep=slept.append).sync()
    assert "--ca-file" in err.value.msg.en and slept == []


def test_a_cancelled_sync_is_not_a_successful_one(tmp_path: Path, https_server: tuple[Server, Path]) -> None:
    server, ca_file = https_server
    store = Store(tmp_path / "lan.sqlite")
    client.enroll(store, server.url, server.add_officer("lan"), "laptop", ca_file=str(ca_file))
    complete_households(store, 2)

    class CancelAtOnce:
        cancelled = True

        def report(self, done: int, total: int) -> None:
            pass

    result = client.SyncClient(store).sync(CancelAtOnce())
    assert result.cancelled and client.status(store).last_success_at is None and client.status(store).waiting == 2
