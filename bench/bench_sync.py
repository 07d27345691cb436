"""Benchmarks of sync. Prints measured figures; asserts nothing.

    .venv/bin/python bench/bench_sync.py [--households 1000] [--quick]

- on a link of 64 kbit/s each way and 300 ms round trip (bench/slow_link.py), the time to
  sync typical households, against the link limit (bytes sent upstream / bandwidth;
  target <= 1.2x) and against one household per request (target >= 10x slower)
- bytes on the wire upstream per household against its raw JSON (target <= 25 %)
- a weak link: the same 64 kbit/s link that also cuts every connection past 60 KB (both
  ways, tests/sync/cutting_proxy.py in front of it): time to sync 1,500 households, syncs
  and cuts needed, households lost or doubled at the server
- server ingest of 500-household batches over loopback, SQLite and PostgreSQL (target
  >= 2,000 households/s), and a profile of apply_batch for the lead engineer

PostgreSQL: $LABOUR_SURVEY_TEST_PG (a superuser URL) if set, else a throwaway cluster started
here from /usr/lib/postgresql/*/bin (default settings, fsync on); skipped if neither.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import json
import os
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from slow_link import SlowLink  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from forms.store import Store, outbox  # noqa: E402
from sync import client  # noqa: E402
from sync.protocol import API  # noqa: E402
from sync.server import accounts  # noqa: E402
from sync.server.db import connect  # noqa: E402
from sync.server.form_versions import ServerForms  # noqa: E402
from sync.server.ingest import apply_batch  # noqa: E402
from tests import factories as fx  # noqa: E402
from tests.sync.conftest import Server  # noqa: E402
from tests.sync.cutting_proxy import CuttingProxy  # noqa: E402

RATE = 8000.0  # bytes/s each way: 64 kbit/s
ONE_WAY = 0.150  # s: a 300 ms round trip
COMMUNES = "14797,14758"  # those of tests/factories.py households


def row(name: str, value: float, unit: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("PASS" if ok else "MISS")
    print(f"{name:<60} {value:>10.2f} {unit:<13} target {target:<9} {verdict}", flush=True)


def note(line: str) -> None:
    print(f"  {line}", flush=True)


@dataclass(slots=True)
class Exchange:
    method: str
    path: str
    sent: int  # request body bytes
    received: int  # response body bytes
    received_gzip: int  # the same body gzip-compressed (level 6): what it would cost compressed
    seconds: float
    connections: int  # TCP connections the link had carried by the end of this exchange


class RecordingSession(requests.Session):
    """A requests session that logs every exchange, to see where the time of a sync goes."""

    def __init__(self, link: SlowLink) -> None:
        super().__init__()
        self.link = link
        self.log: list[Exchange] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        r = super().request(method, url, *args, **kwargs)
        body = kwargs.get("data")
        self.log.append(Exchange(str(method), urlsplit(str(url)).path, len(body) if isinstance(body, bytes) else 0,
                                 len(r.content), len(gzip.compress(r.content, 6)), time.monotonic() - started,
                                 self.link.connections))
        return r


# -- setting up --------------------------------------------------------------------------------

def fill_store(path: Path, n: int, seed: int) -> Store:
    """A laptop's store with n complete households, made in one transaction as the tests do."""
    store = Store(path)
    with store.transaction():
        for rec in fx.generated(n, seed=seed):
            store.save_within(rec, actor="bench", action="import", status="complete")
    return store


def start_server(stack: contextlib.ExitStack, db_url: str, workdir: Path, workers: int = 1) -> Server:
    server = Server(db_url, workdir, serve_args=["--workers", str(workers)] if workers > 1 else [])
    stack.callback(server.stop)
    server.start()
    return server


def enrolled(store: Store, server: Server, name: str) -> Store:
    client.enroll(store, server.url, server.add_officer(name, COMMUNES), f"laptop-{name}")
    return store


