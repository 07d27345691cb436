"""Households carried to the province on a USB stick, and the receipt carried back."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from forms.store import Store, outbox
from sync import bundle, client
from tests.security.data import NAMES, citizen_ids, secret_household
from tests.security.helpers import needles
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
    assert f"The file {usb.resolve()} holds the households' personal data, encrypted" in r.stdout
    r = officer_cli(data, "sync", "status")
    assert "30" in r.stdout  # still waiting: nothing is sent until the receipt comes back

    r = server.admin("import", str(usb))
    assert r.returncode == 0 and "30 accepted" in r.stdout, r.stderr
    assert "already been received" not in r.stdout
    receipt = usb.with_name("lan.receipt.json")
    first = receipt.read_text(encoding="utf-8")
    time.sleep(1.1)  # receipts are stamped to the second
    again = server.admin("import", str(usb))  # the stick was plugged in twice
    assert again.returncode == 0 and "30 accepted" in again.stdout
    assert "had already been received" in again.stdout and "nothing was stored again" in again.stdout
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


# -- encryption --------------------------------------------------------------------------------
def clear_views(path: Path) -> list[tuple[str, bytes]]:
    """What someone who finds the file can read without a key: its bytes, each zip member's,
    and every gzip stream found anywhere inside them, decompressed."""
    raw = path.read_bytes()
    views = [(path.name, raw)]
    with zipfile.ZipFile(path) as zf:
        views += [(info.filename, zf.read(info)) for info in zf.infolist()]
    for name, data in list(views):
        start = data.find(b"\x1f\x8b\x08")
        while start != -1:
            try:
                views.append((f"{name} (gzip at {start})", zlib.decompressobj(wbits=31).decompress(data[start:])))
            except zlib.error:
                pass
            start = data.find(b"\x1f\x8b\x08", start + 1)
    return views


def in_clear(path: Path, values: list[str]) -> list[tuple[str, bytes]]:
    return [(name, needle) for name, data in clear_views(path) for needle in needles(values) if needle in data]


def write_v1_bundle(path: Path, store: Store) -> None:
    """A bundle as programs before encryption wrote it: the batches gzip-compressed, in clear."""
    key = bundle.key_for_token(store.get_setting("sync.token") or "")
    payloads = {b.batch_id: b.payload for b in outbox.all_pending(store)}
    manifest = {"created_at": store.clock(), "officer": "lan", "households": 0, "format": bundle.BUNDLE_FORMAT,
                "version": 1, "batches": [{"batch_id": b, "sha256": hashlib.sha256(p).hexdigest(), "bytes": len(p)}
                                          for b, p in payloads.items()]}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(bundle.sign(manifest, key)))
        for batch_id, payload in payloads.items():
            zf.writestr(f"batches/{batch_id}.json.gz", payload)


def secret_laptop(tmp_path: Path, server: Server, n: int) -> tuple[Store, list[str]]:
    """An enrolled laptop with n complete households whose names and citizen IDs are found
    nowhere else; returns them too."""
    store = laptop(tmp_path, server)
    values = []
    for i in range(n):
        saved = store.save(secret_household(i), actor="lan")
        store.complete(saved.household.uuid, actor="lan", accept_warnings=True)
        values += [name if i == 0 else f"{name} {i}" for name in NAMES] + citizen_ids(i)
    return store, values


def test_a_bundle_shows_no_name_or_citizen_id_and_the_province_reads_them(tmp_path: Path, server: Server) -> None:
    store, values = secret_laptop(tmp_path, server, 3)
    path = tmp_path / "lan.lsbundle"
    assert client.export_bundle(store, path, batch_size=2) == (2, 3)
    assert in_clear(path, values) == []
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["version"] == 2 and manifest["encryption"]["cipher"] == bundle.CIPHER
    # The same batches as an older program wrote them: the search finds every value there.
    old = tmp_path / "old.lsbundle"
    write_v1_bundle(old, store)
    assert {needle for _, needle in in_clear(old, values)} >= {v.encode() for v in values}

    r = server.admin("import", str(path))
    assert r.returncode == 0 and "3 accepted" in r.stdout, r.stderr
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        stored = " ".join(row[0] for row in conn.execute(text("SELECT data FROM households")))
    engine.dispose()
    assert all(v in stored for v in values)  # decrypted, whole
    receipt = path.with_name("lan.receipt.json")
    assert not [n for n in needles(values) if n in receipt.read_bytes()]  # the receipt carries no personal data
    assert client.import_receipt(store, receipt, actor="lan").accepted == 3


def test_an_unencrypted_bundle_of_an_older_program_is_still_imported(tmp_path: Path, server: Server) -> None:
    store = laptop(tmp_path, server)
    uuids = complete_households(store, 4)
    client.export_bundle(store, tmp_path / "new.lsbundle")  # makes the pending batches an older program had made
    path = tmp_path / "old.lsbundle"
    write_v1_bundle(path, store)
    r = server.admin("import", str(path))
    assert r.returncode == 0 and "4 accepted" in r.stdout, r.stderr
    assert client.import_receipt(store, path.with_name("old.receipt.json"), actor="lan").accepted == 4
    assert all(store.get(u).status == "sent" for u in uuids)


def _payload(batch_id: str) -> bytes:
    return gzip.compress(json.dumps({"batch_id": batch_id, "records": []}).encode(), mtime=0)


def _rewrite(path: Path, target: Path, key: bytes, change) -> None:  # type: ignore[no-untyped-def]
    """Copy a bundle with its members changed by `change` (members by name -> members), and
    the manifest's hashes made to match and signed again, as only the laptop could."""
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        members = change({n: zf.read(n) for n in zf.namelist() if n != "manifest.json"})
    for entry in manifest["batches"]:
        entry["sha256"] = hashlib.sha256(members[f"batches/{entry['batch_id']}.enc"]).hexdigest()
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("manifest.json", json.dumps(bundle.sign(manifest, key)))
        for name, data in members.items():
            zf.writestr(name, data)


