"""How the adapters call a carrier: a number or a batch per call, a few calls at a time,
without hiding an account-wide failure behind per-number errors; and OAuth client-credentials
tokens for UPS, USPS and FedEx.

Where the adapters were written with different rules, a parameter keeps each one's rule and
the docstring says which adapter uses which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

import httpx

from shopcare.carriers._common import Adapter, Outcome, bad_response, require
from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery
from shopcare.carriers.http import json_of, send
from shopcare.carriers.oauth import TokenCache

T = TypeVar("T")
R = TypeVar("R")
Headers = Callable[[], Mapping[str, str]]

ACCOUNT_WIDE = (ErrorKind.AUTH, ErrorKind.RATE_LIMITED)
"""Failures that speak for the whole account, in the order they are raised: the engine must
see them to pause the provider or slow down, even when one number's call met them."""
TRANSPORT = frozenset({ErrorKind.UNAVAILABLE, ErrorKind.NETWORK, ErrorKind.BAD_RESPONSE})
EVERY_KIND = frozenset(ErrorKind)
AT_ONCE = 5
"""Calls an aggregator has in flight at once: enough to finish a batch quickly, few enough
that a burst stays within per-second limits and does not open dozens of sockets at a time."""
DEFAULT_LIFETIME = 3600.0
"""Seconds a token is trusted when the carrier does not say (all three do, as a rule)."""


def unique_queries(queries: Iterable[TrackingQuery]) -> list[TrackingQuery]:
    """One query per number, where it first stood; a repeated number's last query wins."""
    return list({q.tracking_number: q for q in queries}.values())


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


async def settle(
    items: Iterable[T],
    call: Callable[[T], Awaitable[R]],
    *,
    limit: int,
    stop: Container[ErrorKind] = (),
) -> tuple[list[tuple[R | None, CarrierError | None]], CarrierError | None]:
    """``call`` on each item, ``limit`` at a time: per item its value or the error it raised.

    Once a call raised an error whose kind is in ``stop``, calls not yet begun are skipped
    (None, None); the first such error, in the order they happened, is returned as well."""
    gate = asyncio.Semaphore(limit)
    stopped: list[CarrierError] = []

    async def run(item: T) -> tuple[R | None, CarrierError | None]:
        async with gate:
            if stopped:
                return None, None
            try:
                return await call(item), None
            except CarrierError as exc:
                if exc.kind in stop:
                    stopped.append(exc)
                return None, exc

    settled = await asyncio.gather(*(run(item) for item in items))
    return list(settled), stopped[0] if stopped else None


async def per_number(
    queries: Sequence[TrackingQuery],
    call: Callable[[TrackingQuery], Awaitable[Outcome]],
    *,
    limit: int,
    stop_early: bool = False,
    raise_if_all: Container[ErrorKind] = (),
) -> dict[str, Outcome]:
    """One call per distinct number side by side; a call that raised becomes that number's
    error.

    A refused key or a rate limit is raised whichever call met it, so the engine pauses the
    provider: AfterShip and Ship24 let every call finish and raise an AUTH before a RATE_LIMITED;
    EasyPost and Shippo (``stop_early``) skip the calls not yet begun and raise the first one
    met. When every call raised an error of a kind in ``raise_if_all`` the first is raised:
    a carrier that is down is not a per-parcel problem (Ship24: every kind; EasyPost, Shippo:
    ``TRANSPORT``; AfterShip's additions: none)."""
    distinct = unique_queries(queries)
    stop = ACCOUNT_WIDE if stop_early else ()
    settled, stopped = await settle(distinct, call, limit=limit, stop=stop)
    if stopped is not None:
        raise stopped
    raised = [error for _, error in settled if error is not None]
    for kind in ACCOUNT_WIDE:
        for failure in raised:
            if failure.kind is kind:
                raise failure
    if raised and len(raised) == len(settled) and all(e.kind in raise_if_all for e in raised):
        raise raised[0]
    outcomes: dict[str, Outcome] = {}
    for query, (value, error) in zip(distinct, settled, strict=True):
        outcome = error if error is not None else value
        assert outcome is not None
        outcomes[query.tracking_number] = outcome
    return outcomes


async def batch_by_batch(
    queries: Sequence[TrackingQuery],
    call: Callable[[Sequence[TrackingQuery]], Awaitable[Mapping[str, Outcome]]],
    *,
    size: int,
) -> dict[str, Outcome]:
    """17TRACK, AfterShip and Ship24: the distinct numbers in batches of ``size``, one batch
    after the other. A failed batch fails the whole call, unlike ``track_chunks`` which keeps
    what earlier chunks answered."""
    results: dict[str, Outcome] = {}
    for batch in chunks(unique_queries(queries), size):
        results.update(await call(batch))
    return results


