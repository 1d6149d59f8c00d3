"""AfterShip Tracking API (version 2025-01): read up to 50 numbers per call, add the ones
AfterShip does not follow yet; AfterShip pushes every change to our webhook.

``GET /trackings?tracking_numbers=a,b`` takes up to 50 numbers (AfterShip's documented limit),
so one call reads a whole batch. A number missing from the answer is created with
``POST /trackings`` (creations run side by side, a few at a time) and stays pending until
AfterShip has news.

Answers as AfterShip sends them, beyond a full list of checkpoints:

* several trackings for one number (one per courier, or a number reused): with a known courier
  its tracking; among several, the one that fits the shipment (``_choice``), with a note;
* a tracking whose ``tag`` is further than its checkpoints, or that has none (AfterShip's own
  SDK fixture: tag ``Delivered``, one ``InfoReceived`` checkpoint): the summary gives one event
  when AfterShip dates it (``shipment_delivery_date``, ``first_attempted_at``,
  ``shipment_pickup_date``); an undated summary adds nothing, since an event needs a time;
* a checkpoint with a ``subtag`` and no ``tag`` maps by the subtag's own tag part;
* "Customer not available" and its kin under ``Exception`` is a failed attempt (``_words``).

The rate is 6 calls a second, not the 10 of older versions: from 2024-07 AfterShip limits
each endpoint on its own, and the list call we make most is held to 6 (carriers.md §1.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from shopcare.carriers._calls import AT_ONCE, batch_by_batch, per_number
from shopcare.carriers._choice import Candidate, choose
from shopcare.carriers._common import (
    NO_API_KEY,
    Adapter,
    Outcome,
    Scan,
    as_dict,
    as_list,
    bad_response,
    estimate_time,
    events_of,
    join_location,
    load_push,
    not_found,
    parse_time,
    require,
    text,
    unique,
    webhook_field,
)
from shopcare.carriers._words import says_failed_attempt
from shopcare.carriers.base import (
    AccountField,
    CarrierSpec,
    PushUpdate,
    TrackingQuery,
    TrackingResult,
)
from shopcare.carriers.http import json_of, send
from shopcare.domain.status import ShipmentStatus as S

NAME = "aftership"
PROVIDER = "AfterShip"
BASE_URL = "https://api.aftership.com/tracking/2025-01"
ALREADY_EXISTS = 4003
_WEBHOOK_FIELD = "webhook_secret"

_TAGS = {
    "Pending": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "AttemptFail": S.FAILED_ATTEMPT,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "Exception": S.EXCEPTION,
    "Delivered": S.DELIVERED,
    "Expired": S.EXPIRED,
}
# Exception_010 "returned to sender", Exception_011 "returned to the original sender".
_RETURNS = frozenset({"Exception_010", "Exception_011"})


_SUMMARY_DATES = {
    "Delivered": "shipment_delivery_date",
    "AttemptFail": "first_attempted_at",
    "InTransit": "shipment_pickup_date",
}
"""The tracking's own date for a tag, when its checkpoints do not show that tag."""


def status_of(tag: str, subtag: str, words: str = "") -> S | None:
    """The tag decides, or the tag part of the subtag (``OutForDelivery_003``) when the tag
    is missing; the subtag splits returns out, the words missed deliveries."""
    if subtag in _RETURNS:
        return S.RETURNED_TO_SENDER
    status = _TAGS.get(tag or subtag.split("_", 1)[0])
    if status is S.EXCEPTION and says_failed_attempt(words):
        return S.FAILED_ATTEMPT
    return status


