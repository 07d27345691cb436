"""The sync client: sends what waits in the store's outbox to the provincial server.

Plain functions and a class with no Qt: the command line and the desktop (in a worker
thread, with its own Store) both use it. Retries network errors, 5xx and 429 with
exponential backoff and full jitter; never 401/403, which need the officer.
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
import urllib3

from forms.i18n import Message, message
from forms.store import Store, StoreError, inbox, keys, outbox
from sync import bundle
from sync.protocol import API

START_BATCH, MIN_BATCH, MAX_BATCH = 100, 1, 500  # households; 100 is ~20 KB, 2.5 s at 64 kbit/s
FAST_SECONDS = 10.0  # a batch answered quicker than this lets the next one double
TIMEOUT = (10.0, 20.0)  # connect; the floor of the read timeout, which grows with the batch (read_timeout)
MAX_READ_TIMEOUT = 300.0
ASSUMED_RATE = 2000.0  # bytes/s before the link is measured: 16 kbit/s, a poor mobile link
SERVER_SECONDS_PER_HOUSEHOLD = 0.01  # the server checks ~2,000 a second; ten times slower when busy
ONE_HOUSEHOLD_TRIES = 4  # a batch of one household cut this many times in a row: the link is too weak today
PAGE, PAGE_SIZE = 200, "sync.page_size"  # entries of the province's feed asked at once (the server's most)
LINK = "sync.link"  # what the link has shown: largest batch carried, smallest cut, bytes per second


class Progress(Protocol):
    def report(self, done: int, total: int) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class _Cut(Exception):
    """A batch's connection was cut (or its answer never came) after it was opened: the
    server may or may not have applied it, and sending the same bytes again may well be cut
    again."""


def read_timeout(payload_bytes: int, households: int, rate: float | None, floor: float = TIMEOUT[1],
                 pipeline: int = 1) -> float:
    """Seconds to wait for a batch's answer: three times what sending it over the link as
    measured (shared by the batches on their way together) and checking it at the server
    should take, never less than `floor`: a reply that never comes costs this, not 90 s."""
    expected = payload_bytes * max(1, pipeline) / (rate or ASSUMED_RATE) + households * SERVER_SECONDS_PER_HOUSEHOLD
    return min(MAX_READ_TIMEOUT, max(floor, 3 * expected))


@dataclass(slots=True)
class Link:
    """What the link has shown, kept between syncs: the largest batch (compressed bytes) it
    carried, the smallest it cut, and its speed in bytes per second."""

    good: int = 0
    bad: int | None = None
    rate: float | None = None

    @classmethod
    def load(cls, store: Store) -> Link:
        try:
            raw = json.loads(store.get_setting(LINK) or "{}")
            return cls(int(raw.get("good") or 0), int(raw["bad"]) if raw.get("bad") else None,
                       float(raw["rate"]) if raw.get("rate") else None)
        except (ValueError, TypeError, AttributeError):
            return cls()  # a damaged setting only costs relearning the link

    def save(self, store: Store) -> None:
        store.set_setting(LINK, json.dumps({"good": self.good, "bad": self.bad, "rate": self.rate}))

    def cap(self) -> int | None:
        """Compressed bytes a batch may have: no limit until the link has cut one; then the
        larger of what it carried and a margin below the smallest it cut."""
        return None if self.bad is None else max(self.good, int(self.bad * 0.6), 1)

    def carried(self, size: int, seconds: float) -> None:
        self.good = max(self.good, size)
        if self.bad is not None:
            # Each batch that gets through lets the limit creep up (about ten of them lift it by
            # half): a link whose cuts came at random is tried again with larger batches.
            self.bad = int(self.bad * 1.05) + 1
            if self.good >= self.bad:
                self.bad = None  # the link is better than it was
        if seconds > 0:
            rate = size / seconds
            self.rate = rate if self.rate is None else 0.7 * self.rate + 0.3 * rate

    def cut(self, size: int) -> None:
        self.bad = size if self.bad is None else min(self.bad, size)
        if size <= self.good:
            self.good = size // 2  # it carried this much before, not now: believe less

    def clean_run(self) -> None:
        """A sync without a single cut: let batches grow a little past the old limit next time,
        as a link that was weak in one place may be better in another."""
        if self.bad is not None:
            self.bad = int(self.bad * 1.5)


class SyncError(Exception):
    def __init__(self, kind: str, msg: Message):
        super().__init__(msg.en)
        self.kind, self.msg = kind, msg  # kind: auth, network, server, refused, not_enrolled


@dataclass(slots=True)
class SyncResult:
    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    conflicts: int = 0
    waiting: int = 0
    cancelled: bool = False
    forms_received: int = 0  # questionnaire versions
    code_lists_received: int = 0
    assigned: int = 0  # households to visit
    returned: int = 0  # households returned for correction
    recovery_keys_added: list[str] = field(default_factory=list)  # fingerprints of the province's keys
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # uuids refused or in conflict in this sync (outbox.refused names them)


@dataclass(slots=True)
class SyncStatus:
    server_url: str | None
    waiting: int
    last_success_at: str | None
    last_error: Message | None


def status(store: Store) -> SyncStatus:
    err = store.get_setting("sync.last_error")
    return SyncStatus(store.get_setting("sync.server_url"), outbox.waiting(store),
                      store.get_setting("sync.last_success_at"), Message(**json.loads(err)) if err else None)


def enroll(store: Store, server_url: str, code: str, device_name: str, *, ca_file: str | None = None,
           session: requests.Session | None = None) -> dict[str, Any]:
    """Exchange a one-time code for this laptop's token and keep it in the profile."""
    url = server_url.rstrip("/")
    http = session or requests.Session()
    try:
        r = http.post(f"{url}{API}/enroll", json={"code": code, "device_name": device_name},
                      timeout=TIMEOUT, verify=ca_file or True)
    except requests.exceptions.SSLError as exc:
        raise SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
    except requests.RequestException:
        raise SyncError("network", message("sync_unreachable", url=url)) from None
    except OSError as exc:  # the CA file is missing or unreadable (requests' errors are OSErrors too: caught above)
        raise SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
    if r.status_code in (401, 403):
        raise SyncError("auth", _server_message(r) or message("server_bad_code"))
    if r.status_code == 429:
        raise SyncError("refused", _server_message(r) or message("sync_server_error", status=429))
    if r.status_code != 200:
        raise SyncError("server", message("sync_server_error", status=r.status_code))
    answer = r.json()
    for key, value in (("sync.server_url", url), ("sync.token", answer["token"]), ("sync.ca_file", ca_file or ""),
                       ("sync.officer", answer["officer"]), ("sync.communes", json.dumps(answer["communes"]))):
        store.set_setting(key, value)
    # The code is spent and the token stored: a key that cannot be added now must not undo the
    # enrollment. The next sync offers the keys again.
    try:
        answer["recovery_added"] = adopt_recovery_keys(store, answer.get("recovery_keys"))
    except (StoreError, OSError) as exc:
        answer["recovery_added"] = []
        answer["recovery_problem"] = exc.msg if isinstance(exc, StoreError) else message(
            "recovery_cannot_add", reason=exc.strerror or str(exc))
    return answer


