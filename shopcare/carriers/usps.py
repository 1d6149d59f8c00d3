"""USPS Tracking API v3: one number per call, OAuth client credentials sent as JSON.

USPS has no per-event code we can map, only text: each event's ``eventType`` ("Out for
Delivery", "Notice Left (No Authorized Recipient Available)", "Delivered, In/At Mailbox") maps
by keywords, and the top-level ``statusCategory`` decides the newest event (carriers.md §4).
An unknown number answers HTTP 400 with a body, which is NOT_FOUND. The app's token needs the
``tracking`` scope; without it every call is refused, so ``check`` looks at the scope.
The default quota is about 60 calls an hour, token calls included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from shopcare.carriers._calls import OAuthAdapter, client_credentials, track_chunks
from shopcare.carriers._common import (
    Outcome,
    Scan,
    as_dict,
    as_dicts,
    bad_response,
    estimate_time,
    events_of,
    join_location,
    mentions_return,
    offset_zone,
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
from shopcare.carriers.http import json_of
from shopcare.domain.status import ShipmentStatus as S

PROVIDER = "usps"

# Checked in order: the first rule whose words occur in the lower-cased text wins.
_TEXT_RULES: tuple[tuple[tuple[str, ...], S], ...] = (
    (("out for delivery",), S.OUT_FOR_DELIVERY),
    (("available for pickup", "ready for pickup", "held at post office"), S.AVAILABLE_FOR_PICKUP),
    (("attempt", "notice left"), S.FAILED_ATTEMPT),
    (("undeliverable", "refused", "damaged", "alert", "insufficient address"), S.EXCEPTION),
    (("delivered",), S.DELIVERED),
    (("pre-shipment", "label created", "awaiting item", "shipping info"), S.INFO_RECEIVED),
    (
        (
            "accepted",
            "acceptance",
            "picked up",
            "in transit",
            "arrived",
            "departed",
            "processed",
            "processing",
            "in possession",
            "forwarded",
        ),
        S.IN_TRANSIT,
    ),
)
_CATEGORIES = {
    "pre-shipment": S.INFO_RECEIVED,
    "accepted": S.IN_TRANSIT,
    "in transit": S.IN_TRANSIT,
    "in-transit": S.IN_TRANSIT,
    "out for delivery": S.OUT_FOR_DELIVERY,
    "available for pickup": S.AVAILABLE_FOR_PICKUP,
    "delivery attempt": S.FAILED_ATTEMPT,
    "alert": S.EXCEPTION,
    "delivered": S.DELIVERED,
    "return to sender": S.RETURNED_TO_SENDER,
}
# What the event text may split out of a category (returns, attempts, pickup only).
_SPLITS = {
    S.EXCEPTION: {S.RETURNED_TO_SENDER, S.FAILED_ATTEMPT, S.AVAILABLE_FOR_PICKUP},
    S.IN_TRANSIT: {S.RETURNED_TO_SENDER, S.AVAILABLE_FOR_PICKUP},
    S.DELIVERED: {S.RETURNED_TO_SENDER},
}
_ZONED = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


class USPS(OAuthAdapter):
    name = PROVIDER
    label = "USPS"
    batch_size = 1
    _oauth_path = "/oauth2/v3/token"

    def _token_request(self, client_id: str, secret: str) -> Mapping[str, Any]:
        return {"json": client_credentials(client_id, secret)}

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        self._require()
        return await track_chunks(queries, self._track_one, size=1)

    async def check(self) -> str:
        self._require()
        await self._oauth.fresh_token()
        if self._lacks_tracking_scope():
            raise CarrierError(
                f"{PROVIDER}: the token lacks the 'tracking' scope (it has: "
                f"{self._oauth.scope or 'none'}); add the Tracking API to this app "
                "at developers.usps.com",
                permanent=True,
                kind=ErrorKind.AUTH,
            )
        return "ok: USPS issued an access token with the tracking scope"

    def _lacks_tracking_scope(self) -> bool:
        scope = self._oauth.scope
        return scope is not None and "tracking" not in re.split(r"[\s,]+", scope.lower())

    async def _track_one(self, chunk: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        number = chunk[0].tracking_number
        try:
            response = await self._oauth.request(
                "GET",
                f"{self._base}/tracking/v3/tracking/{quote(number, safe='')}",
                params={"expand": "DETAIL"},
                allow=(400,),
            )
        except CarrierError as exc:
            if exc.kind is ErrorKind.AUTH and self._lacks_tracking_scope():
                raise CarrierError(
                    f"{exc} (the token lacks the 'tracking' scope)",
                    permanent=True,
                    kind=ErrorKind.AUTH,
                ) from exc
            raise
        if response.status_code == 400:
            return {number: _not_found(response)}
        return {number: _result(json_of(response, provider=PROVIDER))}


def _not_found(response: httpx.Response) -> CarrierError:
    """USPS's 400 for a number it does not know (yet); its own words kept for the owner."""
    try:
        body = as_dict(response.json())
    except ValueError:
        body = {}
    error = as_dict(body.get("error"))
    details = as_dicts(error.get("errors"))
    message = (
        (text(details[0].get("detail")) if details else "")
        or text(error.get("message"))
        or response.text.strip()[:160]
    )
    return CarrierError(
        f"{PROVIDER}: not found (400): {message}", permanent=False, kind=ErrorKind.NOT_FOUND
    )


