"""The provincial server's HTTP API (FastAPI; the OpenAPI description is at /openapi.json when
`serve --api-docs` asks for it: a public map of the API helps nobody in the province)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.requests import ClientDisconnect

from forms import __version__
from forms.i18n import Message, message
from forms.registry import FormRegistry
from sync.bundle import BundleError, write_receipt
from sync.protocol import API, MAX_BODY
from sync.server import accounts, audit, batch_body, feed, recovery
from sync.server.bundles import import_bundle
from sync.server.form_versions import ServerForms
from sync.server.ingest import BatchError, apply_batch
from sync.server.ratelimit import RateLimiter
from sync.server.web.routes import HEADERS as REVIEW_HEADERS
from sync.server.web.routes import PREFIX as REVIEW_PREFIX
from sync.server.web.routes import router as review_pages


class Problem(Exception):
    def __init__(self, status: int, code: str, msg: Message, headers: dict[str, str] | None = None):
        self.status, self.code, self.msg, self.headers = status, code, msg, headers


# Enrollment attempts per client address: ($LABOUR_SURVEY_ENROLL_LIMIT="attempts/seconds").
ENROLL_LIMIT = tuple(float(x) for x in os.environ.get("LABOUR_SURVEY_ENROLL_LIMIT", "10/600").split("/"))
# `serve --api-docs`, for the worker processes of `serve --workers N` that build their own app.
ENV_API_DOCS = "LABOUR_SURVEY_API_DOCS"
# Batches inflated and parsed at once: each may take up to MAX_INFLATED and its objects, so a
# few bombs sent together cannot add up; the others wait their turn off the event loop.
PARSING_AT_ONCE = 2
HSTS = "max-age=31536000"  # a year: once a browser has seen the server over HTTPS, never plain HTTP


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40, description="the one-time code given by the administrator")
    device_name: str = Field(min_length=1, max_length=200)


class RecoveryPublicKey(BaseModel):
    fingerprint: str = Field(description="the first 16 bytes of the SHA-256 of the raw X25519 key, in hex")
    public_key: str = Field(description="the X25519 public key, PEM (SubjectPublicKeyInfo)")
    created_at: str


class EnrollAnswer(BaseModel):
    token: str
    officer: str
    communes: list[str]
    # Added after the first release: older laptops ignore it, newer laptops accept its absence.
    recovery_keys: list[RecoveryPublicKey] = Field(
        default_factory=list,
        description="the province's active recovery public keys, newest last: the laptop wraps its profile's "
                    "data key for each, so the district can recover a profile whose passphrase is forgotten")


class RecoveryKeys(BaseModel):
    keys: list[RecoveryPublicKey] = Field(description="the active recovery public keys, newest last")


class Health(BaseModel):
    status: str
    version: str


def _problem_response(status: int, code: str, msg: Message) -> JSONResponse:
    return JSONResponse({"error": code, "message": {"vi": msg.vi, "en": msg.en}}, status_code=status)


def app_from_environment() -> FastAPI:
    """The app of one worker process of `serve --workers N`, on $LABOUR_SURVEY_SERVER_DB."""
    from sync.server.db import connect, default_url

    return create_app(connect(default_url()), api_docs=os.environ.get(ENV_API_DOCS) == "1")


def create_app(engine: Engine, forms: FormRegistry | None = None, *, api_docs: bool = False) -> FastAPI:
    forms = forms or ServerForms(engine)
    docs = {} if api_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="labour-survey provincial server", version=__version__, **docs)
    # Receipts are a third of what crosses a slow link; the laptop already accepts gzip.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(SecurityHeaders)
    parsing: list[anyio.CapacityLimiter] = []  # made in the event loop, at the first upload

    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        response = _problem_response(exc.status, exc.code, exc.msg)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return _problem_response(422, "invalid_request", message("server_bad_batch", reason=reason))

    def device_of(request: Request, role: str | None = "officer") -> accounts.Device:
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        device = accounts.device_for(engine, token)
        if device is None:
            raise Problem(401, "not_enrolled", message("server_bad_token"))
        if role is not None and device.role != role:
            raise Problem(403, "wrong_role", message("server_wrong_role", role=device.role))
        return device

    @app.get(f"{API}/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", version=__version__)

    def _recovery_keys() -> list[RecoveryPublicKey]:
        return [RecoveryPublicKey(fingerprint=k.fingerprint, public_key=k.public_pem, created_at=k.created_at)
                for k in recovery.active(engine)]

    enroll_limit = RateLimiter(*ENROLL_LIMIT)

    @app.post(f"{API}/enroll", response_model=EnrollAnswer,
              responses={403: {"description": "code unknown, used or expired"}, 429: {"description": "too many attempts"}})
    def enroll(body: EnrollRequest, request: Request) -> EnrollAnswer:
        address = _address(request)
        wait = enroll_limit.check(address)
        if wait:
            raise Problem(429, "too_many", message("server_too_many", minutes=max(1, round(wait / 60))),
                          headers={"Retry-After": str(int(wait) + 1)})
        try:
            token, device = accounts.enroll(engine, body.code, body.device_name)
        except accounts.AccountError:
            audit.record(engine, "unknown", "enroll refused", None, address=address)
            raise Problem(403, "bad_code", message("server_bad_code")) from None
        audit.record(engine, device.username, "enroll", f"device {device.id}", detail={"name": device.name}, address=address)
        return EnrollAnswer(token=token, officer=device.username, communes=device.communes,
                            recovery_keys=_recovery_keys())

    @app.get(f"{API}/recovery-keys", response_model=RecoveryKeys, responses={401: {"description": "not enrolled or revoked"}})
    def recovery_keys(request: Request) -> RecoveryKeys:
        """The province's recovery public keys, for laptops enrolled before a key was made or
        changed: the laptop asks at each sync and wraps its data key for any it lacks."""
        device_of(request, role=None)
        return RecoveryKeys(keys=_recovery_keys())

    @app.get(f"{API}/me", responses={401: {"description": "not enrolled or revoked"}})
    def me(request: Request) -> dict[str, Any]:
        device = device_of(request, role=None)
        return {"officer": device.username, "device": device.name, "communes": device.communes, "role": device.role}

    @app.post(
        f"{API}/batches",
        responses={400: {"description": "unreadable batch"}, 401: {"description": "not enrolled or revoked"},
                   413: {"description": "batch too large"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["batch_id", "records"],
            "properties": {"batch_id": {"type": "string", "format": "uuid"}, "records": {"type": "array"}}}}}}},
    )
    async def upload(request: Request) -> dict[str, Any]:
        """Upload a batch (JSON, normally gzip-compressed with Content-Encoding: gzip)."""
        device = device_of(request)
        body = await _read_body(request)
        if not parsing:
            parsing.append(anyio.CapacityLimiter(PARSING_AT_ONCE))
        try:
            doc = await anyio.to_thread.run_sync(batch_body.decode, body, request.headers.get("content-encoding", ""),
                                                 limiter=parsing[0])
        except batch_body.BodyError as exc:
            raise Problem(exc.status, exc.code, exc.msg) from None
        del body  # the compressed copy is not needed while the batch is applied
        try:
            return await run_in_threadpool(apply_batch, engine, forms, device, doc)
        except BatchError as exc:
            raise Problem(422, "invalid_batch", message("server_bad_batch", reason=exc.msg)) from None

    @app.post(
        f"{API}/bundles",
        responses={400: {"description": "not a bundle, damaged, or not signed by an enrolled laptop"},
                   401: {"description": "not enrolled or revoked"}, 413: {"description": "too large"}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {
            "type": "string", "format": "binary"}}}}},
    )
    async def upload_bundle(request: Request) -> dict[str, Any]:
        """Upload a USB bundle made by any enrolled laptop (`labour-survey sync export`), from
        any enrolled computer; the answer is the signed receipt file to carry back."""
        device_of(request, role=None)  # the computer uploading must be enrolled too (a supervisor's will do)
        body = await _read_body(request)
        try:
            return await run_in_threadpool(_import_bundle_bytes, engine, forms, body)
        except BundleError as exc:
            raise Problem(400, "bad_bundle", message("server_bad_bundle", reason=exc.msg)) from None

    @app.get(f"{API}/changes", responses={401: {"description": "not enrolled or revoked"}})
    def changes(request: Request, after: int = Query(0, ge=0, le=2**31 - 1), limit: int = Query(feed.PAGE, ge=1, le=feed.PAGE)
                ) -> dict[str, Any]:
        """What this laptop should download after the entry `after`: questionnaire versions,
        assignments, households returned for correction. Apply them in order and ask again
        with after=last while more is true."""
        device = device_of(request)
        page = feed.read(engine, device, after, limit)
        if page["items"]:
            audit.record(engine, f"{device.username}/device {device.id}", "download", None,
                         detail={"after": after, "items": len(page["items"])}, address=_address(request))
        return page

    app.include_router(review_pages(engine, forms))
    return app


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _import_bundle_bytes(engine: Engine, forms: FormRegistry, body: bytes) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.lsbundle"
        path.write_bytes(body)
        _device, receipts, key = import_bundle(engine, forms, path)
        receipt = Path(tmp) / "receipt.json"
        write_receipt(receipt, receipts, key)
        return json.loads(receipt.read_text(encoding="utf-8"))


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise Problem(413, "too_large", message("server_too_large"))
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise Problem(413, "too_large", message("server_too_large"))
            chunks.append(chunk)
    except ClientDisconnect:
        # A link that drops mid-upload is ordinary at a district office: nothing was stored,
        # the laptop sends the same batch again.
        raise Problem(400, "disconnected", message("server_bad_batch", reason=message("server_reason_cut_off"))) from None
    return b"".join(chunks)


class SecurityHeaders:
    """HSTS on every answer over HTTPS, and the review pages' headers on every answer under
    /review, its errors included (a 404 of an unknown page is Starlette's own, not the router's)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra: dict[str, str] = {}
        if scope.get("scheme") == "https":
            extra["Strict-Transport-Security"] = HSTS
        if scope.get("path", "").startswith(REVIEW_PREFIX):  # headers a page set itself are kept
            extra.update(REVIEW_HEADERS)

        async def sending(event: dict[str, Any]) -> None:
            if event["type"] == "http.response.start" and extra:
                present = {k.lower() for k, _ in event.get("headers", [])}
                missing = [(k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in present]
                event["headers"] = [*event.get("headers", []), *missing]
            await send(event)

        await self.app(scope, receive, sending)
