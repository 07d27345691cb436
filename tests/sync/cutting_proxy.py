"""A TCP proxy on 127.0.0.1 that cuts connections at random points, for fault tests.

Each connection is passed through, or cut (with a reset) after a random number of bytes of
the request, or after a random number of bytes of the response: the server never saw the
request, or it answered and the client never heard it."""

from __future__ import annotations

import random
import socket
import struct
import threading


class CuttingProxy:
    def __init__(self, target_port: int, cut_probability: float, seed: int = 1):
        self.target_port, self.p = target_port, cut_probability
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
            threading.Thread(target=self._pump, args=(client, upstream, side == "request", offset, state, side),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, side == "response", offset, state, side),
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
