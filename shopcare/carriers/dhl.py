"""DHL Shipment Tracking - Unified: one number per call, an API key in a header.

DHL's ``statusCode`` is coarse (pre-transit, transit, delivered, failure, unknown) and puts the
detail in English text, so the text splits, as carriers.md §4 allows:

* transit: "out for delivery", "with (the) delivery courier", "delivery vehicle" -> out for
  delivery; "ready for pickup", "available for pickup", "ready for collection", "awaiting
  collection", "packstation", "parcel locker", "service point" -> available for pickup;
* failure: "attempt", "not present", "notification card", or any phrase of the shared
  ``_words`` table ("recipient not available", "Empfänger nicht angetroffen" when DHL answers
  in German) -> failed attempt; anything else -> exception;
* any of them (delivered too): "return(ed|ing) ... to the sender/shipper" -> returned.

"pick-up" and "pick up" are read as "pickup". When DHL answers with several shipments under
the number (another division's, or an older parcel), the one that fits the shipment is
followed (``_choice``: destination postcode, first scan, latest scan) and the result notes it.
An unknown number is a 404 (new labels show after
10-30 minutes). The Starter plan allows 250 calls a day at one a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shopcare.carriers._calls import track_chunks
from shopcare.carriers._choice import Candidate, choose
from shopcare.carriers._common import (
    Adapter,
    Outcome,
    Scan,
    as_dict,
    as_dicts,
    bad_response,
    estimate_time,
    events_of,
    join_location,
    mentions_return,
    require,
    required_time,
    text,
)
from shopcare.carriers._words import says_failed_attempt
from shopcare.carriers.base import (
    AccountField,
    Budget,
    CarrierError,
    CarrierSpec,
    ErrorKind,
    TrackingQuery,
    TrackingResult,
)
from shopcare.carriers.http import json_of, send
from shopcare.domain.status import ShipmentStatus as S

PROVIDER = "dhl"
_KEYS = ("api_key",)
CHECK_NUMBER = "0000000000"
"""Looked up by ``check``: DHL answers 404 for it with a good key, 401/403 with a bad one."""

SERVICES = frozenset(
    {
        "express",
        "parcel-de",
        "ecommerce",
        "ecommerce-europe",
        "ecommerce-apac",
        "dgf",
        "parcel-uk",
        "parcel-nl",
        "parcel-pl",
        "post-de",
        "post-international",
        "sameday",
        "freight",
        "dsc",
        "svb",
    }
)
"""DHL's ``service`` values; a query's ``carrier_code`` among them narrows the search, since
leaving it out can match another division's shipment with the same number."""

_CODES = {
    "pre-transit": S.INFO_RECEIVED,
    "transit": S.IN_TRANSIT,
    "delivered": S.DELIVERED,
    "failure": S.EXCEPTION,
}
_RETURN_FROM = frozenset({S.IN_TRANSIT, S.EXCEPTION, S.DELIVERED})
_OUT_FOR_DELIVERY_WORDS = ("out for delivery", "delivery courier", "delivery vehicle")
_PICKUP_WORDS = (
    "ready for pickup",
    "available for pickup",
    "ready for collection",
    "awaiting collection",
    "packstation",
    "parcel locker",
    "service point",
)
_ATTEMPT_WORDS = ("attempt", "not present", "notification card")
"""DHL's own words; the phrases every carrier uses are in ``_words``."""


