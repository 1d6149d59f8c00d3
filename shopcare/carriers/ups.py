"""UPS Track API v1: one number per call, OAuth client credentials sent as HTTP Basic.

Each scan carries the local date and time plus UPS's GMT date, time and offset; the GMT pair is
UTC and wins, the local pair with the offset is the fallback. ``status.type`` is the normalised
field (M label, MV voided, P pickup, I in progress, X exception, D delivered, RS returned to
shipper); the activity code only splits "out for delivery" (OT/OD/OF) and access-point pickup
(RP/AC) out of I, and the text splits delivery attempts (``_ATTEMPT_WORDS`` and the shared
``_words`` table: "The business was closed") and returns out of X (carriers.md §4).
An unknown number comes back either as a 404 or as a 200 whose shipment has a warning and no
package: both are NOT_FOUND. A warning beside a package keeps the package's scans and becomes
the result's note.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import quote

from shopcare.carriers._calls import OAuthAdapter, track_chunks
from shopcare.carriers._common import (
    Outcome,
    Scan,
    as_dict,
    as_dicts,
    bad_response,
    events_of,
    join_location,
    mentions_return,
    offset_zone,
    text,
)
from shopcare.carriers._words import says_failed_attempt
from shopcare.carriers.base import (
    AccountField,
    CarrierError,
    CarrierSpec,
    ErrorKind,
    TrackingQuery,
    TrackingResult,
)
from shopcare.carriers.http import json_of
from shopcare.domain.status import ShipmentStatus as S

PROVIDER = "ups"
_CONCURRENCY = 4
"""UPS tracks one number per call; a few in flight keep a poll short without a burst."""

_TYPES = {
    "M": S.INFO_RECEIVED,
    "MV": S.EXCEPTION,
    "P": S.IN_TRANSIT,
    "I": S.IN_TRANSIT,
    "X": S.EXCEPTION,
    "D": S.DELIVERED,
    "RS": S.RETURNED_TO_SENDER,
}
_OUT_FOR_DELIVERY = frozenset({"OT", "OD", "OF"})
_PICKUP_CODES = frozenset({"RP", "AC"})
_PICKUP_WORDS = ("access point", "ready for pickup", "available for pickup", "customer pickup")
_ATTEMPT_WORDS = ("attempt",)
"""UPS's own word; the phrases every carrier uses are in ``_words``."""


class UPS(OAuthAdapter):
    name = PROVIDER
    label = "UPS"
    batch_size = 1
    _oauth_path = "/security/v1/oauth/token"

    def _token_request(self, client_id: str, secret: str) -> Mapping[str, Any]:
        return {"auth": (client_id, secret), "data": {"grant_type": "client_credentials"}}

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        self._require()
        return await track_chunks(queries, self._track_one, size=1, limit=_CONCURRENCY)

    async def check(self) -> str:
        """A token proves the client ID and secret; it does not prove the app has the
        Tracking product, which the first poll will tell (403)."""
        self._require()
        await self._oauth.fresh_token()
        return "ok: UPS issued an access token for this client ID"

    async def _track_one(self, chunk: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        number = chunk[0].tracking_number
        try:
            response = await self._oauth.request(
                "GET",
                f"{self._base}/api/track/v1/details/{quote(number, safe='')}",
                params={"locale": "en_US", "returnSignature": "false"},
                headers=_headers,
            )
        except CarrierError as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                return {number: exc}
            raise
        return {number: _outcome(json_of(response, provider=PROVIDER))}


def _headers() -> dict[str, str]:
    """``transId`` must be unique per request (at most 32 characters)."""
    return {"transId": uuid.uuid4().hex, "transactionSrc": "shopcare"}


def _outcome(body: object) -> Outcome:
    shipments = as_dicts(as_dict(as_dict(body).get("trackResponse")).get("shipment"))
    if not shipments:
        raise bad_response(PROVIDER, "the answer has no trackResponse.shipment")
    packages = as_dicts(shipments[0].get("package"))
    if not packages:
        warnings = as_dicts(shipments[0].get("warnings"))
        if warnings:
            message = text(warnings[0].get("message")) or text(warnings[0].get("code"))
            return CarrierError(f"{PROVIDER}: {message}", permanent=False, kind=ErrorKind.NOT_FOUND)
        raise bad_response(PROVIDER, "the shipment has neither a package nor a warning")
    package = packages[0]
    scans = [_scan(activity) for activity in as_dicts(package.get("activity"))]
    warnings = as_dicts(shipments[0].get("warnings"))
    said = "; ".join(
        text(w.get("message")) or text(w.get("code"))
        for w in warnings
        if text(w.get("message")) or text(w.get("code"))
    )
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=_estimate(package),
        note=f"{PROVIDER}: {said}" if said else "",
    )