def profile_recovery_fingerprints(store: Store) -> set[str]:
    """The recovery keys this profile is wrapped for, or (plain profile) keeps for later."""
    if keys.is_encrypted(store.path):
        return {str(r.get("fingerprint")) for r in keys.KeyFile.load(store.path).recovery}
    pending = keys.pending_recovery_key(store.path)
    if pending is None:
        return set()
    try:
        return {keys.fingerprint(keys.load_recovery_public_key(pending))}
    except keys.KeyFileError:
        return set()


def adopt_recovery_keys(store: Store, offered: Any) -> list[str]:
    """Wrap the profile's data key for each of the province's recovery public keys it lacks
    (the server's list, newest last); returns the fingerprints added. A malformed entry is
    skipped: it must not stop the others."""
    valid: list[tuple[str, bytes]] = []
    for entry in offered if isinstance(offered, list) else []:
        pem = entry.get("public_key") if isinstance(entry, dict) else None
        if not isinstance(pem, str):
            continue
        try:
            valid.append((keys.fingerprint(keys.load_recovery_public_key(pem.encode("ascii"))), pem.encode("ascii")))
        except (keys.KeyFileError, UnicodeEncodeError):
            continue
    have = profile_recovery_fingerprints(store)
    if keys.is_encrypted(store.path):
        wanted = [(fp, pem) for fp, pem in valid if fp not in have]
    elif valid and not have & {fp for fp, _ in valid}:
        # A plain profile keeps one public key until it is encrypted (keys.pending_recovery_path):
        # the newest. Once encrypted, the next sync adds the others.
        wanted = valid[-1:]
    else:
        wanted = []
    added: list[str] = []
    for fp, pem in wanted:
        store.add_recovery_key(pem)
        added.append(fp)
    return added