def test_members_swapped_or_another_key_do_not_decrypt(tmp_path: Path) -> None:
    key = bundle.key_for_token("token of the laptop")
    path = tmp_path / "b.lsbundle"
    bundle.write_bundle(path, {"households": 0}, {"a" * 36: _payload("a" * 36), "b" * 36: _payload("b" * 36)}, key)
    read = bundle.read_bundle(path)
    assert bundle.signed_by(read, {"lan": key}) == "lan"
    assert bundle.open_payloads(read, key) == {"a" * 36: _payload("a" * 36), "b" * 36: _payload("b" * 36)}

    swapped = tmp_path / "swapped.lsbundle"
    _rewrite(path, swapped, key, lambda m: {f"batches/{'a' * 36}.enc": m[f"batches/{'b' * 36}.enc"],
                                            f"batches/{'b' * 36}.enc": m[f"batches/{'a' * 36}.enc"]})
    read = bundle.read_bundle(swapped)
    assert bundle.signed_by(read, {"lan": key}) == "lan"
    with pytest.raises(bundle.BundleError, match="cannot be decrypted"):
        bundle.open_payloads(read, key)
    with pytest.raises(bundle.BundleError, match="cannot be decrypted"):
        bundle.open_payloads(bundle.read_bundle(path), bundle.key_for_token("another laptop"))

    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        members = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
    for version, cipher, match in ((3, bundle.CIPHER, "another program version"), (2, "rot13", "does not know")):
        odd = tmp_path / f"v{version}-{cipher}.lsbundle"
        doc = {**manifest, "version": version, "encryption": {**manifest["encryption"], "cipher": cipher}}
        with zipfile.ZipFile(odd, "w") as zf:
            zf.writestr("manifest.json", json.dumps(bundle.sign(doc, key)))
            for name, data in members.items():
                zf.writestr(name, data)
        with pytest.raises(bundle.BundleError, match=match):
            bundle.open_payloads(bundle.read_bundle(odd), key)


def test_the_province_reads_the_server_in_vietnamese(tmp_path: Path, server: Server) -> None:
    """With --lang vi (and by default) the administrator reads Vietnamese, with no English or
    Python wording left: the wrong file given to `import` is named for what it is."""
    vi = {"LABOUR_SURVEY_LANG": ""}  # the tests' environment says English; the program's default is Vietnamese
    r = server.admin("--lang", "vi", "officers", "add", "hoa", "--name", "Trần Thị Hòa", "--communes", "14797")
    assert r.returncode == 0 and "Đã thêm cán bộ hoa. Mã đăng ký (dùng một lần, trong 14 ngày):" in r.stdout, r.stderr
    r = server.admin("officers", "list", env=vi)
    assert any(line.startswith("hoa") and "cán bộ" in line and "đang dùng" in line for line in r.stdout.splitlines())

    store = laptop(tmp_path, server)
    uuids = complete_households(store, 2)
    path = tmp_path / "lan.lsbundle"
    client.export_bundle(store, path)
    r = server.admin("--lang", "vi", "import", str(path))
    assert r.returncode == 0, r.stderr
    assert "Gói dữ liệu của lan (laptop-lan): 2 hộ được nhận, 0 bị trả lại, 0 xung đột." in r.stdout
    assert "Đã ghi biên nhận vào" in r.stdout and "accepted" not in r.stdout

    receipt = tmp_path / "lan.receipt.json"
    r = server.admin("import", str(receipt), env=vi)
    assert r.returncode == 2
    assert "lan.receipt.json là tệp BIÊN NHẬN, không phải gói dữ liệu" in r.stderr
    assert "labour-survey sync receipt lan.receipt.json" in r.stderr and "zip" not in r.stderr.lower()
    r = server.admin("--lang", "en", "import", str(receipt))
    assert r.returncode == 2 and "lan.receipt.json is a RECEIPT, not a bundle" in r.stderr
    with pytest.raises(bundle.BundleError) as info:  # and the other way round, on the laptop
        client.import_receipt(store, path, actor="lan")
    assert "lan.lsbundle là GÓI DỮ LIỆU, không phải biên nhận" in info.value.msg.vi

    damaged = tmp_path / "bad.lsbundle"
    tamper(path, damaged, "batches/", lambda d: d[:-20] + bytes(20))
    r = server.admin("--lang", "vi", "import", str(damaged))
    assert r.returncode == 2 and "bad.lsbundle: lô" in r.stderr and "bị hỏng (hãy chép lại tệp)" in r.stderr

    r = server.admin("--lang", "vi", "households", "list")
    header, *rows = r.stdout.splitlines()
    assert "cảnh báo" in header and "duyệt" in header and "warning" not in header
    assert len(rows) == 2 and all(" Mới " in row for row in rows)  # not reviewed yet
    r = server.admin("--lang", "vi", "households", "return", uuids[0])
    assert r.returncode == 2 and "Hãy ghi cần sửa gì" in r.stderr
    r = server.admin("--lang", "vi", "households", "return", uuids[0], "--comment", "Kiểm tra lại tuổi")
    assert r.returncode == 0 and f"Đã trả hộ {uuids[0]} về để sửa (lần 1)" in r.stdout
    assert "Đã trả lại" in server.admin("households", "list", env=vi).stdout
    r = server.admin("--lang", "vi", "assignments", "add", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2 and "không có tệp hoặc thư mục này" in r.stderr