class DHL(Adapter):
    name = PROVIDER
    label = "DHL"
    batch_size = 1

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        require(self._credentials, _KEYS, provider=PROVIDER)
        return await track_chunks(queries, self._track_one, size=1)

    async def check(self) -> str:
        """DHL has no account endpoint, so this spends one of the day's calls on a number
        that does not exist: 404 means the key was accepted, 401/403 that it was not."""
        require(self._credentials, _KEYS, provider=PROVIDER)
        try:
            await self._get({"trackingNumber": CHECK_NUMBER})
        except CarrierError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:
                raise
        return "ok: DHL accepted the API key"

    async def _track_one(self, chunk: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        query = chunk[0]
        params = {"trackingNumber": query.tracking_number}
        if query.carrier_code.lower() in SERVICES:
            params["service"] = query.carrier_code.lower()
        if query.postal_code:
            params["recipientPostalCode"] = query.postal_code
        try:
            body = await self._get(params)
        except CarrierError as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                return {query.tracking_number: exc}
            raise
        return {query.tracking_number: _result(body, query)}

    async def _get(self, params: Mapping[str, str]) -> Any:
        key = self._credentials.get("api_key", "").strip()
        response = await send(
            self._client,
            "GET",
            f"{self._base}/track/shipments",
            provider=PROVIDER,
            params=params,
            headers={"DHL-API-Key": key, "Accept": "application/json"},
        )
        return json_of(response, provider=PROVIDER)


def _result(body: object, query: TrackingQuery) -> TrackingResult:
    shipments = as_dicts(as_dict(body).get("shipments"))
    if not shipments:
        raise bad_response(PROVIDER, "the answer has no shipments")
    mine = [s for s in shipments if text(s.get("id")) == query.tracking_number] or shipments
    readable: list[tuple[dict[str, Any], list[Scan]]] = []
    unreadable: list[CarrierError] = []
    for candidate in mine:  # another parcel's broken scan must not cost us ours
        try:
            readable.append((candidate, [_scan(e) for e in _events(candidate)]))
        except CarrierError as exc:
            unreadable.append(exc)
    if not readable:
        raise unreadable[0]
    (shipment, scans), note = choose(
        [_candidate(s, found) for s, found in readable], query, provider="DHL"
    )
    timeframe = as_dict(shipment.get("estimatedDeliveryTimeFrame"))
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=estimate_time(shipment.get("estimatedTimeOfDelivery"), any_iso_day=False)
        or estimate_time(timeframe.get("estimatedThrough"), any_iso_day=False),
        note=note,
    )


def _events(shipment: dict[str, Any]) -> list[dict[str, Any]]:
    return as_dicts(shipment.get("events")) or as_dicts([shipment.get("status")])


def _candidate(
    shipment: dict[str, Any], scans: list[Scan]
) -> Candidate[tuple[dict[str, Any], list[Scan]]]:
    times = [scan.occurred_at for scan in scans]
    address = as_dict(as_dict(shipment.get("destination")).get("address"))
    return Candidate(
        item=(shipment, scans),
        shipped_on=min(times).date() if times else None,
        postal_code=text(address.get("postalCode")),
        last_activity=max(times) if times else None,
    )


def _scan(event: dict[str, Any]) -> Scan:
    code = text(event.get("statusCode"))
    description = text(event.get("description")) or text(event.get("status"))
    address = as_dict(as_dict(event.get("location")).get("address"))
    return Scan(
        occurred_at=required_time(event.get("timestamp"), provider=PROVIDER),
        status=_status(code.lower(), f"{text(event.get('status'))} {description}"),
        description=description,
        location=join_location(address.get("addressLocality"), address.get("countryCode")),
        raw_code=code,
        first=S.PENDING,
    )


def _status(code: str, words: str) -> S | None:
    """``unknown`` maps to None: it keeps the status before it, or pending when it is the
    first (§4: DHL knows the number but has nothing to say yet). A code outside DHL's five
    says no more than ``unknown`` does, so it is read the same way."""
    status = _CODES.get(code)
    words = words.lower().replace("pick-up", "pickup").replace("pick up", "pickup")
    if status in _RETURN_FROM and mentions_return(words):
        return S.RETURNED_TO_SENDER
    if status is S.IN_TRANSIT:
        if any(w in words for w in _OUT_FOR_DELIVERY_WORDS):
            return S.OUT_FOR_DELIVERY
        if any(w in words for w in _PICKUP_WORDS):
            return S.AVAILABLE_FOR_PICKUP
    if status is S.EXCEPTION and (
        any(w in words for w in _ATTEMPT_WORDS) or says_failed_attempt(words)
    ):
        return S.FAILED_ATTEMPT
    return status


SPEC = CarrierSpec(
    name=PROVIDER,
    label="DHL",
    fields=(
        AccountField(
            "api_key",
            "API key",
            secret=True,
            help="From an app at developer.dhl.com with 'Shipment Tracking - Unified'.",
        ),
    ),
    base_url="https://api-eu.dhl.com",
    create=DHL,
    rate_per_second=1.0,
    budget=Budget(per_day=250),
)
