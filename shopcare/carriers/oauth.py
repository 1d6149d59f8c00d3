"""OAuth client-credentials tokens, cached and refreshed before they expire.

USPS, UPS and FedEx count token calls against the quota, so one token serves every call
until five minutes before its ``expires_in``; a 401 on a call drops it for one fresh try.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

REFRESH_EARLY = timedelta(minutes=5)

Fetch = Callable[[], Awaitable[tuple[str, float]]]
"""Returns (access token, lifetime in seconds)."""


class TokenCache:
    def __init__(self, fetch: Fetch, *, clock: Callable[[], datetime]) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def token(self) -> str:
        async with self._lock:
            if (
                self._token
                and self._expires_at
                and self._clock() < self._expires_at - REFRESH_EARLY
            ):
                return self._token
            token, lifetime = await self._fetch()
            self.fetches += 1
            self._token = token
            self._expires_at = self._clock() + timedelta(seconds=lifetime)
            return token

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = None