def _result(body: object) -> TrackingResult:
    if not isinstance(body, dict) or not isinstance(body.get("trackingEvents"), list):
        raise bad_response(PROVIDER, "the answer has no trackingEvents list")
    scans = [_scan(event) for event in as_dicts(body["trackingEvents"])]
    category = _CATEGORIES.get(text(body.get("statusCategory")).lower())
    if scans and category is not None:
        newest = max(range(len(scans)), key=lambda i: scans[i].occurred_at)
        told = scans[newest].status
        status = told if told in _SPLITS.get(category, ()) else category
        scans[newest] = replace(scans[newest], status=status)
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=estimate_time(body.get("expectedDeliveryTimeStamp"), any_iso_day=False),
    )


def _scan(event: dict[str, Any]) -> Scan:
    description = text(event.get("eventType"))
    return Scan(
        occurred_at=_when(event),
        status=_by_text(description),
        description=description,
        location=join_location(
            event.get("eventCity"), event.get("eventState"), event.get("eventCountry")
        ),
        raw_code=text(event.get("eventCode")),
    )


def _by_text(description: str) -> S | None:
    if mentions_return(description):
        return S.RETURNED_TO_SENDER
    words = description.lower()
    for keys, status in _TEXT_RULES:
        if status is S.EXCEPTION and says_failed_attempt(description):
            return S.FAILED_ATTEMPT  # before "undeliverable", "refused" can claim it
        if any(key in words for key in keys):
            return status
    return None


def _when(event: dict[str, Any]) -> datetime:
    """``GMTTimestamp`` when sent; else ``eventTimestamp``, which is local: with its own offset,
    or ``GMTOffset``, or else taken as UTC."""
    if text(event.get("GMTTimestamp")):
        return required_time(event["GMTTimestamp"], provider=PROVIDER)
    local = text(event.get("eventTimestamp"))
    when = required_time(local, provider=PROVIDER)
    zone = offset_zone(event.get("GMTOffset"))
    if zone is not None and not _ZONED.search(local):
        when = when.replace(tzinfo=zone).astimezone(UTC)
    return when


SPEC = CarrierSpec(
    name=PROVIDER,
    label="USPS",
    fields=(
        AccountField(
            "client_id",
            "Consumer key",
            help="From your app at developers.usps.com; the app needs the Tracking API.",
        ),
        AccountField("client_secret", "Consumer secret", secret=True),
    ),
    base_url="https://apis.usps.com",
    create=USPS,
    rate_per_second=1.0,
    budget=Budget(per_hour=60),
)