async def track_chunks(
    queries: Sequence[TrackingQuery],
    call: Callable[[Sequence[TrackingQuery]], Awaitable[Mapping[str, Outcome]]],
    *,
    size: int,
    limit: int = 1,
) -> dict[str, Outcome]:
    """UPS, USPS, FedEx and DHL: ``call`` over chunks of ``size`` numbers as given (a repeated
    number is not merged), ``limit`` chunks at a time; the first failed call stops the rest.

    A failed call (auth, rate limit, outage, garbage) would fail the later ones too, so they are
    not made. With nothing answered the failure is raised; otherwise the answered numbers keep
    their results and the rest carry the failure, so a 429 on the 31st USPS call does not throw
    away 30 answers already paid for out of a 60-an-hour budget.
    """
    results: dict[str, Outcome] = {}

    async def run(chunk: Sequence[TrackingQuery]) -> None:
        results.update(await call(chunk))

    _, failure = await settle(chunks(queries, size), run, limit=limit, stop=EVERY_KIND)
    if failure is None:
        return results
    if not results:
        raise failure
    for query in queries:
        results.setdefault(query.tracking_number, failure)
    return results


def no_headers() -> Mapping[str, str]:
    return {}


def client_credentials(client_id: str, secret: str) -> dict[str, str]:
    """The token request's fields where the client sends its ID and secret in the body."""
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}


class OAuthClient:
    """Calls with a cached client-credentials token; ``token_request`` holds the keyword
    arguments of the token POST, which is where the three carriers differ.

    A token costs quota at USPS, UPS and FedEx, so one ``TokenCache`` per adapter serves every
    call; a 401 on a call means the token died early, so it is dropped and the call tried once
    more with a fresh one (carriers.md §6)."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        provider: str,
        token_url: str,
        token_request: Mapping[str, Any],
    ) -> None:
        self._client = client
        self._provider = provider
        self._token_url = token_url
        self._token_request = token_request
        self.tokens = TokenCache(self._fetch, clock=clock)
        self._latest = ""
        self.scope: str | None = None
        """The scopes of the last token, or None when the carrier did not list them."""

    async def fresh_token(self) -> str:
        """A token fetched now, for ``check``: a cached one proves nothing about today's keys."""
        self.tokens.invalidate()
        return await self.tokens.token()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Headers = no_headers,
        allow: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> httpx.Response:
        """``headers`` is called per attempt, so a per-call id (UPS transId) stays unique.
        Calls in flight together that all meet a 401 drop the refused token once, not each."""
        response, used = await self._send(method, url, headers, allow=(*allow, 401), **kwargs)
        if response.status_code == 401:
            if used == self._latest:
                self.tokens.invalidate()
            response, _ = await self._send(method, url, headers, allow=allow, **kwargs)
        return response

    async def _send(
        self, method: str, url: str, headers: Headers, **kwargs: Any
    ) -> tuple[httpx.Response, str]:
        token = await self.tokens.token()
        sent = {**headers(), "Authorization": f"Bearer {token}"}
        response = await send(
            self._client, method, url, provider=self._provider, headers=sent, **kwargs
        )
        return response, token

    async def _fetch(self) -> tuple[str, float]:
        """OAuth answers 400 for a bad client or grant (RFC 6749 §5.2): a credential problem."""
        p = self._provider
        response = await send(
            self._client, "POST", self._token_url, provider=p, allow=(400,), **self._token_request
        )
        if response.status_code == 400:
            raise CarrierError(
                f"{p}: the token request was refused (400): {response.text.strip()[:160]}",
                permanent=True,
                kind=ErrorKind.AUTH,
            )
        body = json_of(response, provider=p)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise bad_response(p, "the token answer has no access_token")
        scope = body.get("scope")
        self.scope = scope if isinstance(scope, str) else None
        self._latest = token
        return token, _lifetime(body.get("expires_in"))


def _lifetime(value: object) -> float:
    """UPS sends ``expires_in`` as a string, USPS and FedEx as a number."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return seconds if seconds > 0 else DEFAULT_LIFETIME


class OAuthAdapter(Adapter):
    """An adapter whose calls carry a client-credentials token. A subclass says where the
    token comes from (``_oauth_path``) and how the client ID and secret are sent."""

    _oauth_path: str
    _keys = ("client_id", "client_secret")

    @cached_property
    def _oauth(self) -> OAuthClient:
        client_id, secret = (self._credentials.get(key, "").strip() for key in self._keys)
        return OAuthClient(
            client=self._client,
            clock=self._clock,
            provider=self.name,
            token_url=f"{self._base}{self._oauth_path}",
            token_request=self._token_request(client_id, secret),
        )

    def _token_request(self, client_id: str, secret: str) -> Mapping[str, Any]:
        """The keyword arguments of the token POST."""
        raise NotImplementedError

    def _require(self) -> None:
        """Checked on use, not on creation, so the settings page can build an unfinished
        account."""
        require(self._credentials, self._keys, provider=self.name)
