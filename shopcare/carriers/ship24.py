"""Ship24 (public API v1, tracker plan): one ``POST /trackers/track`` per number creates the
tracker if needed and answers with its results at once; Ship24 pushes later changes.

The call takes one number, so a batch (``batch_size``, the per-second limit) runs its calls
side by side, a few at a time; a refused key or a rate limit met by any of them fails the
whole ``track`` call. A number Ship24 has no events for yet answers with an empty event list
and stays pending; a number Ship24 refuses (400/404 with ``errors[]``) is that number's
NOT_FOUND error.

Statuses come from ``statusMilestone``. Ship24 has no return milestone, so an ``exception``
whose ``statusCode`` mentions a return (assumed: ``exception_return…``) is returned_to_sender.

``check()`` reads ``GET /couriers``: it needs a valid key, costs no tracker from the plan's
quota and works on every plan, where listing trackers needs the tracker plan.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from shopcare.carriers._calls import AT_ONCE, EVERY_KIND, batch_by_batch, per_number
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


def status_of(milestone: str, code: str) -> S | None:
    if milestone == "exception" and "return" in code:
        return S.RETURNED_TO_SENDER
    return _MILESTONES.get(milestone)


def _scan(event: dict[str, Any]) -> Scan | None:
    # occurrenceDatetime is the carrier's local time, often without an offset.
    when = parse_time(event.get("occurrenceDatetime")) or parse_time(event.get("datetime"))
    if when is None:
        return None
    milestone, code = text(event.get("statusMilestone")), text(event.get("statusCode"))
    return Scan(
        occurred_at=when,
        status=status_of(milestone, code),
        description=text(event.get("status")),
        location=text(event.get("location")),
        raw_code=code or milestone,
    )


def tracking_result(tracking: dict[str, Any]) -> TrackingResult:
    scans = [
        scan
        for event in as_list(tracking.get("events"))
        if (scan := _scan(as_dict(event))) is not None
    ]
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
        return tracking_result(as_dict(trackings[0])) if trackings else TrackingResult()

    async def check(self) -> str:
        url = f"{self._base}/couriers"
        response = await send(self._client, "GET", url, provider=PROVIDER, headers=self._headers())
        data = as_dict(as_dict(json_of(response, provider=PROVIDER)).get("data"))
        couriers = data.get("couriers")
        if not isinstance(couriers, list):
            raise bad_response(PROVIDER, "the courier list is missing from the answer")
        return f"ok: Ship24 accepted the key; {len(couriers)} couriers available"


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
