"""Bundles carried on a USB stick: applied exactly as if the laptop had uploaded them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from forms.i18n import message
from forms.registry import FormRegistry
from sync import bundle
from sync.server import accounts, batch_body
from sync.server.ingest import BatchError, apply_batch


def import_bundle(engine: Engine, forms: FormRegistry, path: Path) -> tuple[accounts.Device, list[dict[str, Any]], bytes]:
    """Apply every batch of a bundle as its laptop; returns the laptop, the receipts and the
    key to sign the receipt file with. Importing the same bundle again changes nothing."""
    # The manifest alone first: a bundle nobody enrolled signed is refused before its members
    # are read, and those of a signed one are read no further than the sizes it signed.
    manifest = bundle.read_manifest(path)
    by_hash = {h: d for h, d in accounts.active_devices(engine).items() if d.role == "officer"}
    token_hash = bundle.signed_by(manifest, {h: bundle.key_for_hash(h) for h in by_hash})
    if token_hash is None:
        raise bundle.BundleError(message("bundle_not_enrolled", name=path.name))
    device = by_hash[token_hash]
    key = bundle.key_for_hash(token_hash)
    b = bundle.Bundle(manifest, bundle.read_members(path, manifest))
    # Every batch is decrypted and read before the first is applied: a bundle damaged or
    # altered anywhere stores nothing.
    docs = []
    for batch_id, payload in bundle.open_payloads(b, key, path.name).items():
        doc = _inflate(payload, batch_id, path.name)
        if doc.get("batch_id") != batch_id:
            raise bundle.BundleError(message("bundle_batch_mismatch", name=path.name, batch=batch_id))
        docs.append((batch_id, doc))
    receipts = []
    for batch_id, doc in docs:
        try:
            receipts.append(apply_batch(engine, forms, device, doc))
        except BatchError as exc:
            raise bundle.BundleError(message("bundle_batch_refused", name=path.name, batch=batch_id, reason=exc.msg)) from None
    return device, receipts, key


def _inflate(payload: bytes, batch_id: str, name: str) -> dict[str, Any]:
    # The same bounds as an upload's: a signed bundle is still refused plainly, not with a traceback.
    try:
        doc = batch_body.decode(payload, "gzip")
    except batch_body.BodyError as exc:
        raise bundle.BundleError(message("hardening_batch_refused", name=name, batch=batch_id, reason=exc.reason)) from None
    if not isinstance(doc, dict):
        raise bundle.BundleError(message("bundle_batch_not_batch", batch=batch_id))
    return doc