def token_for(server: Server, name: str) -> str:
    r = requests.post(f"{server.url}{API}/enroll", json={"code": server.add_officer(name, COMMUNES),
                                                         "device_name": f"bench-{name}"}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_admin() -> Iterator[tuple[str, str] | None]:
    """(superuser URL, where it comes from), or None when no PostgreSQL can be had."""
    given = os.environ.get("LABOUR_SURVEY_TEST_PG")
    if given:
        yield given, "$LABOUR_SURVEY_TEST_PG"
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not bins:
        yield None
        return
    bindir, folder = bins[-1], Path(tempfile.mkdtemp(prefix="bench-sync-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: as root, run it as the packaged postgres user
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(folder / "data")]
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8"], check=True, capture_output=True, timeout=120)
        subprocess.run([*ctl, "-l", str(folder / "server.log"), "-w", "-o",
                        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True, timeout=120)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", f"a throwaway cluster ({bindir.parent.name})"
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the cluster, dropped afterwards."""
    name = f"bench_sync_{os.getpid()}_{int(time.time())}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- 1 and 2: the slow link ------------------------------------------------------------------------

@dataclass(slots=True)
class LinkRun:
    households: int
    seconds: float
    up: int  # bytes on the wire, client to server
    down: int
    connections: int
    log: list[Exchange]
    accepted: int


def sync_through(link: SlowLink, store: Store, *, max_batch: int = client.MAX_BATCH) -> LinkRun:
    store.set_setting("sync.server_url", f"http://127.0.0.1:{link.port}")
    link.reset_counts()
    session = RecordingSession(link)
    started = time.monotonic()
    result = client.SyncClient(store, session=session, max_batch=max_batch).sync()
    seconds = time.monotonic() - started
    session.close()
    time.sleep(3 * ONE_WAY)  # let the FINs cross, so nothing in flight is left out of the counts
    return LinkRun(result.accepted + result.rejected + result.conflicts, seconds, link.up.bytes, link.down.bytes,
                   link.connections, session.log, result.accepted)


def bench_slow_link(stack: contextlib.ExitStack, tmp: Path, n: int, sample: int) -> None:
    print(f"\n1-2. Sync over an emulated link: {RATE * 8 / 1000:.0f} kbit/s each way, {2 * ONE_WAY * 1000:.0f} ms round trip "
          "(bench/slow_link.py proxy; server on SQLite)")
    server = start_server(stack, f"sqlite:///{tmp / 'link-server' / 'province.sqlite'}", tmp)
    warm = enrolled(fill_store(tmp / "warm.sqlite", 5, seed=900), server, "warm")
    client.SyncClient(warm).sync()  # the server's first request loads the questionnaire: not part of the figures
    warm.close()

    t = time.perf_counter()
    ours_store = enrolled(fill_store(tmp / "ours.sqlite", n, seed=1), server, "lan")
    one_store = enrolled(fill_store(tmp / "one.sqlite", sample, seed=2), server, "hoa")
    note(f"(prepared {n} + {sample} households in {time.perf_counter() - t:.1f} s, not timed)")
    raw = [len(json.dumps(ours_store.get(h.uuid).record, ensure_ascii=False).encode("utf-8"))
           for h in ours_store.list(limit=n)]

    link = SlowLink(server.port, rate=RATE, delay=ONE_WAY)
    stack.callback(link.close)
    ours = sync_through(link, ours_store)
    batches = [(len(json.loads(r[0])), r[1]) for r in ours_store.conn.execute(
        "SELECT records, length(payload) FROM sync_batches WHERE state = 'done' ORDER BY created_at, rowid")]
    ours_store.close()

    one_store.set_setting("sync.batch_size", "1")
    one = sync_through(link, one_store, max_batch=1)
    one_store.close()
    link.close()

    limit_s = ours.up / RATE
    print(f"sync {ours.households} households ({ours.accepted} accepted), adaptive batches: {ours.seconds:.1f} s; "
          f"{ours.up:,} bytes up, {ours.down:,} bytes down, {len(ours.log)} requests, {ours.connections} connection(s)")
    print("  request                households  body up  body down (if gzipped)  seconds")
    posts, connections = iter(batches), 0
    for ex in ours.log:
        households, _ = next(posts, (0, 0)) if ex.method == "POST" else (0, 0)
        fresh = "  on a new TCP connection" if ex.connections > connections else ""
        connections = ex.connections
        print(f"  {ex.method:<4} {ex.path:<17} {households or '':>10} {ex.sent:>8,} {ex.received:>10,} "
              f"({ex.received_gzip:>7,})    {ex.seconds:>8.2f}{fresh}")
    rtts = (len(ours.log) + ours.connections) * 2 * ONE_WAY  # a round trip per request, one per TCP handshake
    in_requests = sum(ex.seconds for ex in ours.log)
    note(f"where the {ours.seconds:.1f} s went: upstream bytes at line rate {ours.up / RATE:.1f} s, downstream bytes "
         f"{ours.down / RATE:.1f} s, round trips {rtts:.1f} s, server and proxy "
         f"{in_requests - ours.up / RATE - ours.down / RATE - rtts:.1f} s, laptop between requests "
         f"{ours.seconds - in_requests:.1f} s")
    row(f"sync {n} households, adaptive batches", ours.seconds, "s", "", None)
    row("link limit: bytes sent upstream / 8,000 bytes/s", limit_s, "s", "", None)
    note(f"(downstream {ours.down:,} bytes / 8,000 bytes/s = {ours.down / RATE:.1f} s more if it cannot overlap; "
         f"receipts gzipped would be {sum(ex.received_gzip for ex in ours.log):,} bytes of body)")
    ratio = ours.seconds / limit_s
    row("ours / link limit", ratio, "x", "<= 1.2", ratio <= 1.2)

    per_request = [ex.seconds for ex in one.log if ex.method == "POST"]
    pull = sum(ex.seconds for ex in one.log if ex.method != "POST")
    laptop = one.seconds - sum(ex.seconds for ex in one.log)
    if sample >= n:
        one_total, how = one.seconds, "timed in full"
    else:  # every household costs the same exchange: scale the per-household part, keep the final pull once
        one_total, how = (one.seconds - pull) / sample * n + pull, f"timed on {sample}, extrapolated to {n}"
    print(f"one household per request: {sample} households in {one.seconds:.1f} s ({how}); median "
          f"{statistics.median(per_request):.3f} s per request, laptop work {laptop / sample * 1000:.0f} ms per household; "
          f"{one.up / sample:,.0f} bytes up and {one.down / sample:,.0f} down per household")
    row(f"sync {n} households, one per request ({'extrapolated' if sample < n else 'measured'})", one_total, "s", "", None)
    ratio = one_total / ours.seconds
    row("one per request / ours", ratio, "x", ">= 10", ratio >= 10)

    print("\n2. Bytes on the wire per household (upstream, request lines + headers + bodies, as the proxy counted)")
    bodies = sum(ex.sent for ex in ours.log)
    raw_mean = statistics.mean(raw)
    note(f"raw JSON (json.dumps of the stored record, UTF-8, ensure_ascii=False): mean {raw_mean:,.0f} bytes, "
         f"median {statistics.median(raw):,.0f}")
    note(f"gzip bodies {bodies / n:,.0f} bytes/household, HTTP request lines and headers {(ours.up - bodies) / n:,.1f}; "
         f"batches of {', '.join(str(h) for h, _ in batches)}")
    note("(tests/factories.py builds households from a few templates, so they compress better than real answers would)")
    share = ours.up / n / raw_mean * 100
    row("bytes up per household / raw JSON", share, "%", "<= 25 %", share <= 25)
    row("bytes up per household", ours.up / n, "bytes", "", None)
    row("bytes down per household (receipts, uncompressed)", ours.down / n, "bytes", "", None)


# -- 4: a weak link ---------------------------------------------------------------------------------

def bench_weak_link(stack: contextlib.ExitStack, tmp: Path, n: int, cut_after: int = 60_000) -> None:
    print(f"\n4. A weak link: {RATE * 8 / 1000:.0f} kbit/s, {2 * ONE_WAY * 1000:.0f} ms round trip, every connection "
          f"cut past {cut_after // 1000} KB either way; {n:,} households, a fresh laptop")
    server = start_server(stack, f"sqlite:///{tmp / 'weak-server' / 'province.sqlite'}", tmp)
    store = enrolled(fill_store(tmp / "weak.sqlite", n, seed=3), server, "lan")
    link = SlowLink(server.port, rate=RATE, delay=ONE_WAY)
    stack.callback(link.close)
    proxy = CuttingProxy(link.port, cut_after=cut_after)
    stack.callback(proxy.close)
    store.set_setting("sync.server_url", f"http://127.0.0.1:{proxy.port}")
    started, runs = time.monotonic(), 0
    while outbox.waiting(store) and runs < 20:  # the officer runs sync again, as the message says
        runs += 1
        try:
            client.SyncClient(store).sync()
        except client.SyncError as exc:
            note(f"sync {runs}: {exc.msg.en}")
    seconds = time.monotonic() - started
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        rows, distinct = conn.execute(text("SELECT count(*), count(DISTINCT uuid) FROM households")).one()
    engine.dispose()
    print(f"{n:,} households in {seconds:.1f} s over {runs} sync(s), {proxy.connections} connections, "
          f"{proxy.total_cuts} cut; the link's limit for the bytes sent: {link.up.bytes / RATE:.1f} s")
    row(f"sync {n} households over a link that cuts past {cut_after // 1000} KB", seconds, "s", "", None)
    row("households lost at the server", n - distinct, "", "0", n == distinct)
    row("households doubled at the server", rows - distinct, "", "0", rows == distinct)
    store.close()


# -- 3: server ingest --------------------------------------------------------------------------------

def build_batches(tmp: Path, n: int) -> tuple[bytes, list[bytes]]:
    """Gzip batches exactly as laptops send them: a warm-up batch of 25, then batches of 500."""
    store = fill_store(tmp / "ingest.sqlite", 25 + n, seed=3)
    warm = outbox.next_batch(store, 25)
    assert warm is not None
    payloads = []
    while (b := outbox.next_batch(store, 500, beside_pending=True)) is not None:
        payloads.append(b.payload)
    store.close()
    return warm.payload, payloads


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux): unlike wall-clock time, other
    work on a shared machine hardly changes it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def post_batches(server: Server, warm: bytes, payloads: list[bytes]) -> tuple[float, int, list[float], float]:
    """Seconds spent posting (only the HTTP exchanges), households accepted, seconds per batch,
    and the CPU seconds the server process used meanwhile."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token_for(server, 'ingest')}", "Content-Encoding": "gzip",
                            "Content-Type": "application/json"})
    url = f"{server.url}{API}/batches"
    session.post(url, data=warm, timeout=120).raise_for_status()  # first request loads the questionnaire
    accepted, times = 0, []
    assert server.proc is not None
    cpu = cpu_seconds(server.proc.pid)
    for payload in payloads:
        started = time.perf_counter()
        r = session.post(url, data=payload, timeout=300)
        times.append(time.perf_counter() - started)
        r.raise_for_status()
        accepted += sum(e["outcome"] == "accepted" for e in r.json()["records"])
    cpu = cpu_seconds(server.proc.pid) - cpu
    session.close()
    return sum(times), accepted, times, cpu


def post_concurrently(server: Server, warm: bytes, payloads: list[bytes], laptops: int) -> tuple[float, int]:
    """Wall-clock seconds and households accepted when `laptops` laptops post their share of
    the batches at the same time, as at a district office on a market day."""
    import threading

    sessions = []
    for i in range(laptops):
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token_for(server, f'ingest{i}')}", "Content-Encoding": "gzip",
                                "Content-Type": "application/json"})
        sessions.append(session)
    url = f"{server.url}{API}/batches"
    for session in sessions:  # every worker process loads the questionnaire first
        session.post(url, data=warm, timeout=120)
    accepted = [0] * laptops

    def send(i: int) -> None:
        for payload in payloads[i::laptops]:
            r = sessions[i].post(url, data=payload, timeout=300)
            r.raise_for_status()
            accepted[i] += sum(e["outcome"] == "accepted" for e in r.json()["records"])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(laptops)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - started
    for session in sessions:
        session.close()
    return seconds, sum(accepted)


