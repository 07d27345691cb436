"""USB bundles made to harm the server (issue 16): the manifest's signature is checked before any
member is read, members are read no further than the signed sizes, and a signed bundle with
numbers or nesting no batch has is refused in plain words, by `labour-survey-server import`
and by the API alike."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import uuid as uuidlib
import zipfile
from pathlib import Path

import pytest
import requests

from sync import bundle
from tests.sync.conftest import ROOT, Server, _env
from tests.sync.test_server_hardening import enroll, peak_rss_mib, record

MIB = 1024 * 1024
# Measure a child's peak memory from a parent that has no other child.
PEAK = ("import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:])\n"
        "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(r.returncode)\n")


@pytest.fixture
def plain_server(tmp_path: Path) -> Server:
    s = Server(f"sqlite:///{tmp_path / 'server.sqlite'}", tmp_path)
    s.start()
    yield s  # type: ignore[misc]
    s.stop()


def import_measured(server: Server, path: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    r = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "sync.server.cli", "--db", server.db_url,
                        "--lang", "en", "import", str(path)], capture_output=True, text=True, timeout=300, cwd=ROOT,
                       env=_env(), stdin=subprocess.DEVNULL)
    kib = int(r.stderr.rsplit("PEAK_KIB", 1)[1].split()[0])
    return r, kib / 1024


def forged_zeros(path: Path, members: int = 100) -> None:
    """A bundle of `members` batches of 8 MiB of zeros (816 KiB on disk) under a forged signature."""
    zeros = bytes(bundle.MAX_MEMBER)
    digest = hashlib.sha256(zeros).hexdigest()
    ids = [str(uuidlib.uuid4()) for _ in range(members)]
    manifest = {"format": bundle.BUNDLE_FORMAT, "version": 2, "encryption": {"cipher": bundle.CIPHER, "salt": "AAAA"},
                "batches": [{"batch_id": b, "sha256": digest, "bytes": len(zeros)} for b in ids], "signature": "0" * 64}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for b in ids:
            zf.writestr(f"batches/{b}.enc", zeros)


def test_an_unsigned_bundle_is_refused_before_its_members_are_read(tmp_path: Path, plain_server: Server) -> None:
    path = tmp_path / "forged.lsbundle"
    forged_zeros(path)
    assert path.stat().st_size < 1 * MIB
    r, peak = import_measured(plain_server, path)
    assert r.returncode == 2, r.stderr
    assert "forged.lsbundle was not made by a laptop enrolled here" in r.stderr and "Traceback" not in r.stderr
    assert peak < 200, peak  # was about 900 MiB: every member was read before the signature
    token = enroll(plain_server)
    answer = requests.post(f"{plain_server.url}/api/v1/bundles", data=path.read_bytes(), timeout=120,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
    assert answer.status_code == 400
    assert "was not made by a laptop enrolled here" in answer.json()["message"]["en"]
    assert "không phải do một máy đã đăng ký" in answer.json()["message"]["vi"]
    assert peak_rss_mib(plain_server) < 300


def signed_bundle(path: Path, token: str, *docs: bytes) -> list[str]:
    """A bundle signed with an enrolled laptop's key, whose batches are the JSON texts `docs`
    (each holding the placeholder BATCH for its batch id)."""
    payloads = {}
    for doc in docs:
        batch_id = str(uuidlib.uuid4())
        payloads[batch_id] = gzip.compress(doc.replace(b"BATCH", batch_id.encode()))
    bundle.write_bundle(path, {"created_at": "2026-12-07T10:00:00"}, payloads, bundle.key_for_token(token))
    return list(payloads)


def test_a_member_larger_than_its_signed_size_is_not_read_past_it(tmp_path: Path, plain_server: Server) -> None:
    token = enroll(plain_server)
    path = tmp_path / "grown.lsbundle"
    (batch_id,) = signed_bundle(path, token, json.dumps({"batch_id": "BATCH", "records": [record()]}).encode())
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        member = zf.read(f"batches/{batch_id}.enc")
    manifest["batches"][0]["bytes"] = 100  # signed by the laptop's key, but smaller than the member
    key = bundle.key_for_token(token)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(bundle.sign(manifest, key)))
        zf.writestr(f"batches/{batch_id}.enc", member)
    r, _peak = import_measured(plain_server, path)
    assert r.returncode == 2 and "larger than the signed list says" in r.stderr, r.stderr


@pytest.mark.parametrize(("doc", "said"), [
    (b'{"batch_id": "BATCH", "records": [%s]}' % json.dumps(record(revision=2**70)).encode(),
     "revision must be an integer from 1 to 2147483647"),
    (b'{"batch_id": "BATCH", "records": [{"revision": ' + b"7" * 5000 + b"}]}", "a number has more than 30 digits"),
    (b'{"batch_id": "BATCH", "records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "JSON nested too deep"),
], ids=["revision-2**70", "5000-digits", "nested-100000"])
def test_a_signed_bundle_with_what_no_batch_has_is_refused_plainly(tmp_path: Path, plain_server: Server, doc: bytes,
                                                                    said: str) -> None:
    token = enroll(plain_server)
    path = tmp_path / "odd.lsbundle"
    signed_bundle(path, token, doc)
    r, _peak = import_measured(plain_server, path)
    assert r.returncode == 2 and said in r.stderr and "odd.lsbundle" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    answer = requests.post(f"{plain_server.url}/api/v1/bundles", data=path.read_bytes(), timeout=120,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
    assert answer.status_code == 400, answer.text
    assert said in answer.json()["message"]["en"] and answer.json()["message"]["vi"] != answer.json()["message"]["en"]


@pytest.mark.parametrize("manifest", [b'{"format": "labour-survey-bundle", "version": ' + b"2" * 5000 + b"}",
                                      b"[" * 100_000 + b"]" * 100_000], ids=["5000-digits", "nested-100000"])
def test_a_manifest_no_laptop_writes_is_refused_plainly(tmp_path: Path, plain_server: Server, manifest: bytes) -> None:
    path = tmp_path / "odd.lsbundle"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", manifest)
    r, _peak = import_measured(plain_server, path)
    assert r.returncode == 2 and "odd.lsbundle cannot be read: it is not a labour-survey bundle" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
