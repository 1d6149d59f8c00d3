"""Per-provider health: a circuit breaker after repeated failures, and a pause on bad
credentials, so one broken provider costs nothing and stalls no other."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

OPEN_AFTER = 5
"""Consecutive failed calls that open the circuit."""
OPEN_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class ProviderHealth:
    failures: int = 0
    open_until: datetime | None = None
    paused_reason: str = ""
    """Set on 401/403: the provider stays paused until the owner fixes the account."""

    def available(self, now: datetime) -> bool:
        return not self.paused_reason and (self.open_until is None or now >= self.open_until)


def after_success(health: ProviderHealth) -> ProviderHealth:
    return replace(health, failures=0, open_until=None)


def after_failure(
    health: ProviderHealth, *, now: datetime, retry_after: float | None = None
) -> ProviderHealth:
    """Count the failure; open the circuit after ``OPEN_AFTER`` in a row, or at once for
    the time a rate-limited provider asked us to wait."""
    failures = health.failures + 1
    open_until = health.open_until
    if failures >= OPEN_AFTER:
        open_until = now + OPEN_FOR
    if retry_after:
        open_until = max(open_until or now, now + timedelta(seconds=retry_after))
    return replace(health, failures=failures, open_until=open_until)


def paused(health: ProviderHealth, reason: str) -> ProviderHealth:
    return replace(health, paused_reason=reason)
