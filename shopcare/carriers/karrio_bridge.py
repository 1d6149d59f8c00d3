"""karrio: tracking through the karrio SDK, for carriers ShopCare has no adapter of its own.

Optional: ``pip install shopcare[karrio]`` (karrio plus the DHL Universal connector; other
connectors are ``karrio-<name>`` packages). Without karrio the account still loads, and
``track``/``check`` say what to install.

karrio is synchronous (urllib), sets no timeout, and some connectors (DHL Universal, USPS,
Canada Post) call ``asyncio.run()`` inside, which fails silently in a running loop
(carriers.md §5). So every karrio call runs in a worker thread, at most two at a time per
account, under a deadline: a call past it is abandoned (its thread runs on, keeping its slot
until it ends, so a stuck carrier never piles up threads) and reads as a temporary NETWORK
error. A thread slot is waited for under the same deadline.

karrio turns every failure, HTTP status included, into ``messages``: one that says "not found"
(or "no ... found", or has code 404) is NOT_FOUND for that number, any other is a temporary
BAD_RESPONSE carrying its text.

``server_url`` replaces the connector's ``settings.server_url`` (a subclass of its Settings;
karrio itself is not patched). It works for connectors that build their URLs from it, as DHL
Universal does; others ignore it.

Known karrio limit: DHL Universal drops the UTC offset of DHL's local times and labels them
UTC ("17:21+01:00" arrives as "17:21Z"); we read karrio's timestamps as the UTC they claim.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from shopcare.carriers._calls import track_chunks
from shopcare.carriers._common import (
    Adapter,
    Outcome,
    Scan,
    bad_response,
    estimate_time,
    events_of,
    not_found,
    parse_time,
    required_time,
    text,
)
from shopcare.carriers.base import (
    AccountField,
    CarrierError,
    CarrierSpec,
    ErrorKind,
    TrackingQuery,
    TrackingResult,
)
from shopcare.domain.status import ShipmentStatus as S

PROVIDER = "karrio"
LABEL = "karrio (other carriers)"
DEADLINE = 20.0
"""Seconds one karrio call (thread slot included) may take before it is abandoned."""
SLOTS = 2
CHECK_NUMBER = "0000000000"
_NOT_FOUND = re.compile(r"\bnot found\b|\bno\b[^.;]*\bfound\b")
NOT_INSTALLED = "install shopcare[karrio] to use karrio"

STATUSES: dict[str, S | None] = {
    "pending": S.PENDING,
    "picked_up": S.IN_TRANSIT,
    "on_hold": S.EXCEPTION,
    "cancelled": S.EXCEPTION,
    "delivered": S.DELIVERED,
    "in_transit": S.IN_TRANSIT,
    "delivery_failed": S.FAILED_ATTEMPT,
    "delivery_delayed": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "ready_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "unknown": None,
}
"""karrio's status names; None (and any name not here) keeps the status before it."""


def _config(message: str) -> CarrierError:
    return CarrierError(f"{PROVIDER}: {message}", permanent=True, kind=ErrorKind.CONFIG)


