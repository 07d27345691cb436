"""Sneakernet: households carried to the province on a USB stick, and the receipt carried back.

A bundle is a zip file: manifest.json and one gzip-compressed batch a member, exactly the
batches the laptop would upload (same ids, so the server applies each once whichever way it
arrives). The manifest lists each batch's SHA-256 and is signed with HMAC-SHA256, keyed by
the SHA-256 of the laptop's token: the laptop has the token, the server has that hash (never
the token), and nobody else has either. A receipt file is signed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUNDLE_FORMAT = "labour-survey-bundle"
RECEIPT_FORMAT = "labour-survey-receipt"
VERSION = 1
MAX_BATCHES = 200
MAX_MEMBER = 8 * 1024 * 1024


class BundleError(ValueError):
    """A file that is not a bundle or receipt, is damaged, or was not signed by the laptop."""


def key_for_token(token: str) -> bytes:
    """The signing key: the SHA-256 of the token, which is what the server keeps."""
    return hashlib.sha256(token.encode()).hexdigest().encode()


def key_for_hash(token_hash: str) -> bytes:
    return token_hash.encode()


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(doc: dict[str, Any], key: bytes) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return {**body, "signature": hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()}


def verify(doc: dict[str, Any], key: bytes) -> bool:
    given = doc.get("signature")
    return isinstance(given, str) and hmac.compare_digest(sign(doc, key)["signature"], given)


@dataclass(slots=True)
class Bundle:
    manifest: dict[str, Any]
    payloads: dict[str, bytes]  # batch id -> gzip-compressed batch


def write_bundle(path: Path, manifest: dict[str, Any], payloads: dict[str, bytes], key: bytes) -> None:
    manifest = {**manifest, "format": BUNDLE_FORMAT, "version": VERSION,
                "batches": [{"batch_id": b, "sha256": hashlib.sha256(p).hexdigest(), "bytes": len(p)}
                            for b, p in payloads.items()]}
    part = path.with_name(path.name + ".part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as zf:  # the batches are compressed already
        zf.writestr("manifest.json", json.dumps(sign(manifest, key), ensure_ascii=False, indent=1))
        for batch_id, payload in payloads.items():
            zf.writestr(f"batches/{batch_id}.json.gz", payload)
    _replace(part, path)


def read_bundle(path: Path) -> Bundle:
    """Read a bundle and check it is whole (not yet who signed it: see `signed_by`)."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(_member(zf, "manifest.json"))
            if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
                raise BundleError(f"{path.name} is not a labour-survey bundle")
            if manifest.get("version") != VERSION:
                raise BundleError(f"{path.name} is a bundle of another program version ({manifest.get('version')})")
            listed = manifest.get("batches")
            if not isinstance(listed, list) or len(listed) > MAX_BATCHES:
                raise BundleError(f"{path.name}: the list of batches is damaged")
            payloads = {}
            for entry in listed:
                batch_id = str(entry.get("batch_id")) if isinstance(entry, dict) else ""
                payload = _member(zf, f"batches/{batch_id}.json.gz")
                if hashlib.sha256(payload).hexdigest() != entry.get("sha256"):
                    raise BundleError(f"{path.name}: batch {batch_id} is damaged (copy the file again)")
                payloads[batch_id] = payload
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise BundleError(f"{path.name} cannot be read: {exc}") from None
    return Bundle(manifest, payloads)


def signed_by(bundle: Bundle, keys: dict[Any, bytes]) -> Any | None:
    """Which of the given keys (device -> key) signed the bundle, if any."""
    for device, key in keys.items():
        if verify(bundle.manifest, key):
            return device
    return None


def write_receipt(path: Path, receipts: list[dict[str, Any]], key: bytes) -> None:
    doc = sign({"format": RECEIPT_FORMAT, "version": VERSION, "receipts": receipts}, key)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    _replace(part, path)


def read_receipt(path: Path, key: bytes) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path.name} cannot be read: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != RECEIPT_FORMAT:
        raise BundleError(f"{path.name} is not a labour-survey receipt")
    if not verify(doc, key):
        raise BundleError(f"{path.name} was not made for this laptop's households (or was changed)")
    receipts = doc.get("receipts")
    if not isinstance(receipts, list):
        raise BundleError(f"{path.name}: the receipts are damaged")
    return receipts


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise BundleError(f"{name} is missing from the bundle") from None
    if info.file_size > MAX_MEMBER:
        raise BundleError(f"{name} is too large")
    return zf.read(info)


def _replace(part: Path, path: Path) -> None:
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, path)
