"""Households carried to the province on a USB stick, and the receipt carried back."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from forms.store import Store, outbox
from sync import bundle, client
from tests.sync.conftest import ROOT, Server, _env
from tests.sync.test_sync import complete_households, laptop, server_rows


def officer_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.launcher", "--data-dir", str(data), "--lang", "en", *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=_env())


def test_a_bundle_and_its_receipt_on_the_command_line(tmp_path: Path, server: Server) -> None:
    data = tmp_path / "officer"
    code = server.add_officer("lan")
    assert officer_cli(data, "enroll", server.url, code).returncode == 0
    store = Store(data / "profiles" / "default" / "households.sqlite")
    uuids = complete_households(store, 30)
    store.close()

    usb = tmp_path / "usb" / "lan.lsbundle"
    usb.parent.mkdir()
    r = officer_cli(data, "sync", "export", str(usb))
    assert r.returncode == 0 and "30 household(s)" in r.stdout, r.stderr
    r = officer_cli(data, "sync", "status")
    assert "30" in r.stdout  # still waiting: nothing is sent until the receipt comes back

    r = server.admin("import", str(usb))
    assert r.returncode == 0 and "30 accepted" in r.stdout, r.stderr
    receipt = usb.with_name("lan.receipt.json")
    first = receipt.read_text(encoding="utf-8")
    again = server.admin("import", str(usb))  # the stick was plugged in twice
    assert again.returncode == 0 and "30 accepted" in again.stdout
    assert json.loads(receipt.read_text(encoding="utf-8"))["receipts"] == json.loads(first)["receipts"]
    assert sorted(r[0] for r in server_rows(server)) == sorted(uuids)
    assert {r[1] for r in server_rows(server)} == {1}

    r = officer_cli(data, "sync", "receipt", str(receipt))
    assert r.returncode == 0 and "30 accepted" in r.stdout, r.stderr
    r = officer_cli(data, "sync", "receipt", str(receipt))  # twice: nothing more happens
    assert r.returncode == 0 and "0 accepted" in r.stdout and "recorded before" in r.stdout
    store = Store(data / "profiles" / "default" / "households.sqlite")
    assert all(store.get(u).status == "sent" for u in uuids) and client.status(store).waiting == 0
    r = officer_cli(data, "sync", "export", str(tmp_path / "empty.lsbundle"))
    assert r.returncode == 0 and "Nothing is waiting" in r.stdout and not (tmp_path / "empty.lsbundle").exists()


def test_a_bundle_that_also_went_online_is_applied_once(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    complete_households(store, 12)
    path = tmp_path / "b.lsbundle"
    assert client.export_bundle(store, path, batch_size=5) == (3, 12)
    result = client.SyncClient(store).sync()  # the network came back before the stick reached the province
    assert result.accepted == 12 and len(server_rows(server)) == 12
    assert server.admin("import", str(path)).returncode == 0
    assert len(server_rows(server)) == 12 and {r[1] for r in server_rows(server)} == {1}
    r = client.import_receipt(store, path.with_name("b.receipt.json"), actor="lan")
    assert (r.accepted, r.already) == (0, 3)


def test_an_edit_after_export_still_waits_after_the_receipt(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuids = complete_households(store, 3)
    path = tmp_path / "b.lsbundle"
    client.export_bundle(store, path)
    rec = store.get(uuids[0]).record
    rec["household"]["address"] = "7 Hàm Nghi"
    store.save(rec, actor="lan")
    store.complete(uuids[0], actor="lan", accept_warnings=True)
    assert client.export_bundle(store, tmp_path / "c.lsbundle") == (1, 3)  # the same batch, not a second copy
    assert server.admin("import", str(path)).returncode == 0
    client.import_receipt(store, path.with_name("b.receipt.json"), actor="lan")
    assert store.get(uuids[0]).status == "complete" and store.get(uuids[1]).status == "sent"
    assert client.status(store).waiting == 1
    assert client.SyncClient(store).sync().accepted == 1
    assert {r[0]: r[1] for r in server_rows(server)}[uuids[0]] == 2


def test_another_enrolled_computer_uploads_a_bundle(tmp_path: Path, server: Server) -> None:
    village = laptop(tmp_path, server, name="lan")
    uuids = complete_households(village, 4)
    path = tmp_path / "lan.lsbundle"
    client.export_bundle(village, path)
    district = laptop(tmp_path, server, name="clerk", communes="14758")  # the district clerk's computer
    receipt = tmp_path / "lan.receipt.json"
    client.upload_bundle(district, path, receipt)
    r = client.import_receipt(village, receipt, actor="lan")
    assert r.accepted == 4 and all(village.get(u).status == "sent" for u in uuids)
    assert district.count() == 0  # the clerk's computer keeps nothing of it
    devices = server.admin("devices", "list").stdout
    assert "laptop-lan" in devices


def tamper(path: Path, target: Path, member: str, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename.startswith(member) else data)


def test_damaged_forged_and_foreign_files_are_refused_and_nothing_is_stored(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    complete_households(store, 3)
    path = tmp_path / "b.lsbundle"
    client.export_bundle(store, path)

    damaged = tmp_path / "damaged.lsbundle"
    tamper(path, damaged, "batches/", lambda d: d[:-20] + bytes(20))
    r = server.admin("import", str(damaged))
    assert r.returncode == 2 and "damaged" in r.stderr and "copy the file again" in r.stderr

    def more_households(d: bytes) -> bytes:
        doc = json.loads(d)
        doc["households"] = 300
        return json.dumps(doc).encode()

    forged = tmp_path / "forged.lsbundle"
    tamper(path, forged, "manifest.json", more_households)
    r = server.admin("import", str(forged))
    assert r.returncode == 2 and "not made by a laptop enrolled here" in r.stderr

    junk = tmp_path / "junk.lsbundle"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    r = server.admin("import", str(junk))
    assert r.returncode == 2 and "cannot be read" in r.stderr
    assert server_rows(server) == []

    other = laptop(tmp_path, server, name="hoa")  # a receipt made for another laptop
    other_path = tmp_path / "other.lsbundle"
    complete_households(other, 1, seed=5)
    client.export_bundle(other, other_path)
    assert server.admin("import", str(other_path)).returncode == 0
    with pytest.raises(bundle.BundleError, match="not made for this laptop"):
        client.import_receipt(store, tmp_path / "other.receipt.json", actor="lan")
    assert len(outbox.all_pending(store)) == 1 and client.status(store).waiting == 3

    devices = server.admin("devices", "list").stdout
    lan_device = next(line.split()[0] for line in devices.splitlines() if "laptop-lan" in line)
    assert server.admin("devices", "revoke", lan_device).returncode == 0
    r = server.admin("import", str(path))
    assert r.returncode == 2 and "withdrawn" in r.stderr
    assert len(server_rows(server)) == 1  # only the other laptop's household
