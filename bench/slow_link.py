"""A TCP proxy on 127.0.0.1 that behaves like a slow, distant link, for benchmarks.

    .venv/bin/python bench/slow_link.py TARGET_PORT [--rate 8000] [--delay 0.150]

Each direction is a FIFO link shared by every connection: a chunk read from one side is
serialised at `rate` bytes/s behind whatever is already queued in that direction, then
delivered `delay` seconds later. Many chunks are in flight at once, so latency costs one
trip per exchange, not per chunk, and bandwidth is not wasted waiting for it, as on a real
line. A new connection also pays a round trip for the TCP handshake before its first byte
leaves. Counted: bytes of TCP payload (HTTP request and status lines, headers, bodies) in
each direction; TCP/IP headers and ACKs are not modelled.

Why a proxy rather than `tc`: this kernel has no netem (see /work/shared/machine-notes.md),
and a proxy runs anywhere without root. What it leaves out, TCP congestion control, matters
little here: at 64 kbit/s and 300 ms the bandwidth-delay product is 2,400 bytes, below the
initial congestion window (10 segments, about 14 KB), so a real TCP fills the line from its
first round trip. Loss is not emulated.
"""

from __future__ import annotations

import argparse
import queue
import socket
import threading
import time
from dataclasses import dataclass, field

SEGMENT = 1448  # read at most a TCP segment at a time, so pacing is as fine as on the wire


@dataclass
class Direction:
    """One way of the link: a serialiser at `rate` bytes/s followed by `delay` s of propagation."""

    rate: float
    delay: float
    bytes: int = 0
    _free_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def schedule(self, n: int, not_before: float = 0.0) -> float:
        """Queue n bytes on the line; the monotonic time their last byte reaches the far end."""
        with self._lock:
            start = max(time.monotonic(), self._free_at, not_before)
            self._free_at = start + n / self.rate
            self.bytes += n
            return self._free_at + self.delay


class SlowLink:
    """Listens on 127.0.0.1 (an OS-chosen port) and forwards to 127.0.0.1:target_port."""

    def __init__(self, target_port: int, *, rate: float = 8000.0, delay: float = 0.150):
        self.target_port = target_port
        self.up = Direction(rate, delay)  # client -> server
        self.down = Direction(rate, delay)  # server -> client
        self.connections = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, name="slow-link-accept", daemon=True).start()

    def __enter__(self) -> SlowLink:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def reset_counts(self) -> None:
        self.up.bytes = self.down.bytes = self.connections = 0

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            live, self._sockets = list(self._sockets), set()
        for s in live:
            _close(s)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            accepted = time.monotonic()
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # pacing is ours, not Nagle's
            with self._lock:
                self.connections += 1
                self._sockets |= {client, server}
            # On a real line connect() returns one round trip after the SYN: only then can data leave.
            handshake_done = accepted + 2 * self.up.delay
            for src, dst, way, not_before in ((client, server, self.up, handshake_done), (server, client, self.down, 0.0)):
                threading.Thread(target=self._carry, args=(src, dst, way, not_before), daemon=True).start()

    def _carry(self, src: socket.socket, dst: socket.socket, way: Direction, not_before: float) -> None:
        """Read from src as it comes, and hand each chunk to a writer that releases it on time."""
        line: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        writer = threading.Thread(target=self._deliver, args=(line, dst, src), daemon=True)
        writer.start()
        try:
            while data := src.recv(SEGMENT):
                line.put((way.schedule(len(data), not_before), data))
        except OSError:
            pass
        line.put((time.monotonic() + way.delay, b""))  # the FIN travels too

    def _deliver(self, line: queue.SimpleQueue[tuple[float, bytes]], dst: socket.socket, src: socket.socket) -> None:
        try:
            while True:
                due, data = line.get()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
        except OSError:
            _close(src)
            _close(dst)


def _close(s: socket.socket) -> None:
    try:
        s.close()
    except OSError:
        pass


def main() -> None:
    p = argparse.ArgumentParser(description="Forward 127.0.0.1:PORT through an emulated slow link.")
    p.add_argument("target_port", type=int)
    p.add_argument("--rate", type=float, default=8000.0, help="bytes per second, each direction (8000 = 64 kbit/s)")
    p.add_argument("--delay", type=float, default=0.150, help="one-way delay in seconds")
    args = p.parse_args()
    link = SlowLink(args.target_port, rate=args.rate, delay=args.delay)
    print(f"slow link on 127.0.0.1:{link.port} -> 127.0.0.1:{args.target_port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        link.close()
        print(f"{link.connections} connections, {link.up.bytes} bytes up, {link.down.bytes} bytes down")


if __name__ == "__main__":
    main()
