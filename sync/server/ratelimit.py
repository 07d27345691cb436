"""Attempts allowed per client address and time window, for enrollment codes and logins.

Kept in memory: one server process serves a province. A restart forgets the counts, which
is fine: a code's 50 random bits are not guessed in a few windows anyway; the limit stops a
script from trying thousands a second."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, attempts: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.attempts, self.window, self.clock = attempts, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """Count an attempt; 0 if allowed, else the seconds to wait."""
        t = self.clock()
        with self._lock:
            q = self._seen.setdefault(key, deque())
            while q and q[0] <= t - self.window:
                q.popleft()
            if len(q) >= self.attempts:
                return max(1.0, q[0] + self.window - t)
            q.append(t)
            if len(self._seen) > 10_000:  # forget quiet addresses rather than grow without bound
                for k in [k for k, v in self._seen.items() if not v or v[-1] <= t - self.window][:5_000]:
                    del self._seen[k]
            return 0.0
