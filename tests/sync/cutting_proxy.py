"""A TCP proxy on 127.0.0.1 that cuts connections at random points, for fault tests.

Each connection is passed through, or cut (with a reset) after a random number of bytes of
the request, or after a random number of bytes of the response: the server never saw the
request, or it answered and the client never heard it.

With `cut_after` (bytes) it is a weak link instead: every connection is cut once either
direction has carried more than that many bytes, and nothing smaller is ever cut. With
`cut_after_range` each connection draws its own limit from that range (a link whose
reach varies from one connection to the next)."""

from __future__ import annotations

import random
import socket
import struct
import threading


class CuttingProxy:
    def __init__(self, target_port: int, cut_probability: float = 0.0, seed: int = 1, *,
                 cut_after: int | None = None, cut_after_range: tuple[int, int] | None = None):
        self.target_port, self.p = target_port, cut_probability
        self.cut_after, self.cut_after_range = cut_after, cut_after_range
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.cuts = {"request": 0, "response": 0}
        self.connections = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def total_cuts(self) -> int:
        return self.cuts["request"] + self.cuts["response"]

    def close(self) -> None:
        self.closed = True
        self.listener.close()

    def _plan(self) -> tuple[str, int]:
        with self.lock:
            self.connections += 1
            if self.cut_after is not None:
                return "both", self.cut_after
            if self.cut_after_range is not None:
                return "both", self.rnd.randint(*self.cut_after_range)
            roll = self.rnd.random()
            if roll >= self.p:
                return "pass", 0
            side = "request" if self.rnd.random() < 0.5 else "response"
            return side, self.rnd.randint(0, 3000 if side == "request" else 600)

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            side, offset = self._plan()
            state = {"done": False}
            for src, dst, direction in ((client, upstream, "request"), (upstream, client, "response")):
                cutting = side in (direction, "both")
                threading.Thread(target=self._pump, args=(src, dst, cutting, offset, state, direction),
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, cutting: bool, offset: int,
              state: dict[str, bool], side: str) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if cutting and sent + len(data) > offset:
                    dst.sendall(data[: max(0, offset - sent)])
                    with self.lock:
                        if not state["done"]:
                            self.cuts[side] += 1
                            state["done"] = True
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        _reset(src)
        _reset(dst)


def _reset(sock: socket.socket) -> None:
    # shutdown() first: a plain close() while the other pump thread is blocked in recv() on the
    # same socket releases nothing, and the peer would wait for its timeout instead of a cut.
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