@dataclass(slots=True)
class ReceiptResult:
    accepted: int = 0
    rejected: int = 0
    conflicts: int = 0
    already: int = 0  # batches whose receipt was recorded before (online, or an earlier file)
    problems: list[str] = field(default_factory=list)


def _token(store: Store) -> str:
    token = store.get_setting("sync.token")
    if not token:
        raise SyncError("not_enrolled", message("sync_not_enrolled"))
    return token


def export_bundle(store: Store, path: Path, *, batch_size: int = 500) -> tuple[int, int]:
    """Write everything not yet receipted to a USB bundle; returns (batches, households).

    The batches stay pending, exactly as if they were on their way online: whichever way
    they reach the server, it applies them once, and the receipt marks them sent."""
    key = bundle.key_for_token(_token(store))
    while outbox.next_batch(store, batch_size, beside_pending=True) is not None:
        pass
    batches = outbox.all_pending(store, limit=bundle.MAX_BATCHES)
    if not batches:
        return 0, 0
    households = sum(len(b.records) for b in batches)
    manifest = {"created_at": store.clock(), "officer": store.get_setting("sync.officer"), "households": households}
    bundle.write_bundle(path, manifest, {b.batch_id: b.payload for b in batches}, key)
    return len(batches), households


def import_receipt(store: Store, path: Path, *, actor: str) -> ReceiptResult:
    """Record a receipt file brought back from the province: households become sent,
    or return to draft with the server's reasons. The same file twice changes nothing."""
    receipts = bundle.read_receipt(path, bundle.key_for_token(_token(store)))
    result = ReceiptResult()
    for receipt in receipts:
        batch_id = receipt.get("batch_id") if isinstance(receipt, dict) else None
        found = outbox.find(store, str(batch_id))
        if found is None:
            result.problems.append(f"batch {batch_id}: not made on this laptop")
            continue
        batch, state = found
        if state != "pending":
            result.already += 1
            continue
        try:
            summary = outbox.apply_receipt(store, batch, receipt, actor=actor)
        except outbox.ReceiptError as exc:
            raise bundle.BundleError(f"{path.name}: {exc}") from None
        result.accepted += summary.accepted
        result.rejected += summary.rejected
        result.conflicts += summary.conflicts
        result.problems += summary.problems
    return result


