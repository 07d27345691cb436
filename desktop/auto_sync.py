"""The window's one sync with the provincial server, and syncing on its own when the server
becomes reachable.

SyncRunner runs SyncClient.sync in a worker (desktop.worker.Task) on its own Store connection,
so the officer goes on typing: the editor's saves and the sync's short transactions take turns
in SQLite's WAL. Sync now and auto-sync both go through it: never two syncs at once.

AutoSync asks every minute, from a worker, whether the server answers; when it comes back (or
nothing has gone for a long time) it starts a sync without a dialog. Its log lines carry
counts and states only: nothing about households or people."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop import tasks
from desktop.worker import Task
from forms.registry import FormRegistry

log = logging.getLogger(__name__)
NEEDS_THE_OFFICER = ("auth", "not_enrolled", "refused")  # SyncError kinds that retrying does not mend


@dataclass(slots=True)
class SyncOutcome:
    """How one sync ended: with a result, an error, or cancelled."""

    auto: bool
    result: object | None = None  # sync.client.SyncResult
    error: BaseException | None = None
    cancelled: bool = False
    ended_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


class SyncRunner(QObject):
    started = Signal(bool)  # auto
    progressed = Signal(int, int)  # households done, total
    ended = Signal(object)  # SyncOutcome

    POLL_MS = 150

    def __init__(self, path: Path, forms: FormRegistry | None, actor: str, parent: QObject | None = None):
        super().__init__(parent)
        self.path, self.forms, self.actor = path, forms, actor
        # Fewer, shorter retries than the command line: someone is watching, and auto-sync
        # tries again as soon as the server answers.
        self.attempts = 5
        self.max_delay = 15.0
        self.task: Task | None = None
        self.auto = False
        self.last: SyncOutcome | None = None
        self._outcome: SyncOutcome | None = None
        self._seen = (-1, -1)
        self._poll = QTimer(self, interval=self.POLL_MS)
        self._poll.timeout.connect(self._report)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start(self, auto: bool = False) -> Task | None:
        """Start a sync; None if one is already running."""
        if self.running:
            return None
        self.auto = auto
        self._outcome = SyncOutcome(auto)
        self._seen = (-1, -1)
        task = Task(tasks.sync_now, self.path, self.actor, self.forms, self.attempts, self.max_delay)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.ended.connect(self._ended)
        self.task = task.start()
        self._poll.start()
        log.info("sync started (%s)", "auto" if auto else "by the officer")
        self.started.emit(auto)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def wait(self, ms: int = 30_000) -> bool:
        return self.task.wait(ms) if self.task is not None else True

    def progress(self) -> tuple[int, int]:
        if self.task is None:
            return 0, 0
        done, total, _note = self.task.state.snapshot()
        return done, total

    def _report(self) -> None:
        now = self.progress()
        if now != self._seen:
            self._seen = now
            self.progressed.emit(*now)

    def _succeeded(self, result: object) -> None:
        if self._outcome is not None:
            self._outcome.result = result

    def _failed(self, exc: BaseException) -> None:
        if self._outcome is not None:
            self._outcome.error = exc

    def _cancelled(self) -> None:
        if self._outcome is not None:
            self._outcome.cancelled = True

    def _ended(self) -> None:
        self._poll.stop()
        self._report()
        outcome = self._outcome or SyncOutcome(self.auto)
        outcome.ended_at = dt.datetime.now().astimezone()
        self.last = outcome
        self._outcome = None
        kind = "cancelled" if outcome.cancelled else getattr(outcome.error, "kind", "error") if outcome.error else "done"
        log.info("sync ended: %s", kind)
        self.ended.emit(outcome)


def _age_seconds(iso: str | None, now: dt.datetime) -> float:
    if not iso:
        return math.inf
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return math.inf
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (now - when).total_seconds())


def should_sync(reachable: bool | None, was_reachable: bool | None, waiting: int, last_success_at: str | None,
                since_last_attempt: float, *, now: dt.datetime, stale_after: float, retry_after: float) -> bool:
    """Whether auto-sync starts a sync now (no Qt: decided from what the probe found).

    Back online (unreachable or unknown before): sync if anything waits or the last good
    sync is old. Online all along: sync what waits, or refresh an old sync, but no more
    often than `retry_after`, so that a failing server is not asked every minute."""
    if not reachable:
        return False
    stale = _age_seconds(last_success_at, now) >= stale_after
    if was_reachable is not True and (waiting > 0 or stale):
        return True
    if since_last_attempt < retry_after:
        return False
    return waiting > 0 or stale


class AutoSync(QObject):
    checked = Signal(object)  # tasks.Probe

    def __init__(self, path: Path, runner: SyncRunner, *, forms: FormRegistry | None = None, interval_ms: int = 60_000,
                 first_check_ms: int = 10_000, stale_after: float = 30 * 60, retry_after: float = 5 * 60,
                 probe_timeout: float = 3.0, parent: QObject | None = None):
        super().__init__(parent)
        self.path, self.runner, self.forms = path, runner, forms
        self.stale_after, self.retry_after, self.probe_timeout = stale_after, retry_after, probe_timeout
        self.reachable: bool | None = None  # None: not known (or not enrolled)
        self.enabled = False
        self._probe: Task | None = None
        self._last_attempt: float | None = None  # time.monotonic() of the last sync, either kind
        self._hold_until = 0.0  # after a cancel: the officer said not now
        # After a refusal only the officer can mend (a withdrawn laptop, a new code needed),
        # asking again changes nothing: auto-sync waits for a new enrollment or a Sync now.
        self.blocked_by: str | None = None
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.check)
        self._first = QTimer(self, singleShot=True, interval=first_check_ms)
        self._first.timeout.connect(self.check)
        runner.started.connect(self._pause)
        runner.ended.connect(self._resume)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def start(self) -> None:
        self.enabled = True
        self._first.start()
        if not self.runner.running:
            self._timer.start()

    def stop(self) -> None:
        self.enabled = False
        self._first.stop()
        self._timer.stop()

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(ms)
        self._first.setInterval(min(self._first.interval(), ms))
        if self.enabled and not self.runner.running:
            self._timer.start()

    def wait(self, ms: int = 30_000) -> None:
        if self._probe is not None:
            self._probe.wait(ms)

    def check(self) -> Task | None:
        """Ask, off the window's thread, whether the server answers; None if a sync or a
        question is already under way."""
        if self.runner.running or (self._probe is not None and self._probe.running):
            return None
        task = Task(tasks.probe, self.path, self.probe_timeout, self.forms)
        task.succeeded.connect(self._probed)
        task.failed.connect(lambda exc: log.warning("reachability check failed: %s", type(exc).__name__))
        self._probe = task.start()
        return task

    def _probed(self, p: tasks.Probe) -> None:
        was = self.reachable
        self.reachable = p.reachable if p.enrolled else None
        if was is not self.reachable:
            log.info("server %s", {True: "reachable", False: "unreachable", None: "not enrolled"}[self.reachable])
        self.checked.emit(p)
        if not (self.enabled and p.enrolled) or self.runner.running or self.blocked_by:
            return
        if time.monotonic() < self._hold_until:
            return
        since = math.inf if self._last_attempt is None else time.monotonic() - self._last_attempt
        if should_sync(self.reachable, was, p.waiting, p.last_success_at, since, now=dt.datetime.now(dt.UTC),
                       stale_after=self.stale_after, retry_after=self.retry_after):
            log.info("auto-sync: %d waiting", p.waiting)
            self.runner.start(auto=True)

    def _pause(self, _auto: bool) -> None:
        self._last_attempt = time.monotonic()
        self._timer.stop()

    def _resume(self, outcome: SyncOutcome) -> None:
        # What the sync found is the freshest answer there is: a network error means the
        # next successful check is a return online (and syncs at once).
        kind = getattr(outcome.error, "kind", None)
        if outcome.error is None and not outcome.cancelled:
            self.reachable = True
        elif kind == "network":
            self.reachable = False
        if outcome.cancelled:
            self._hold_until = time.monotonic() + self.retry_after
        if kind in NEEDS_THE_OFFICER:
            self.blocked_by = kind
        elif outcome.error is None and not outcome.cancelled:
            self.blocked_by = None
        if self.enabled:
            self._timer.start()

    def enrolled(self) -> None:
        """A new enrollment: whatever stopped auto-sync may be mended; ask at once."""
        self.blocked_by = None
        self.check()