def _scan(checkpoint: dict[str, Any]) -> Scan | None:
    # checkpoint_time is the carrier's local time, with an offset when the carrier gave one.
    when = parse_time(checkpoint.get("checkpoint_time")) or parse_time(checkpoint.get("created_at"))
    if when is None:
        return None
    tag, subtag = text(checkpoint.get("tag")), text(checkpoint.get("subtag"))
    country = checkpoint.get("country_region") or checkpoint.get("country_iso3")
    where = join_location(checkpoint.get("city"), checkpoint.get("state"), country)
    description = text(checkpoint.get("message")) or text(checkpoint.get("subtag_message"))
    return Scan(
        occurred_at=when,
        status=status_of(tag, subtag, description),
        description=description,
        location=where or text(checkpoint.get("location")),
        raw_code=subtag or tag,
    )


def _summary(tracking: dict[str, Any], scans: list[Scan]) -> list[Scan]:
    """The tracking's own tag as one event, when no checkpoint shows it and AfterShip dated
    it; its local date-time without offset is read as UTC, like a checkpoint's."""
    tag, subtag = text(tracking.get("tag")), text(tracking.get("subtag"))
    status = status_of(tag, subtag, text(tracking.get("subtag_message")))
    when = parse_time(tracking.get(_SUMMARY_DATES.get(tag, "")))
    if status is None or when is None or any(scan.status is status for scan in scans):
        return []
    return [
        Scan(
            occurred_at=when,
            status=status,
            description=text(tracking.get("subtag_message")) or tag,
            location="",
            raw_code=subtag or tag,
        )
    ]


def _estimate(tracking: dict[str, Any]) -> datetime | None:
    """The courier's promise first, AfterShip's prediction second; either is an object with
    ``estimated_delivery_date`` (2025-01) or, in older payloads, a bare date string."""
    for field in ("courier_estimated_delivery_date", "aftership_estimated_delivery_date"):
        value = tracking.get(field)
        if isinstance(value, dict):
            value = value.get("estimated_delivery_date") or value.get("estimated_delivery_date_max")
        if (when := estimate_time(value)) is not None:
            return when
    return None


def tracking_result(tracking: dict[str, Any]) -> TrackingResult:
    scans = [
        scan
        for checkpoint in as_list(tracking.get("checkpoints"))
        if (scan := _scan(as_dict(checkpoint))) is not None
    ]
    scans += _summary(tracking, scans)
    return TrackingResult(
        events=unique(events_of(scans, provider=NAME)),
        estimated_delivery=_estimate(tracking),
    )


def _same(number: str) -> str:
    return number.replace(" ", "").upper()


def _pick(trackings: list[Any], query: TrackingQuery) -> tuple[dict[str, Any], str] | None:
    """The tracking of this number; with a known courier, the one of that courier; among
    several, the one that fits the shipment, with a note saying so."""
    mine = [
        t
        for t in map(as_dict, trackings)
        if _same(text(t.get("tracking_number"))) == _same(query.tracking_number)
    ]
    courier = [t for t in mine if query.carrier_code and text(t.get("slug")) == query.carrier_code]
    found = courier or mine
    if not found:
        return None
    return choose([_candidate(t) for t in found], query, provider=PROVIDER)


def _candidate(tracking: dict[str, Any]) -> Candidate[dict[str, Any]]:
    times = [
        when
        for checkpoint in as_list(tracking.get("checkpoints"))
        if (when := parse_time(as_dict(checkpoint).get("checkpoint_time"))) is not None
    ]
    ship_day = text(tracking.get("tracking_ship_date"))  # YYYYMMDD
    pickup = parse_time(tracking.get("shipment_pickup_date"))
    shipped: date | None = pickup.date() if pickup else (min(times).date() if times else None)
    if len(ship_day) == 8 and ship_day.isdigit():
        shipped = date(int(ship_day[:4]), int(ship_day[4:6]), int(ship_day[6:]))
    return Candidate(
        item=tracking,
        shipped_on=shipped,
        postal_code=text(tracking.get("destination_postal_code"))
        or text(tracking.get("tracking_postal_code")),
        last_activity=max(times) if times else None,
    )


