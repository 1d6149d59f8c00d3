"""Ship24 (public API v1, tracker plan): one ``POST /trackers/track`` per number creates the
tracker if needed and answers with its results at once; Ship24 pushes later changes.

The call takes one number, so a batch (``batch_size``, the per-second limit) runs its calls
side by side, a few at a time; a refused key or a rate limit met by any of them fails the
whole ``track`` call. A number Ship24 has no events for yet answers with an empty event list
and stays pending; a number Ship24 refuses (400/404 with ``errors[]``) is that number's
NOT_FOUND error.

Statuses come from ``statusMilestone``. Ship24 has no return milestone, so an ``exception``
whose ``statusCode`` mentions a return (assumed: ``exception_return…``) is returned_to_sender.

Answers as Ship24 sends them, beyond a full event list:

* several ``trackings`` for one number (Ship24 lists each one it matched): the one that fits
  the shipment (``_choice``: ``recipient.postCode``, the dates in ``statistics``), with a note;
* a shipment whose ``statusMilestone`` no event shows (or with no events at all) gives one
  event at the milestone's own time in ``statistics.timestamps``; undated, it adds nothing;
* an event without ``statusMilestone`` maps by its ``statusCode`` (``_CODES``, then the
  code's category: data, transit, exception);
* a missed delivery told in words under ``exception`` is a failed attempt (``_words``).

``check()`` reads ``GET /couriers``: it needs a valid key, costs no tracker from the plan's
quota and works on every plan, where listing trackers needs the tracker plan.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx

from shopcare.carriers._calls import AT_ONCE, EVERY_KIND, batch_by_batch, per_number
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

NAME = "ship24"
PROVIDER = "Ship24"
BASE_URL = "https://api.ship24.com/public/v1"
_WEBHOOK_FIELD = "webhook_secret"

_MILESTONES = {
    "pending": S.PENDING,
    "info_received": S.INFO_RECEIVED,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "failed_attempt": S.FAILED_ATTEMPT,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "delivered": S.DELIVERED,
    "exception": S.EXCEPTION,
}


_CODES = {
    "delivery_delivered": S.DELIVERED,
    "delivery_out_for_delivery": S.OUT_FOR_DELIVERY,
}
"""Ship24 status codes that say a milestone on their own (documented examples)."""
_CATEGORIES = {"data": S.INFO_RECEIVED, "transit": S.IN_TRANSIT, "exception": S.EXCEPTION}
_STAMPS = {
    "info_received": "infoReceivedDatetime",
    "in_transit": "inTransitDatetime",
    "out_for_delivery": "outForDeliveryDatetime",
    "failed_attempt": "failedAttemptDatetime",
    "available_for_pickup": "availableForPickupDatetime",
    "exception": "exceptionDatetime",
    "delivered": "deliveredDatetime",
}
"""Where ``statistics.timestamps`` dates each milestone."""


def status_of(milestone: str, code: str, words: str = "") -> S | None:
    """The milestone decides; without one the code says what it can. The code splits returns
    out of exceptions, the words missed deliveries."""
    if (milestone or code.split("_", 1)[0]) == "exception" and "return" in code:
        return S.RETURNED_TO_SENDER
    category = code.split("_", 1)[0]
    status = _MILESTONES.get(milestone) or _CODES.get(code) or _CATEGORIES.get(category)
    if status is S.EXCEPTION and says_failed_attempt(words):
        return S.FAILED_ATTEMPT
    return status


def _scan(event: dict[str, Any]) -> Scan | None:
    # occurrenceDatetime is the carrier's local time, often without an offset.
    when = parse_time(event.get("occurrenceDatetime")) or parse_time(event.get("datetime"))
    if when is None:
        return None
    milestone, code = text(event.get("statusMilestone")), text(event.get("statusCode"))
    description = text(event.get("status"))
    return Scan(
        occurred_at=when,
        status=status_of(milestone, code, description),
        description=description,
        location=text(event.get("location")),
        raw_code=code or milestone,
    )


def _summary(tracking: dict[str, Any], scans: list[Scan]) -> list[Scan]:
    """The shipment's milestone as one event, when no event shows it and Ship24 dated it."""
    shipment = as_dict(tracking.get("shipment"))
    milestone, code = text(shipment.get("statusMilestone")), text(shipment.get("statusCode"))
    status = status_of(milestone, code)
    stamps = as_dict(as_dict(tracking.get("statistics")).get("timestamps"))
    when = parse_time(stamps.get(_STAMPS.get(milestone, "")))
    if status is None or when is None or any(scan.status is status for scan in scans):
        return []
    words = milestone.replace("_", " ").capitalize()
    return [Scan(when, status, description=words, location="", raw_code=code or milestone)]


def tracking_result(tracking: dict[str, Any]) -> TrackingResult:
    scans = [
        scan
        for event in as_list(tracking.get("events"))
        if (scan := _scan(as_dict(event))) is not None
    ]
    scans += _summary(tracking, scans)
    delivery = as_dict(as_dict(tracking.get("shipment")).get("delivery"))
    return TrackingResult(
        events=unique(events_of(scans, provider=NAME)),
        estimated_delivery=estimate_time(delivery.get("estimatedDeliveryDate")),
    )