class Karrio(Adapter):
    name = PROVIDER
    label = LABEL
    batch_size = 1

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        base_url: str,
        deadline: float = DEADLINE,
    ) -> None:
        super().__init__(credentials, client=client, clock=clock, base_url=base_url)
        self._deadline = deadline
        self._slots = asyncio.Semaphore(SLOTS)
        self._running: set[asyncio.Future[Any]] = set()
        self._gateway: Any = None
        self._gateway_lock = threading.Lock()

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        return await track_chunks(queries, self._track_one, size=1, limit=SLOTS)

    async def check(self) -> str:
        """Looks up a number that does not exist: "not found" means the connector answered."""
        try:
            await self._lookup(CHECK_NUMBER)
        except CarrierError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:
                raise
        return f"ok: karrio's {self._carrier()} connector answered"

    async def _track_one(self, chunk: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        number = chunk[0].tracking_number
        try:
            return {number: await self._lookup(number)}
        except CarrierError as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                return {number: exc}
            raise

    async def _lookup(self, number: str) -> TrackingResult:
        details, messages = await self._off_loop(lambda: self._fetch(number))
        found = [d for d in details or [] if text(getattr(d, "tracking_number", None)) == number]
        detail = (found or details or [None])[0]
        if detail is not None:
            return _result(detail)
        words = "; ".join(text(getattr(m, "message", None)) or str(m) for m in messages or [])
        if any(_says_not_found(m) for m in messages or []):
            raise not_found(PROVIDER, number, words)
        raise bad_response(PROVIDER, words or "karrio returned neither details nor messages")

    async def _off_loop(self, call: Callable[[], Any]) -> Any:
        """``call`` in a worker thread, holding one of the slots until the thread ends."""
        scope = asyncio.timeout(self._deadline)
        try:
            async with scope:
                await self._slots.acquire()
                task = asyncio.ensure_future(asyncio.to_thread(call))
                self._running.add(task)
                task.add_done_callback(self._finished)
                return await asyncio.shield(task)
        except TimeoutError as exc:
            if scope.expired():
                raise CarrierError(
                    f"{PROVIDER}: no answer in time ({self._deadline:g} s)",
                    permanent=False,
                    kind=ErrorKind.NETWORK,
                ) from None
            raise _network(exc) from exc
        except CarrierError:
            raise
        except OSError as exc:
            raise _network(exc) from exc
        except Exception as exc:
            raise bad_response(PROVIDER, f"karrio failed: {exc}") from exc

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        self._slots.release()
        if not task.cancelled():
            task.exception()  # an abandoned call's failure is retrieved, not logged as lost

    def _carrier(self) -> str:
        carrier = text(self._credentials.get("carrier"))
        if not carrier:
            raise _config("the account is missing carrier")
        return carrier

    def _fetch(self, number: str) -> tuple[Any, Any]:
        """In the worker thread: karrio's tracking call, as (details, messages)."""
        gateway = self._gateway_once()
        from karrio.core.models import TrackingRequest  # type: ignore[import-untyped]
        from karrio.sdk import Tracking  # type: ignore[import-untyped]

        request = TrackingRequest(tracking_numbers=[number])
        details, messages = Tracking.fetch(request).from_(gateway).parse()
        return details, messages

    def _gateway_once(self) -> Any:
        with self._gateway_lock:
            if self._gateway is None:
                self._gateway = self._build_gateway()
            return self._gateway

    def _build_gateway(self) -> Any:
        carrier = self._carrier()
        raw = self._credentials.get("settings_json") or "{}"
        try:
            settings = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _config("settings_json is not valid JSON") from exc
        if not isinstance(settings, dict):
            raise _config("settings_json must be a JSON object")
        try:
            import karrio.sdk as sdk  # type: ignore[import-untyped]
        except ImportError as exc:
            raise _config(NOT_INSTALLED) from exc
        provider = sdk.gateway.providers.get(carrier)
        if provider is None:
            raise _config(f"no karrio connector {carrier!r} (pip install karrio-{carrier})")
        settings_class = provider.Settings
        server = text(self._credentials.get("server_url")) or self._base
        if server:
            server = server.rstrip("/")
            settings_class = type(
                settings_class.__name__,
                (settings_class,),
                {"server_url": property(lambda _self: server)},
            )
        try:
            return sdk.gateway[carrier].create(settings_class(**settings))
        except Exception as exc:
            raise _config(f"the {carrier} settings are not accepted: {exc}") from exc


def _says_not_found(message: Any) -> bool:
    """A 404 code, or "not found" / "no result found" / "no shipment ... found" in the text."""
    details = getattr(message, "details", None)
    title = details.get("title") if isinstance(details, dict) else None
    code = text(getattr(message, "code", None))
    words = f"{text(getattr(message, 'message', None))} {text(title)}".lower()
    return code == "404" or bool(_NOT_FOUND.search(words))


def _network(exc: Exception) -> CarrierError:
    return CarrierError(f"{PROVIDER}: {exc}", permanent=False, kind=ErrorKind.NETWORK)


def _result(detail: Any) -> TrackingResult:
    scans = [_scan(event) for event in getattr(detail, "events", None) or []]
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=estimate_time(getattr(detail, "estimated_delivery", None)),
    )


def _scan(event: Any) -> Scan:
    code = text(getattr(event, "status", None))
    return Scan(
        occurred_at=_time(event),
        status=STATUSES.get(code),
        description=text(getattr(event, "description", None)),
        location=text(getattr(event, "location", None)),
        raw_code=text(getattr(event, "code", None)) or code,
        first=S.PENDING,
    )


def _time(event: Any) -> datetime:
    """karrio's ISO ``timestamp``; older connectors give only ``date`` and a 24-hour ``time``."""
    stamp = getattr(event, "timestamp", None)
    if parse_time(stamp) is None:
        day, clock = text(getattr(event, "date", None)), text(getattr(event, "time", None))
        stamp = f"{day}T{clock[:5]}" if day and clock else day
    return required_time(stamp, provider=PROVIDER)


SPEC = CarrierSpec(
    name=PROVIDER,
    label=LABEL,
    fields=(
        AccountField(
            "carrier",
            "karrio connector",
            help="The connector's name, e.g. dhl_universal (pip install karrio-dhl-universal).",
        ),
        AccountField(
            "settings_json",
            "Connector settings (JSON)",
            secret=True,
            help='The connector\'s settings, e.g. {"consumer_key": "…", "consumer_secret": "…"}.',
        ),
        AccountField(
            "server_url",
            "Server URL",
            required=False,
            help="Only to replace the connector's own API address (a sandbox or a proxy).",
        ),
    ),
    base_url="",
    create=Karrio,
    rate_per_second=1.0,
)