class AfterShip(Adapter):
    name = NAME
    label = PROVIDER
    batch_size = 50

    def _headers(self) -> dict[str, str]:
        (key,) = require(self._credentials, ["api_key"], provider=PROVIDER, wording=NO_API_KEY)
        return {"as-api-key": key}

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        return await batch_by_batch(queries, self._track_batch, size=self.batch_size)

    async def _track_batch(self, batch: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        headers = self._headers()
        numbers = ",".join(q.tracking_number for q in batch)
        response = await send(
            self._client,
            "GET",
            f"{self._base}/trackings",
            provider=PROVIDER,
            headers=headers,
            params={"tracking_numbers": numbers, "limit": "200"},
        )
        data = as_dict(as_dict(json_of(response, provider=PROVIDER)).get("data"))
        trackings = data.get("trackings")
        if not isinstance(trackings, list):
            raise bad_response(PROVIDER, "the answer has no list of trackings")
        results: dict[str, Outcome] = {}
        unknown = []
        for query in batch:
            if (found := _pick(trackings, query)) is None:
                unknown.append(query)
            else:
                tracking, note = found
                results[query.tracking_number] = replace(tracking_result(tracking), note=note)
        if unknown:
            results.update(
                await per_number(unknown, lambda q: self._create(q, headers), limit=AT_ONCE)
            )
        return results

    async def _create(self, query: TrackingQuery, headers: dict[str, str]) -> Outcome:
        """Ask AfterShip to follow a number; it stays pending until AfterShip has news."""
        body = {"tracking_number": query.tracking_number}
        if query.carrier_code:
            body["slug"] = query.carrier_code
        response = await send(
            self._client,
            "POST",
            f"{self._base}/trackings",
            provider=PROVIDER,
            allow=(400, 404, 409, 422),
            headers=headers,
            json=body,
        )
        if response.is_success:
            return TrackingResult()
        try:
            meta = as_dict(as_dict(response.json()).get("meta"))
        except ValueError:
            meta = {}
        if meta.get("code") == ALREADY_EXISTS:  # created by a parallel poll or another tool
            return TrackingResult()
        why = text(meta.get("message")) or f"HTTP {response.status_code}"
        return not_found(PROVIDER, query.tracking_number, f"AfterShip would not add it ({why})")

    async def check(self) -> str:
        response = await send(
            self._client,
            "GET",
            f"{self._base}/couriers",
            provider=PROVIDER,
            headers=self._headers(),
        )
        data = as_dict(as_dict(json_of(response, provider=PROVIDER)).get("data"))
        couriers = data.get("couriers")
        if not isinstance(couriers, list):
            raise bad_response(PROVIDER, "the courier list is missing from the answer")
        return f"ok: AfterShip accepted the key; {len(couriers)} couriers active on the account"


class AfterShipPush:
    """AfterShip signs the raw body: base64 of HMAC-SHA256 with the webhook secret."""

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        if not secret:
            return False
        digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
        expected = base64.b64encode(digest)
        given = headers.get("aftership-hmac-sha256", "").strip()
        return hmac.compare_digest(given.encode("utf-8"), expected)

    def parse(self, body: bytes) -> list[PushUpdate]:
        payload = load_push(body, provider=PROVIDER)
        tracking = payload.get("msg")
        number = text(as_dict(tracking).get("tracking_number"))
        if not isinstance(tracking, dict) or not number:
            raise bad_response(PROVIDER, "the pushed event carries no tracking number")
        return [
            PushUpdate(
                tracking_number=number,
                result=tracking_result(tracking),
                event_id=text(payload.get("event_id")),
            )
        ]


SPEC = CarrierSpec(
    name=NAME,
    label=PROVIDER,
    fields=(
        AccountField(
            "api_key", "API key", secret=True, help="AfterShip → Settings → API keys (as-api-key)"
        ),
        webhook_field(_WEBHOOK_FIELD, "Webhook secret", "AfterShip → Settings → Webhooks"),
    ),
    base_url=BASE_URL,
    create=AfterShip,
    rate_per_second=6.0,
    push=AfterShipPush(),
    webhook_secret_field=_WEBHOOK_FIELD,
)