def _errors(response: httpx.Response) -> str:
    """Ship24's own words from ``errors[]``, or the status code when the body has none."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    words = [
        f"{text(e.get('code'))}: {text(e.get('message'))}".strip(": ")
        for e in map(as_dict, as_list(as_dict(payload).get("errors")))
    ]
    return "; ".join(w for w in words if w) or f"HTTP {response.status_code}"


class Ship24(Adapter):
    name = NAME
    label = PROVIDER
    batch_size = 10

    def _headers(self) -> dict[str, str]:
        (key,) = require(self._credentials, ["api_key"], provider=PROVIDER, wording=NO_API_KEY)
        return {"Authorization": f"Bearer {key}"}

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        headers = self._headers()
        return await batch_by_batch(
            queries, lambda batch: self._track_batch(batch, headers), size=self.batch_size
        )

    async def _track_batch(
        self, batch: Sequence[TrackingQuery], headers: dict[str, str]
    ) -> dict[str, Outcome]:
        """A call per number; when every one of them fails, the whole call has failed."""
        return await per_number(
            batch, lambda q: self._track_one(q, headers), limit=AT_ONCE, raise_if_all=EVERY_KIND
        )

    async def _track_one(self, query: TrackingQuery, headers: dict[str, str]) -> Outcome:
        body: dict[str, Any] = {"trackingNumber": query.tracking_number}
        if query.carrier_code:
            body["courierCode"] = [query.carrier_code]
        if query.postal_code:
            body["destinationPostCode"] = query.postal_code
        response = await send(
            self._client,
            "POST",
            f"{self._base}/trackers/track",
            provider=PROVIDER,
            allow=(400, 404),
            headers=headers,
            json=body,
        )
        if not response.is_success:
            return not_found(PROVIDER, query.tracking_number, _errors(response))
        payload = as_dict(json_of(response, provider=PROVIDER))
        trackings = as_dict(payload.get("data")).get("trackings")
        if not isinstance(trackings, list):
            raise bad_response(PROVIDER, f"the answer has no trackings ({_errors(response)})")
        if not trackings:
            return TrackingResult()
        found, note = choose([_candidate(as_dict(t)) for t in trackings], query, provider=PROVIDER)
        return replace(tracking_result(found), note=note)

    async def check(self) -> str:
        url = f"{self._base}/couriers"
        response = await send(self._client, "GET", url, provider=PROVIDER, headers=self._headers())
        data = as_dict(as_dict(json_of(response, provider=PROVIDER)).get("data"))
        couriers = data.get("couriers")
        if not isinstance(couriers, list):
            raise bad_response(PROVIDER, "the courier list is missing from the answer")
        return f"ok: Ship24 accepted the key; {len(couriers)} couriers available"


def _candidate(tracking: dict[str, Any]) -> Candidate[dict[str, Any]]:
    times = [
        scan.occurred_at
        for event in as_list(tracking.get("events"))
        if (scan := _scan(as_dict(event))) is not None
    ]
    stamps = as_dict(as_dict(tracking.get("statistics")).get("timestamps"))
    began = parse_time(stamps.get("inTransitDatetime")) or parse_time(
        stamps.get("infoReceivedDatetime")
    )
    recipient = as_dict(as_dict(tracking.get("shipment")).get("recipient"))
    return Candidate(
        item=tracking,
        shipped_on=began.date() if began else (min(times).date() if times else None),
        postal_code=text(recipient.get("postCode")),
        last_activity=max(times) if times else None,
    )


class Ship24Push:
    """Ship24 sends the webhook secret itself as a bearer token; there is no body signature."""

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        if not secret:
            return False
        given = headers.get("authorization", "").strip()
        return hmac.compare_digest(given.encode("utf-8"), f"Bearer {secret}".encode())

    def parse(self, body: bytes) -> list[PushUpdate]:
        payload = load_push(body, provider=PROVIDER)
        trackings = payload.get("trackings")
        if not isinstance(trackings, list):
            raise bad_response(PROVIDER, "the pushed body has no trackings")
        updates = []
        for tracking in map(as_dict, trackings):
            number = text(as_dict(tracking.get("tracker")).get("trackingNumber"))
            if not number:
                raise bad_response(PROVIDER, "a pushed tracking names no tracking number")
            message = as_dict(tracking.get("metadata")) or as_dict(payload.get("metadata"))
            updates.append(
                PushUpdate(
                    tracking_number=number,
                    result=tracking_result(tracking),
                    event_id=text(message.get("messageId")),
                )
            )
        return updates


SPEC = CarrierSpec(
    name=NAME,
    label=PROVIDER,
    fields=(
        AccountField("api_key", "API key", secret=True, help="Ship24 dashboard → Developers"),
        webhook_field(_WEBHOOK_FIELD, "Webhook secret", "Ship24 dashboard → Webhooks"),
    ),
    base_url=BASE_URL,
    create=Ship24,
    rate_per_second=10.0,
    push=Ship24Push(),
    webhook_secret_field=_WEBHOOK_FIELD,
)