def concurrent_row(backend: str, n: int, run: tuple[float, int]) -> None:
    seconds, accepted = run
    rate = accepted / seconds
    note(f"{backend}, serve --workers 2, two laptops posting at once: {accepted}/{n} accepted in {seconds:.2f} s; {load()}")
    row(f"server ingest, {backend}, 2 workers (households/s)", rate, "hh/s", ">= 2000", rate >= 2000)


def ingest_row(backend: str, detail: str, households: int, run: tuple[float, int, list[float], float]) -> None:
    seconds, accepted, times, cpu = run
    rate = accepted / seconds
    note(f"{backend} ({detail}): {len(times)} batches, {accepted}/{households} accepted, {seconds:.2f} s; per batch of 500 "
         f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")
    note(f"server process CPU {cpu:.2f} s: {accepted / cpu:,.0f} households per CPU-second of the server process "
         f"(database work in another process not included); {load()}")
    row(f"server ingest, {backend} (households/s)", rate, "hh/s", ">= 2000", rate >= 2000)


def bench_ingest(stack: contextlib.ExitStack, tmp: Path, n: int) -> list[bytes]:
    print(f"\n3. Server ingest: {n} households in pre-built gzip batches of 500, POSTed one after another over loopback "
          "to a real server process (a warm-up batch first, not counted)")
    t = time.perf_counter()
    warm, payloads = build_batches(tmp, n)
    note(f"(batches built in {time.perf_counter() - t:.1f} s, not timed; {statistics.mean(map(len, payloads)):,.0f} "
         "bytes of gzip per batch)")

    sqlite = start_server(stack, f"sqlite:///{tmp / 'ingest-sqlite' / 'province.sqlite'}", tmp)
    run = post_batches(sqlite, warm, payloads)
    sqlite.stop()
    ingest_row("SQLite", f"WAL, synchronous=FULL, on {fs_type(tmp)}", n, run)
    sqlite2 = start_server(stack, f"sqlite:///{tmp / 'ingest-sqlite-2' / 'province.sqlite'}", tmp, workers=2)
    concurrent_row("SQLite", n, post_concurrently(sqlite2, warm, payloads, 2))
    sqlite2.stop()

    with postgres_admin() as admin:
        if admin is None:
            print("server ingest, PostgreSQL: SKIPPED (no $LABOUR_SURVEY_TEST_PG and no /usr/lib/postgresql/*/bin)")
            return payloads
        admin_url, origin = admin
        with postgres_database(admin_url) as url:
            engine = create_engine(url)
            with engine.connect() as conn:
                settings = ", ".join(f"{k}={conn.execute(text(f'SHOW {k}')).scalar()}"
                                     for k in ("server_version", "fsync", "synchronous_commit"))
            engine.dispose()
            pg = start_server(stack, url, tmp)
            run = post_batches(pg, warm, payloads)
            pg.stop()
        ingest_row("PostgreSQL", f"{settings}; {origin}", n, run)
        with postgres_database(admin_url) as url:
            pg2 = start_server(stack, url, tmp, workers=2)
            concurrent_row("PostgreSQL", n, post_concurrently(pg2, warm, payloads, 2))
            pg2.stop()
    return payloads


def fs_type(path: Path) -> str:
    r = subprocess.run(["df", "--output=fstype", str(path)], capture_output=True, text=True)
    return r.stdout.split()[-1] if r.returncode == 0 and r.stdout.split() else "unknown filesystem"


def bench_profile(tmp: Path, payloads: list[bytes]) -> None:
    print("\nProfile: sync.server.ingest.apply_batch in this process, one batch of 500 against SQLite (no HTTP)")
    engine = connect(f"sqlite:///{tmp / 'profile' / 'province.sqlite'}")
    forms = ServerForms(engine)
    code = accounts.add_officer(engine, "profile", "Cán bộ hồ sơ", COMMUNES.split(","))
    _token, device = accounts.enroll(engine, code, "bench-profile")
    docs = [json.loads(gzip.decompress(p)) for p in payloads[:3]]
    apply_batch(engine, forms, device, docs[0])  # warm: the questionnaire and its compiled rules
    started, cpu = time.perf_counter(), time.process_time()
    apply_batch(engine, forms, device, docs[1])
    plain, cpu = time.perf_counter() - started, time.process_time() - cpu
    note(f"unprofiled: {500 / plain:,.0f} households/s in-process ({plain:.2f} s for 500; {500 / cpu:,.0f} households "
         f"per CPU-second); {load()}")
    if len(docs) < 3:
        note("(only two batches: profiling a replay of one of them would measure the replay path, skipped)")
        engine.dispose()
        return
    profiler = cProfile.Profile()
    profiler.enable()
    apply_batch(engine, forms, device, docs[2])
    profiler.disable()
    engine.dispose()
    stats = pstats.Stats(profiler)
    note(f"profiled: {stats.total_tt:.2f} s for 500 (cProfile slows this code about {stats.total_tt / plain:.1f}x; "
         "compare shares, not seconds)")
    for key, title in (("cumulative", "top 15 by cumulative time"), ("tottime", "top 15 by own time")):
        stats.sort_stats(key)
        print(f"  {title}\n    cumulative s    own s      calls  function")
        for func in stats.fcn_list[:15]:  # type: ignore[attr-defined]
            _cc, calls, own, cumulative, _callers = stats.stats[func]  # type: ignore[attr-defined]
            print(f"    {cumulative:>12.3f} {own:>8.3f} {calls:>10}  {where(func)}")


def where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name  # a built-in
    path = re.sub(r".*/site-packages/", "", path).replace(str(ROOT) + "/", "")
    return f"{path}:{line}({name})"


# -- running -------------------------------------------------------------------------------------------

def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # so SIGTERM unwinds like Ctrl-C: servers stopped, temp dirs removed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000, help="households synced over the slow link")
    parser.add_argument("--one-per-request", type=int, default=None, metavar="N",
                        help="households timed one per request, extrapolated to --households (default 100; 20 with --quick)")
    parser.add_argument("--ingest", type=int, default=None, metavar="N",
                        help="households posted for the ingest rate, a multiple of 500 (default 5000; 1500 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a smaller run (200 households over the link)")
    parser.add_argument("--weak-link", type=int, default=1500, metavar="N", help="households synced over the weak link")
    parser.add_argument("--only-weak-link", action="store_true", help="run the weak link part only")
    args = parser.parse_args()
    n = 200 if args.quick and args.households == 1000 else args.households
    sample = min(n, args.one_per_request or (20 if args.quick else 100))
    ingest = args.ingest or (1500 if args.quick else 5000)
    signal.signal(signal.SIGTERM, _interrupted)
    # Ingest is CPU-bound: on a shared machine the load average says how far to trust its wall-clock figures.
    print(f"bench_sync: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {load()}")
    try:
        with contextlib.ExitStack() as stack:
            tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
            stack.callback(shutil.rmtree, tmp, ignore_errors=True)
            bench_weak_link(stack, tmp, args.weak_link)
            if args.only_weak_link:
                return 0
            bench_slow_link(stack, tmp, n, sample)
            payloads = bench_ingest(stack, tmp, ingest)
            bench_profile(tmp, payloads)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary files removed", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