def upload_bundle(store: Store, path: Path, receipt_path: Path, *, session: requests.Session | None = None) -> None:
    """Upload a bundle made on another laptop, from this enrolled computer; write the receipt."""
    url, token = store.get_setting("sync.server_url"), _token(store)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise bundle.BundleError(f"{path.name} cannot be read: {exc.strerror}") from None
    http = session or requests.Session()
    try:
        # A bundle holds many batches: wait as for one batch of its size (~150 compressed bytes a household).
        wait = read_timeout(len(body), len(body) // 150, None)
        r = http.post(f"{url}{API}/bundles", data=body, timeout=(TIMEOUT[0], wait),
                      verify=store.get_setting("sync.ca_file") or True,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip"})
    except requests.exceptions.SSLError as exc:
        raise SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
    except requests.RequestException:
        raise SyncError("network", message("sync_unreachable", url=url)) from None
    if r.status_code in (401, 403):
        raise SyncError("auth", _server_message(r) or message("server_bad_token"))
    if r.status_code != 200:
        raise SyncError("refused", _server_message(r) or message("sync_server_error", status=r.status_code))
    part = receipt_path.with_name(receipt_path.name + ".part")
    part.write_bytes(r.content)
    part.replace(receipt_path)


class SyncClient:
    def __init__(self, store: Store, *, session: requests.Session | None = None, actor: str = "sync",
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 max_attempts: int = 8, base_delay: float = 1.0, max_delay: float = 60.0,
                 timeout: tuple[float, float] = TIMEOUT, max_batch: int = MAX_BATCH, pipeline: int = 2):
        self.store, self.actor, self.sleep = store, actor, sleep
        self.http = session or requests.Session()
        self.rng = rng or random.Random()
        self.max_attempts, self.base_delay, self.max_delay, self.timeout = max_attempts, base_delay, max_delay, timeout
        self.max_batch = max_batch
        self.pipeline = max(1, pipeline)  # batches on their way at once

    def sync(self, progress: Progress | None = None) -> SyncResult:
        """Send everything waiting, batch after batch, then fetch what the province sent
        down; record the outcome for `status`."""
        store = self.store
        url, token = store.get_setting("sync.server_url"), store.get_setting("sync.token")
        if not url or not token:
            raise self._fail(SyncError("not_enrolled", message("sync_not_enrolled")))
        result = SyncResult()
        total = outbox.waiting(store)  # includes what a pending batch carries
        size = min(self.max_batch, max(MIN_BATCH, int(store.get_setting("sync.batch_size") or START_BATCH)))
        try:
            self._upload(url, token, size, total, result, progress)
            if not result.cancelled:
                self._pull(url, token, result, progress)
        except SyncError as exc:
            raise self._fail(exc) from None
        if not result.cancelled:
            self._recovery_keys(url, token, result)
        if not result.cancelled:  # a cancelled sync is no proof the server has everything
            store.set_setting("sync.last_success_at", store.clock())
            store.set_setting("sync.last_error", "")
        result.waiting = outbox.waiting(store)
        return result

    def _upload(self, url: str, token: str, size: int, total: int, result: SyncResult, progress: Progress | None) -> int:
        """Send batches, `self.pipeline` at a time: while one receipt comes down the next batch
        goes up, so a slow link is busy both ways. Batches are made and receipts stored here,
        in this thread; only the HTTP requests run beside it.

        A batch whose connection is cut is not sent again as it was: it is split, the next
        batches are smaller (down to one household) and no larger in bytes than the link has
        shown it carries; they grow back only after batches get through."""
        store, link = self.store, Link.load(self.store)
        flying: deque[tuple[outbox.Batch, Future[dict[str, Any] | None], float]] = deque()
        cuts = one_cuts = 0  # in a row, and in a row at one household
        ever_cut = False
        with ThreadPoolExecutor(max_workers=self.pipeline, thread_name_prefix="sync-upload") as pool:
            while True:
                while len(flying) < self.pipeline and not (progress is not None and progress.cancelled):
                    batch = self._next_batch(size, link.cap(), {b.batch_id for b, _, _ in flying})
                    if batch is None:
                        break
                    timeout = read_timeout(len(batch.payload), len(batch.records), link.rate, self.timeout[1], self.pipeline)
                    flying.append((batch, pool.submit(self._send, url, token, batch, timeout), time.monotonic()))
                if progress is not None and progress.cancelled:
                    result.cancelled = True
                if not flying:
                    if not ever_cut:
                        link.clean_run()
                    link.save(store)
                    return size
                batch, future, started = flying.popleft()
                try:
                    receipt = future.result()
                except SyncError:
                    self._settle(flying, result)
                    link.save(store)
                    raise
                except _Cut:
                    ever_cut, cuts = True, cuts + 1
                    one_cuts = one_cuts + 1 if len(batch.records) == 1 else 0
                    link.cut(len(batch.payload))
                    size = max(MIN_BATCH, min(size, len(batch.records)) // 2)
                    store.set_setting("sync.batch_size", str(size))
                    if len(batch.records) > 1:
                        outbox.split(store, batch, size, link.cap())
                    if one_cuts >= min(self.max_attempts, ONE_HOUSEHOLD_TRIES) or cuts >= 4 * self.max_attempts:
                        self._settle(flying, result)
                        link.save(store)
                        sent = result.accepted + result.rejected + result.conflicts
                        raise SyncError("network", message("sync_weak_link", sent=sent, total=total)) from None
                    if one_cuts:  # even one household was cut: a short pause; the server is well, the link is not
                        self.sleep(self.rng.uniform(0, min(self.max_delay, self.base_delay * one_cuts / 4)))
                    continue
                if receipt is None:  # too large for the server: smaller batches
                    outbox.abandon(store, batch.batch_id)
                    size = max(MIN_BATCH, size // 2)
                    continue
                cuts = one_cuts = 0
                self._record(batch, receipt, result)
                seconds = time.monotonic() - started
                link.carried(len(batch.payload), seconds)
                if seconds < FAST_SECONDS:
                    size = min(self.max_batch, size * 2)
                store.set_setting("sync.batch_size", str(size))
                if progress is not None:
                    progress.report(result.accepted + result.rejected + result.conflicts, total)

    def _next_batch(self, size: int, cap: int | None, flying: set[str]) -> outbox.Batch | None:
        """A batch left pending by an earlier sync (or a USB bundle) first, split first if it is
        larger than the link has shown it carries; else a new one."""
        for batch in outbox.all_pending(self.store):
            if batch.batch_id in flying:
                continue
            if cap is not None and len(batch.payload) > cap and len(batch.records) > 1:
                return outbox.split(self.store, batch, size, cap)[0]
            return batch
        return outbox.next_batch(self.store, size, beside_pending=True, max_bytes=cap)

    def _record(self, batch: outbox.Batch, receipt: dict[str, Any], result: SyncResult) -> None:
        try:
            summary = outbox.apply_receipt(self.store, batch, receipt, actor=self.actor)
        except outbox.ReceiptError as exc:
            raise SyncError("server", message("sync_bad_receipt", reason=str(exc))) from None
        result.batches += 1
        result.accepted += summary.accepted
        result.rejected += summary.rejected
        result.conflicts += summary.conflicts
        result.problems += summary.problems
        result.refused += summary.refused

    def _settle(self, flying: deque[tuple[outbox.Batch, Future[dict[str, Any] | None], float]], result: SyncResult) -> None:
        """After a failure, keep the receipts of the batches that did get through."""
        for batch, future, _ in flying:
            try:
                receipt = future.result()
                if receipt is not None:
                    self._record(batch, receipt, result)
            except (SyncError, _Cut):
                pass  # stays pending: sent again (or split) next time

    def _fail(self, exc: SyncError) -> SyncError:
        self.store.set_setting("sync.last_error", json.dumps({"vi": exc.msg.vi, "en": exc.msg.en}, ensure_ascii=False))
        return exc

    def _pull(self, url: str, token: str, result: SyncResult, progress: Progress | None) -> None:
        """Fetch and apply what came down since the last entry applied, page by page. A page
        whose connection is cut is asked again with fewer entries (down to one), as batches are
        sent smaller; pages grow back after pages get through."""
        after = inbox.cursor(self.store)
        limit = min(PAGE, max(1, int(self.store.get_setting(PAGE_SIZE) or PAGE)))
        cuts = one_cuts = 0  # in a row, and in a row at one entry a page
        while not (progress is not None and progress.cancelled):
            try:
                page = self._call("GET", url, f"{API}/changes", token, params={"after": after, "limit": limit},
                                  cut_raises=True)
            except _Cut:
                cuts, one_cuts = cuts + 1, one_cuts + 1 if limit == 1 else 0
                if one_cuts >= min(self.max_attempts, ONE_HOUSEHOLD_TRIES) or cuts >= 4 * self.max_attempts:
                    raise SyncError("network", message("sync_weak_link_down")) from None
                if one_cuts:
                    self.sleep(self.rng.uniform(0, min(self.max_delay, self.base_delay * one_cuts / 4)))
                limit = max(1, limit // 2)
                self.store.set_setting(PAGE_SIZE, str(limit))
                continue
            cuts = one_cuts = 0
            limit = min(PAGE, limit * 2)
            self.store.set_setting(PAGE_SIZE, str(limit))
            if page is None or not isinstance(page.get("items"), list) or not isinstance(page.get("last"), int):
                raise SyncError("server", message("sync_bad_receipt", reason="the list of changes is not understood"))
            summary = inbox.apply_page(self.store, page["items"], page["last"], actor=self.actor)
            result.forms_received += summary.forms
            result.code_lists_received += summary.code_lists
            result.assigned += summary.assigned
            result.returned += summary.returned
            result.problems += summary.problems
            if not page.get("more") or page["last"] <= after:
                break
            after = page["last"]

    def _recovery_keys(self, url: str, token: str, result: SyncResult) -> None:
        """Add the province's recovery keys this profile lacks (a laptop enrolled before the
        province made its key, or after it changed it). One try, and no failure: the
        households went through, and the next sync asks again. An older server has no such
        address (404) and is left alone."""
        verify: str | bool = self.store.get_setting("sync.ca_file") or True
        try:
            r = self.http.get(f"{url}{API}/recovery-keys", headers={"Authorization": f"Bearer {token}"},
                              timeout=self.timeout, verify=verify)
            offered = r.json().get("keys") if r.status_code == 200 else None
        except (requests.RequestException, OSError, ValueError, AttributeError):
            return
        try:
            result.recovery_keys_added += adopt_recovery_keys(self.store, offered)
        except (StoreError, OSError) as exc:
            result.problems.append(exc.msg.text() if isinstance(exc, StoreError) else
                                   message("recovery_cannot_add", reason=exc.strerror or str(exc)).text())

    def _send(self, url: str, token: str, batch: outbox.Batch, read_timeout: float) -> dict[str, Any] | None:
        """POST one batch until it is answered; None if the server finds it too large; _Cut if
        its connection is cut once open (the caller makes it smaller rather than resend it)."""
        return self._call("POST", url, f"{API}/batches", token, data=batch.payload, cut_raises=True,
                          timeout=(self.timeout[0], read_timeout),
                          headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})

    def _call(self, method: str, url: str, path: str, token: str, *, headers: dict[str, str] | None = None,
              cut_raises: bool = False, timeout: tuple[float, float] | None = None, **kwargs: Any) -> dict[str, Any] | None:
        """One request, repeated until the server answers it; its JSON, or None for 413."""
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        verify: str | bool = self.store.get_setting("sync.ca_file") or True
        for attempt in range(self.max_attempts):
            retry_after = None
            try:
                r = self.http.request(method, f"{url}{path}", headers=headers, timeout=timeout or self.timeout,
                                      verify=verify, **kwargs)
            except requests.exceptions.SSLError as exc:
                raise SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
            except requests.RequestException as exc:
                if cut_raises and not _never_connected(exc):
                    raise _Cut() from None
                r = None
            except OSError as exc:  # the CA file is missing or unreadable: no retry mends that
                raise SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
            if r is not None:
                if r.status_code == 200:
                    try:
                        return r.json()
                    except ValueError:
                        pass  # cut inside the answer: ask again, the server answers the same
                elif r.status_code in (401, 403):
                    raise SyncError("auth", _server_message(r) or message("server_bad_token"))
                elif r.status_code == 413:
                    return None
                elif r.status_code == 429 or r.status_code >= 500:
                    retry_after = _retry_after(r)
                else:
                    raise SyncError("refused", _server_message(r) or message("sync_server_error", status=r.status_code))
            if attempt + 1 < self.max_attempts:
                ceiling = min(self.max_delay, self.base_delay * 2 ** attempt)
                self.sleep(retry_after if retry_after is not None else self.rng.uniform(0, ceiling))
        raise SyncError("network", message("sync_unreachable", url=url))


def _never_connected(exc: requests.RequestException) -> bool:
    """The server could not be reached at all (refused, no route, connect timeout), as
    opposed to a connection cut once open."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))


def _retry_after(r: requests.Response) -> float | None:
    value = r.headers.get("Retry-After", "")
    return min(float(value), 300.0) if value.replace(".", "", 1).isdigit() else None


def _server_message(r: requests.Response) -> Message | None:
    try:
        m = r.json()["message"]
        return Message(str(m["vi"]), str(m["en"]))
    except (ValueError, KeyError, TypeError):
        return None