def _scan(activity: dict[str, Any]) -> Scan:
    status = as_dict(activity.get("status"))
    description = text(status.get("description"))
    address = as_dict(as_dict(activity.get("location")).get("address"))
    return Scan(
        occurred_at=_when(activity),
        status=_status(
            text(status.get("type")).upper(), text(status.get("code")).upper(), description
        ),
        description=description,
        location=join_location(
            address.get("city"),
            address.get("stateProvince"),
            address.get("countryCode") or address.get("country"),
        ),
        raw_code=text(status.get("code")) or text(status.get("type")),
    )


def _status(kind: str, code: str, description: str) -> S | None:
    mapped = _TYPES.get(kind)
    words = description.lower()
    if mapped in (S.IN_TRANSIT, None):
        if code in _OUT_FOR_DELIVERY:
            return S.OUT_FOR_DELIVERY
        if code in _PICKUP_CODES or any(w in words for w in _PICKUP_WORDS):
            return S.AVAILABLE_FOR_PICKUP
    if mapped in (S.IN_TRANSIT, S.EXCEPTION) and mentions_return(description):
        return S.RETURNED_TO_SENDER
    if mapped is S.EXCEPTION and (
        any(w in words for w in _ATTEMPT_WORDS) or says_failed_attempt(description)
    ):
        return S.FAILED_ATTEMPT
    return mapped


def _when(activity: dict[str, Any]) -> datetime:
    gmt_date, gmt_time = text(activity.get("gmtDate")), text(activity.get("gmtTime"))
    if gmt_date and gmt_time:
        return _stamp(gmt_date, gmt_time, UTC)
    zone = offset_zone(activity.get("gmtOffset")) or UTC
    return _stamp(text(activity.get("date")), text(activity.get("time")) or "000000", zone)


def _stamp(date: str, clock_time: str, zone: tzinfo) -> datetime:
    """``time`` is HHMMSS; the examples show ``gmtTime`` as HH:MM:SS or unpadded (74700)."""
    digits = clock_time.replace(":", "").zfill(6)
    try:
        local = datetime.strptime(f"{date}{digits}", "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise bad_response(
            PROVIDER, f"an activity has no readable time ({date!r} {clock_time!r})"
        ) from exc
    return local.replace(tzinfo=zone).astimezone(UTC)


def _estimate(package: dict[str, Any]) -> datetime | None:
    """Rescheduled beats scheduled. UPS gives the date without a zone; taken as UTC, at the
    end of the promised window or else the end of the day, so the parcel is not late early.
    A ``DEL`` delivery time is when it was delivered, not a promise."""
    dates = {
        text(d.get("type")): text(d.get("date")) for d in as_dicts(package.get("deliveryDate"))
    }
    date = dates.get("RDD") or dates.get("SDD")
    if not date:
        return None
    window = as_dict(package.get("deliveryTime"))
    end = text(window.get("endTime")) if text(window.get("type")) != "DEL" else ""
    end = end or "235959"
    try:
        return _stamp(date, end, UTC)
    except CarrierError:
        return None


SPEC = CarrierSpec(
    name=PROVIDER,
    label="UPS",
    fields=(
        AccountField(
            "client_id",
            "Client ID",
            help="From your app at developer.ups.com; the app needs the Tracking product.",
        ),
        AccountField("client_secret", "Client secret", secret=True),
    ),
    base_url="https://onlinetools.ups.com",
    create=UPS,
)
