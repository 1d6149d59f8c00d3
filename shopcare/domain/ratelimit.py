"""Limits against guessing (order lookups, admin sign-in, link requests) and the carriers'
call budget. Pure: the time is passed in, which lets tests move the clock instead of
sleeping.

A ``Limit`` allows ``attempts`` per key within a fixed ``window`` that opens at the key's
first attempt and ends ``window`` later; the attempt after the last allowed one is refused
until the window ends, and a refused attempt does not move the end (a locked-out guesser
cannot keep the lock on an account's owner by trying on). A fixed window, not a sliding log:
it is one counter per key, which the store can update in one atomic statement, so several
processes share one budget (``services.limits``). The price: a burst of up to twice the
limit where one window ends and the next begins; the long-run rate is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    name: str
    """Which limit, stored beside each key's counter (at most 32 characters)."""
    attempts: int
    window: timedelta


@dataclass(frozen=True)
class Window:
    """One key's counter as stored: ``hits`` counts up to one past the limit and stays there
    (that last one says "refused"), until ``ends_at``."""

    hits: int
    ends_at: datetime


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta
    """Zero while the key has attempts left, else the time until its window ends."""


def next_window(limit: Limit, window: Window | None, *, now: datetime) -> Window:
    """The counter after one more attempt; the store's atomic update computes the same
    (``services.limits.attempts``), this is its reference and what its tests check."""
    if window is None or has_ended(window, now=now):
        return Window(hits=1, ends_at=now + limit.window)
    return Window(hits=min(window.hits + 1, limit.attempts + 1), ends_at=window.ends_at)


def has_ended(window: Window, *, now: datetime) -> bool:
    return window.ends_at <= now


def verdict(limit: Limit, window: Window | None, *, now: datetime) -> Verdict:
    """What the counter says after an attempt was counted into it. Read without one, its
    ``retry_after`` still says how long the next attempt would have to wait."""
    if window is None or has_ended(window, now=now):
        return Verdict(allowed=True, retry_after=timedelta(0))
    wait = window.ends_at - now if window.hits >= limit.attempts else timedelta(0)
    return Verdict(allowed=window.hits <= limit.attempts, retry_after=wait)


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
