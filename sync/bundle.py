"""Sneakernet: households carried to the province on a USB stick, and the receipt carried back.

A bundle is a zip file: manifest.json and one member a batch, exactly the batches the laptop
would upload (same ids, so the server applies each once whichever way it arrives). The
manifest lists each member's SHA-256 and is signed with HMAC-SHA256, keyed by the SHA-256 of
the laptop's token: the laptop has the token, the server has that hash (never the token), and
nobody else has either. A receipt file is signed the same way; it holds household UUIDs,
revisions, outcomes and the questionnaire's messages, no answers, and stays in clear.

Version 2 bundles encrypt each batch (AES-256-GCM; the manifest holds no answers). The key
comes by HKDF-SHA256 from that same shared secret with a random salt per bundle, rather than
from a server public key handed out at enrollment, because:
- every laptop already enrolled has the secret, so every one of them can write encrypted
  bundles at once, offline, with nothing to fetch first (a server key would leave laptops
  enrolled earlier, and still out of reach, writing personal data in clear);
- only the server can read it besides the laptop that wrote it, which holds the same
  households anyway; whoever finds the stick has neither. The server stores the secret as
  the token hash, next to the households in clear: its database is protected as such.
Each member is nonce (12 bytes) + ciphertext, bound by its associated data to its batch id, so
members cannot be swapped. Version 1 bundles (older programs, batches in clear) are still
read: refusing them would strand households already on a stick.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from forms.i18n import Message, message

BUNDLE_FORMAT = "labour-survey-bundle"
RECEIPT_FORMAT = "labour-survey-receipt"
BUNDLE_VERSION = 2  # written: batches encrypted
READABLE_VERSIONS = (1, 2)  # 1: batches in clear, from programs before encryption
RECEIPT_VERSION = 1
CIPHER = "hkdf-sha256-aes256gcm"
MAX_BATCHES = 200
MAX_MEMBER = 8 * 1024 * 1024
MAX_MANIFEST = 1024 * 1024  # 200 batches take about 30 KB


class BundleError(ValueError):
    """A file that is not a bundle or receipt, is damaged, or was not signed by the laptop.

    `msg` says why in both languages; str() gives the current language, because the laptop's
    `sync` command and the server's API put str(exc) inside their own translated messages. A
    plain str is still accepted (texts made elsewhere, untranslated)."""

    def __init__(self, msg: Message | str):
        self.msg = msg if isinstance(msg, Message) else Message(msg, msg)
        super().__init__(self.msg.en)

    def __str__(self) -> str:
        return self.msg.text()


def os_reason(exc: OSError) -> Message:
    """Why a file could not be used, in both languages: the system's own text is English only."""
    key = {errno.ENOENT: "os_no_file", errno.EACCES: "os_no_permission", errno.EPERM: "os_no_permission",
           errno.EADDRINUSE: "os_port_in_use", errno.ENOSPC: "os_disk_full"}.get(exc.errno or 0)
    if key:
        return message(key)
    text = exc.strerror or str(exc)
    return Message(text, text)


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
    payloads: dict[str, bytes]  # batch id -> the member as stored: encrypted (version 2) or gzip (version 1)

    @property
    def version(self) -> int:
        return int(self.manifest["version"])


def _member_name(version: int, batch_id: str) -> str:
    return f"batches/{batch_id}.json.gz" if version == 1 else f"batches/{batch_id}.enc"


def _cipher(key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(hashes.SHA256(), 32, salt=salt, info=b"labour-survey bundle v2 batches").derive(key))


def _aad(batch_id: str) -> bytes:
    return f"{BUNDLE_FORMAT}/v2/{batch_id}".encode()


