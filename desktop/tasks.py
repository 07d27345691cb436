"""Long work as plain functions `fn(state, ...)`, run by desktop.worker in a thread.

Each opens its own Store on the profile's file (a Store is used from one thread only)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.text import t
from forms import codelists, exchange
from forms.i18n import Message, message
from forms.progress import Cancelled, TaskState
from forms.registry import FormRegistry
from forms.store import Household, Store
from sync import client, reachability


@dataclass(slots=True)
class Overview:
    """What the status bar and the list need: counts by status, the filtered total, villages."""

    counts: dict[str, int]
    total: int
    villages: list[str]


def overview(state: TaskState, path: Path, filters: dict[str, str | None], forms: FormRegistry | None = None) -> Overview:
    """Counts for the status bar and the total of the filtered list (a full scan on a large
    database, hence off the window's thread)."""
    with Store(path, forms) as store:
        counts = store.counts()
        state.check()
        if any(filters.values()):
            total = store.count(**filters)
        else:
            total = sum(counts[s] for s in ("draft", "complete", "sent", "returned"))
        state.check()
        return Overview(counts, total, store.villages())


@dataclass(slots=True)
class CheckReport:
    checked: int = 0
    with_errors: list[tuple[str, str, int]] = field(default_factory=list)  # (uuid, household code, errors)
    with_warnings: int = 0


def check_all(state: TaskState, path: Path, forms: FormRegistry | None = None) -> CheckReport:
    """Check every household against its questionnaire version's rules."""
    report = CheckReport()
    with Store(path, forms) as store:
        total = store.count()
        state.progress(0, total, t("task_check_progress", done=0, total=total))
        for h in exchange.iter_households(store):
            ev = store.evaluate(h.record or {"uuid": h.uuid}, store.definition_of(h))
            report.checked += 1
            if ev.errors:
                report.with_errors.append((h.uuid, h.household_code or "", len(ev.errors)))
            elif ev.warnings:
                report.with_warnings += 1
            if report.checked % 50 == 0 or report.checked == total:
                state.progress(report.checked, total, t("task_check_progress", done=report.checked, total=total))
    return report


def print_household(state: TaskState, path: Path, uuid: str, target: Path, forms: FormRegistry | None = None) -> int:
    """The pre-filled form of one household, to check with it and sign; returns the pages."""
    from forms.printing import batch

    with Store(path, forms) as store:
        return batch.print_households(state, store, [uuid], target).pages


def print_blank(state: TaskState, path: Path, target: Path, forms: FormRegistry | None = None) -> int:
    """A blank form of the questionnaire this program uses now; returns the pages."""
    from forms.printing import batch

    with Store(path, forms) as store:
        return batch.print_blank(state, store.forms.current(), target).pages


def print_report(state: TaskState, path: Path, target: Path, officer: str, forms: FormRegistry | None = None, *,
                 drafts: bool = False) -> int:
    """The commune summary report of the complete households on this laptop (drafts too when
    asked); returns 1 (page count is not tracked for reports)."""
    from forms.printing import report

    with Store(path, forms) as store:
        report.write_report(state, store, target, officer=officer or None, drafts=drafts)
    return 1


# -- sync with the provincial server ---------------------------------------------------------
SHOWN_REFUSED = 200  # households listed in the sync panel; the rest are counted
_REFUSED_STATUSES = ("draft", "returned")


@dataclass(slots=True)
class Finding:
    field: str
    severity: str
    text: Message


@dataclass(slots=True)
class Refused:
    """A household the server did not take (or returned), with the server's reasons."""

    uuid: str
    household_code: str
    head_name: str
    village: str
    status: str
    outcome: str  # rejected, conflict, or what the server said when returning it
    message: Message | None
    findings: list[Finding]


@dataclass(slots=True)
class SyncOverview:
    """What the sync panel and the status bar show; read in a worker (counts scan the table)."""

    enrolled: bool
    server_url: str | None
    officer: str
    communes: list[str]  # with their names
    waiting: int
    last_success_at: str | None
    last_error: Message | None
    refused: list[Refused]
    refused_total: int
    refused_read: bool = True  # False: the two above were not read this time


def _message(value: Any) -> Message | None:
    if isinstance(value, dict) and ("vi" in value or "en" in value):
        vi, en = str(value.get("vi") or value.get("en")), str(value.get("en") or value.get("vi"))
        return Message(vi, en)
    return None


def refused_from(h: Household) -> Refused | None:
    """The server's reasons kept with a household (server_note), or None if it has none."""
    if not h.server_note:
        return None
    try:
        note = json.loads(h.server_note)
    except ValueError:
        note = {}
    if not isinstance(note, dict):
        note = {}
    findings = []
    for f in note.get("findings") or []:
        if isinstance(f, dict):
            text = _message(f) or _message(f.get("message"))
            if text is not None:
                findings.append(Finding(str(f.get("field") or ""), str(f.get("severity") or "error"), text))
    return Refused(h.uuid, h.household_code or "", h.head_name or "", h.village or "", h.status,
                   str(note.get("outcome") or h.status), _message(note.get("message")), findings)


def sync_overview(state: TaskState, path: Path, forms: FormRegistry | None = None,
                  with_refused: bool = True) -> SyncOverview:
    """The sync state of the profile and (unless `with_refused` is false: a pass over the
    households table) the households the server refused or returned."""
    with Store(path, forms) as store:
        st = client.status(store)
        state.check()
        try:
            communes = commune_names([str(c) for c in json.loads(store.get_setting("sync.communes") or "[]")])
        except ValueError:
            communes = []
        refused: list[Refused] = []
        total = 0
        if with_refused:
            households, total = store.with_server_note(_REFUSED_STATUSES, SHOWN_REFUSED)
            refused = [r for r in map(refused_from, households) if r is not None]
            state.check()
        return SyncOverview(bool(st.server_url and store.get_setting("sync.token")), st.server_url,
                            store.get_setting("sync.officer") or "",
                            communes, st.waiting, st.last_success_at, st.last_error, refused, total, with_refused)


@dataclass(slots=True)
class Probe:
    """What auto-sync needs to decide: is there a server, is it reachable, is anything waiting."""

    enrolled: bool
    reachable: bool | None  # None when not enrolled: nothing was asked
    waiting: int
    last_success_at: str | None


def probe(state: TaskState, path: Path, timeout: float = 3.0, forms: FormRegistry | None = None) -> Probe:
    with Store(path, forms) as store:
        st = client.status(store)
        enrolled = bool(st.server_url and store.get_setting("sync.token"))
        ca_file = store.get_setting("sync.ca_file") or None
    state.check()
    # The store is closed before asking the network: the question can take `timeout` seconds.
    reachable = reachability.server_reachable(st.server_url or "", ca_file, timeout) if enrolled else None
    return Probe(enrolled, reachable, st.waiting, st.last_success_at)


def commune_names(codes: list[str]) -> list[str]:
    """'14797 Phường Hạc Thành' for each commune code the server gave."""
    try:
        communes = codelists.load("communes_2025")
    except (OSError, ValueError, KeyError):
        return list(codes)
    return [f"{code} {communes.label(code)}".strip() for code in codes]


@dataclass(slots=True)
class Enrolled:
    officer: str
    communes: list[str]  # with their names


def enroll(state: TaskState, path: Path, server_url: str, code: str, device_name: str, ca_file: str | None,
           forms: FormRegistry | None = None) -> Enrolled:
    with Store(path, forms) as store, _ca_file_errors():
        answer = client.enroll(store, server_url, code, device_name, ca_file=ca_file)
    return Enrolled(str(answer.get("officer", "")), commune_names([str(c) for c in answer.get("communes", [])]))


class _SyncProgress:
    """The sync client's progress, seen by the window through the task's state."""

    def __init__(self, state: TaskState):
        self.state = state

    def report(self, done: int, total: int) -> None:
        try:
            self.state.progress(done, total)
        except Cancelled:
            pass  # the client stops before its next batch; the one just answered is recorded

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled


def _sleep_unless_cancelled(state: TaskState) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        """The client's wait between retries: a cancel ends it at once. The batch on its way
        stays in the store as it is, to be sent unchanged next time."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state.check()
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        state.check()
    return sleep


def sync_now(state: TaskState, path: Path, actor: str, forms: FormRegistry | None = None, attempts: int = 5,
             max_delay: float = 15.0) -> client.SyncResult:
    """Send what is waiting (and, once the client does it, receive what the province sends).

    Fewer attempts than the command line: an officer at the window waits for the answer, and
    auto-sync tries again when the server is reachable."""
    with Store(path, forms) as store:
        total = client.status(store).waiting
        state.progress(0, total)  # the panel's bar shows the total before the first answer
        sync = client.SyncClient(store, actor=actor, max_attempts=attempts, max_delay=max_delay,
                                 sleep=_sleep_unless_cancelled(state))
        with _ca_file_errors():
            return sync.sync(_SyncProgress(state))


@contextmanager
def _ca_file_errors() -> Iterator[None]:
    """A CA file deleted or unreadable since enrolling: requests raises OSError, outside its
    own exceptions that the client turns into plain messages."""
    try:
        yield
    except OSError as exc:
        raise client.SyncError("network", message("sync_tls", reason=str(exc)[:200])) from None
