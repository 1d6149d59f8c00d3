"""A tiny in-memory limiter against guessing: order lookups and admin sign-in. One process
serves the shop, so memory is the right place; the time is passed in, which keeps it pure
and lets tests move the clock instead of sleeping."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class RateLimiter:
    """At most ``limit`` attempts per key within a sliding ``window``."""

    def __init__(self, *, limit: int, window: timedelta, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._attempts: dict[str, deque[datetime]] = {}

    def __len__(self) -> int:
        """How many clients are remembered."""
        return len(self._attempts)

    def allow(self, key: str, *, now: datetime) -> bool:
        """Record an attempt for ``key``; False when it is one too many."""
        attempts = self._attempts.get(key)
        if attempts is None:
            if len(self._attempts) >= self.max_keys:
                self._forget_idle(now)
            attempts = self._attempts[key] = deque()
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            return False
        attempts.append(now)
        return True

    def wait(self, key: str, *, now: datetime) -> timedelta:
        """How long until ``key`` may try again: zero while it has attempts left, else the
        time until its oldest attempt in the window ages out. Records nothing."""
        attempts = self._attempts.get(key, ())
        recent = [at for at in attempts if now - at < self.window]
        if len(recent) < self.limit:
            return timedelta(0)
        return recent[-self.limit] + self.window - now

    def _forget_idle(self, now: datetime) -> None:
        """Bound memory: drop keys whose attempts have all aged out, else the oldest half."""
        idle = [k for k, a in self._attempts.items() if not a or now - a[-1] >= self.window]
        for key in idle:
            del self._attempts[key]
        if len(self._attempts) >= self.max_keys:
            by_age = sorted(self._attempts, key=lambda k: self._attempts[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._attempts[key]


class TokenBucket:
    """``rate`` calls per second on average, bursts up to ``capacity``. Pure: time is given."""

    def __init__(self, *, rate: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(rate, 1.0)
        self._tokens = self.capacity
        self._at: datetime | None = None

    def reserve(self, now: datetime) -> float:
        """Take the next call's token; returns how many seconds to wait before making it.
        Reserving ahead (tokens may go negative) lets callers sleep once, in order."""
        if self._at is not None:
            elapsed = (now - self._at).total_seconds()
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