def write_bundle(path: Path, manifest: dict[str, Any], payloads: dict[str, bytes], key: bytes) -> None:
    """Write the gzip-compressed batches `payloads`, encrypted, with the manifest signed by `key`."""
    salt = secrets.token_bytes(16)
    aead = _cipher(key, salt)
    members = {}
    for batch_id, payload in payloads.items():
        nonce = secrets.token_bytes(12)
        members[batch_id] = nonce + aead.encrypt(nonce, payload, _aad(batch_id))
    manifest = {**manifest, "format": BUNDLE_FORMAT, "version": BUNDLE_VERSION,
                "encryption": {"cipher": CIPHER, "salt": base64.b64encode(salt).decode("ascii")},
                "batches": [{"batch_id": b, "sha256": hashlib.sha256(m).hexdigest(), "bytes": len(m)}
                            for b, m in members.items()]}
    part = path.with_name(path.name + ".part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as zf:  # the batches are compressed already
        zf.writestr("manifest.json", json.dumps(sign(manifest, key), ensure_ascii=False, indent=1))
        for batch_id, member in members.items():
            zf.writestr(_member_name(BUNDLE_VERSION, batch_id), member)
    _replace(part, path)


def open_payloads(b: Bundle, key: bytes, name: str = "bundle") -> dict[str, bytes]:
    """The gzip-compressed batches of a bundle whose signature `key` verified (see `signed_by`)."""
    if b.version == 1:
        return dict(b.payloads)
    enc = b.manifest.get("encryption")
    try:
        if not isinstance(enc, dict) or enc.get("cipher") != CIPHER:
            raise ValueError("unknown cipher")
        aead = _cipher(key, base64.b64decode(str(enc.get("salt")), validate=True))
    except (ValueError, binascii.Error):
        raise BundleError(message("bundle_unknown_cipher", name=name)) from None
    out = {}
    for batch_id, member in b.payloads.items():
        try:
            out[batch_id] = aead.decrypt(member[:12], member[12:], _aad(batch_id))
        except (InvalidTag, ValueError):
            # The member matched its signed hash, so only a laptop encrypting with another
            # key than it signed with gets here.
            raise BundleError(message("bundle_cannot_decrypt", name=name, batch=batch_id)) from None
    return out


def read_bundle(path: Path) -> Bundle:
    """Read a whole bundle and check it is whole (not who signed it: see `signed_by`). The
    server reads the manifest alone first, checks its signature, then the members it states."""
    manifest = read_manifest(path)
    return Bundle(manifest, read_members(path, manifest))


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a bundle, checked for its format and list; nothing else is read."""
    with _opened(path) as zf:
        manifest = json.loads(_member(zf, "manifest.json", MAX_MANIFEST, message("hardening_manifest_too_large",
                                                                                  name=path.name)))
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(message("bundle_not_bundle", name=path.name))
    version = manifest.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise BundleError(message("bundle_other_version", name=path.name, version=version))
    listed = manifest.get("batches")
    if not isinstance(listed, list) or len(listed) > MAX_BATCHES or not all(isinstance(e, dict) for e in listed):
        raise BundleError(message("bundle_list_damaged", name=path.name))
    return manifest


def read_members(path: Path, manifest: dict[str, Any]) -> dict[str, bytes]:
    """The members a (signature-checked) manifest lists, each read no further than the size it
    states, and checked against its hash. Version 1 manifests state no size: MAX_MEMBER bounds them."""
    payloads = {}
    with _opened(path) as zf:
        for entry in manifest["batches"]:
            batch_id = str(entry.get("batch_id"))
            stated = entry.get("bytes")
            limit = stated if isinstance(stated, int) and not isinstance(stated, bool) and 0 <= stated < MAX_MEMBER \
                else MAX_MEMBER
            name = _member_name(int(manifest["version"]), batch_id)
            too_large = message("hardening_member_larger" if limit < MAX_MEMBER else "bundle_member_too_large", member=name)
            payload = _member(zf, name, limit, too_large)
            if hashlib.sha256(payload).hexdigest() != entry.get("sha256"):
                raise BundleError(message("bundle_batch_damaged", name=path.name, batch=batch_id))
            payloads[batch_id] = payload
    return payloads


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[zipfile.ZipFile]:
    """The bundle as a zip file; its problems as a BundleError that says what to do."""
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except OSError as exc:
        raise BundleError(message("bundle_cannot_open", name=path.name, reason=os_reason(exc))) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        # The receipt sits next to the bundle on the stick, and is easily taken for it.
        if _is_receipt(path):
            raise BundleError(message("bundle_is_receipt", name=path.name)) from None
        raise BundleError(message("bundle_unreadable", name=path.name)) from None
    except BundleError:
        raise
    except (ValueError, RecursionError):  # not JSON, nested past Python's parser, a number of 5,000 digits
        raise BundleError(message("bundle_unreadable", name=path.name)) from None


def _is_receipt(path: Path) -> bool:
    try:
        if path.stat().st_size > MAX_MEMBER:
            return False
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(doc, dict) and doc.get("format") == RECEIPT_FORMAT


def signed_by(bundle: Bundle | dict[str, Any], keys: dict[Any, bytes]) -> Any | None:
    """Which of the given keys (device -> key) signed the bundle (or its manifest), if any."""
    manifest = bundle.manifest if isinstance(bundle, Bundle) else bundle
    for device, key in keys.items():
        if verify(manifest, key):
            return device
    return None


def write_receipt(path: Path, receipts: list[dict[str, Any]], key: bytes) -> None:
    doc = sign({"format": RECEIPT_FORMAT, "version": RECEIPT_VERSION, "receipts": receipts}, key)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    _replace(part, path)


def read_receipt(path: Path, key: bytes) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BundleError(message("bundle_cannot_open", name=path.name, reason=os_reason(exc))) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        # The bundle itself, given back by mistake: say so rather than that it is damaged.
        key_name = "receipt_is_bundle" if zipfile.is_zipfile(path) else "receipt_unreadable"
        raise BundleError(message(key_name, name=path.name)) from None
    if not isinstance(doc, dict) or doc.get("format") != RECEIPT_FORMAT:
        raise BundleError(message("receipt_not_receipt", name=path.name))
    if not verify(doc, key):
        raise BundleError(message("receipt_not_yours", name=path.name))
    receipts = doc.get("receipts")
    if not isinstance(receipts, list):
        raise BundleError(message("receipt_damaged", name=path.name))
    return receipts


def _member(zf: zipfile.ZipFile, name: str, limit: int, too_large: Message) -> bytes:
    """A member read as a stream and never past `limit` bytes, whatever its header claims."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise BundleError(message("bundle_member_missing", member=name)) from None
    if info.file_size > limit:
        raise BundleError(too_large)
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise BundleError(too_large)
    return data


def _replace(part: Path, path: Path) -> None:
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, path)
