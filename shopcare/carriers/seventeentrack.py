"""17TRACK (API v2.2): register a number once, then read it in batches of 40; 17TRACK also
pushes every change to our webhook.

Reading comes first and registering only for numbers 17TRACK says it does not know
(error -18019902), because each registration costs one number of the account's quota while
reading is free. A freshly registered number has nothing yet and stays pending.

17TRACK answers HTTP 200 with its own ``code`` when a whole request fails. carriers.md names
no such codes, so this adapter assumes the codes 17TRACK's error table gives for the key and
the account (-18010001 address not on the key's allow list, -18010002 invalid key,
-18010004 account disabled, -18010005 unauthorised) mean AUTH and every other non-zero code
means BAD_RESPONSE.

Answers as 17TRACK sends them, beyond the full journey:

* an event with a ``stage`` and no ``sub_status`` (``stage: OutForDelivery``, as 17TRACK's own
  pushes show) maps by its stage (``_STAGES``), not to "in transit";
* a summary without ``tracking.providers`` (``latest_status`` and ``latest_event`` only) gives
  one event, the latest; without a latest event, the dated ``milestone`` entries stand in;
* an ``Exception`` scan that tells of a missed delivery in words ("Recipient not available",
  "Empfänger nicht angetroffen", ``_words``), or ``Exception_NoBody``, is a failed attempt.

A TRACKING_STOPPED push is read like an update: 17TRACK stops after 30 days without news,
the same rule by which ShopCare expires a shipment itself, so no invented event is added.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from shopcare.carriers._calls import ACCOUNT_WIDE, batch_by_batch
from shopcare.carriers._common import (
    NO_API_KEY,
    Adapter,
    Outcome,
    Scan,
    as_dict,
    as_list,
    bad_response,
    city_state_country,
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
    CarrierError,
    CarrierSpec,
    ErrorKind,
    PushUpdate,
    TrackingQuery,
    TrackingResult,
)
from shopcare.carriers.http import json_of, send
from shopcare.domain.status import ShipmentStatus as S

NAME = "17track"
PROVIDER = "17TRACK"
BASE_URL = "https://api.17track.net"
NOT_REGISTERED = -18019902
ALREADY_REGISTERED = -18019901
AUTH_CODES = frozenset({-18010001, -18010002, -18010004, -18010005})
_WEBHOOK_FIELD = "webhook_key"

_STATUSES = {
    "NotFound": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "Expired": S.EXPIRED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "DeliveryFailure": S.FAILED_ATTEMPT,
    "Delivered": S.DELIVERED,
    "Exception": S.EXCEPTION,
}
_RETURNS = frozenset({"Exception_Returning", "Exception_Returned"})
_ATTEMPTS = frozenset({"Exception_NoBody"})
"""Nobody there to take the parcel: a missed delivery filed as an exception."""
_STAGES = {
    "InfoReceived": S.INFO_RECEIVED,
    "PickedUp": S.IN_TRANSIT,
    "Departure": S.IN_TRANSIT,
    "Arrival": S.IN_TRANSIT,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "Delivered": S.DELIVERED,
    "Returning": S.RETURNED_TO_SENDER,
    "Returned": S.RETURNED_TO_SENDER,
}
"""17TRACK's stages (its ``milestone`` key stages), which an event may carry alone."""


def status_of(code: str, words: str = "") -> S | None:
    """``code`` is a sub-status (``InTransit_PickedUp``) or a main status (``InTransit``);
    ``words``, the scan's text, splits missed deliveries out of exceptions."""
    if code in _RETURNS:
        return S.RETURNED_TO_SENDER
    status = _STATUSES.get(code.split("_", 1)[0])
    if status is S.EXCEPTION and (code in _ATTEMPTS or says_failed_attempt(words)):
        return S.FAILED_ATTEMPT
    return status


def stage_of(stage: str, words: str = "") -> S | None:
    """A stage on its own; a main status or sub-status written as the stage reads as one."""
    return _STAGES.get(stage) or status_of(stage, words)


def _scan(event: dict[str, Any]) -> Scan | None:
    when = (
        parse_time(event.get("time_iso"), assume_utc=False)
        or parse_time(event.get("time_utc"))
        or parse_time(event.get("time_iso"))
    )
    if when is None:
        return None
    code, stage = text(event.get("sub_status")), text(event.get("stage"))
    words = text(event.get("description"))
    where = city_state_country(event.get("address"))
    return Scan(
        occurred_at=when,
        status=status_of(code, words) or stage_of(stage, words),
        description=words,
        location=where or text(event.get("location")),
        raw_code=code or stage,
    )


def _summary(info: dict[str, Any]) -> list[Scan]:
    """The latest event when 17TRACK sent no event list, with the parcel's current status;
    without one, each milestone 17TRACK dated (its stages in order)."""
    latest = as_dict(info.get("latest_status"))
    if text(latest.get("status")) == "NotFound":
        return []
    event = as_dict(info.get("latest_event"))
    if (scan := _scan(event)) is not None:
        words = scan.description
        status = status_of(text(latest.get("sub_status")), words) or status_of(
            text(latest.get("status")), words
        )
        return [replace(scan, status=scan.status or status)]
    return [
        Scan(
            occurred_at=when,
            status=stage_of(text(stage.get("key_stage"))),
            description=text(stage.get("key_stage")),
            location="",
            raw_code=text(stage.get("key_stage")),
        )
        for stage in map(as_dict, as_list(info.get("milestone")))
        if (when := parse_time(stage.get("time_utc")) or parse_time(stage.get("time_iso")))
    ]


def track_result(track_info: object) -> TrackingResult:
    """Events of every provider (origin and destination post), oldest first, each scan once."""
    info = as_dict(track_info)
    scans = [
        scan
        for provider in as_list(as_dict(info.get("tracking")).get("providers"))
        for event in as_list(as_dict(provider).get("events"))
        if (scan := _scan(as_dict(event))) is not None
    ] or _summary(info)
    latest = as_dict(info.get("latest_status"))
    latest_status = status_of(text(latest.get("sub_status"))) or status_of(
        text(latest.get("status"))
    )
    if scans and latest_status is not None:
        # The newest scan without a code of its own takes the parcel's current status.
        newest = max(range(len(scans)), key=lambda i: scans[i].occurred_at)
        if scans[newest].status is None:
            scans[newest] = replace(scans[newest], status=latest_status)
    window = as_dict(as_dict(info.get("time_metrics")).get("estimated_delivery_date"))
    return TrackingResult(
        events=unique(events_of(scans, provider=NAME)),
        estimated_delivery=estimate_time(window.get("to")) or estimate_time(window.get("from")),
    )


def _envelope(payload: object) -> dict[str, Any]:
    """The ``data`` of a successful answer; a failed one raises with 17TRACK's own words."""
    body = as_dict(payload)
    if "code" not in body:
        raise bad_response(PROVIDER, "the answer has no result code")
    data = as_dict(body.get("data"))
    errors = [as_dict(e) for e in as_list(data.get("errors"))]
    if body["code"] == 0 and not errors:
        return data
    codes = [body["code"], *(e.get("code") for e in errors)]
    words = "; ".join(text(e.get("message")) for e in errors if text(e.get("message")))
    detail = f"error {body['code']}" + (f": {words}" if words else "")
    if any(isinstance(code, int) and code in AUTH_CODES for code in codes):
        raise CarrierError(
            f"{PROVIDER}: the API key was refused ({detail})", permanent=True, kind=ErrorKind.AUTH
        )
    raise bad_response(PROVIDER, f"the request failed ({detail})")


def _item(query: TrackingQuery) -> dict[str, Any]:
    item: dict[str, Any] = {"number": query.tracking_number}
    if query.carrier_code.isdigit():  # 17TRACK's carrier keys are numbers; names mean nothing
        item["carrier"] = int(query.carrier_code)
    return item


class SeventeenTrack(Adapter):
    name = NAME
    label = PROVIDER
    batch_size = 40

    async def _call(self, endpoint: str, body: object = None) -> dict[str, Any]:
        (key,) = require(self._credentials, ["api_key"], provider=PROVIDER, wording=NO_API_KEY)
        response = await send(
            self._client,
            "POST",
            f"{self._base}/track/v2.2/{endpoint}",
            provider=PROVIDER,
            headers={"17token": key, "Content-Type": "application/json"},
            json=body,
        )
        return _envelope(json_of(response, provider=PROVIDER))

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        return await batch_by_batch(queries, self._track_batch, size=self.batch_size)

    async def _track_batch(self, batch: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        data = await self._call("gettrackinfo", [_item(q) for q in batch])
        accepted, rejected = data.get("accepted"), data.get("rejected")
        if not isinstance(accepted, list) or not isinstance(rejected, list):
            raise bad_response(PROVIDER, "the answer has no accepted/rejected lists")
        results: dict[str, Outcome] = {}
        for item in map(as_dict, accepted):
            results[text(item.get("number"))] = track_result(item.get("track_info"))
        unknown: set[str] = set()
        for item in map(as_dict, rejected):
            number, error = text(item.get("number")), as_dict(item.get("error"))
            if error.get("code") == NOT_REGISTERED:
                unknown.add(number)
            else:
                why = f"rejected ({error.get('code')}: {text(error.get('message'))})"
                results[number] = not_found(PROVIDER, number, why)
        if unknown:
            results.update(await self._register([q for q in batch if q.tracking_number in unknown]))
        return {
            q.tracking_number: results.get(q.tracking_number)
            or not_found(PROVIDER, q.tracking_number, "17TRACK left it out of its answer")
            for q in batch
        }

    async def _register(self, queries: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        """Pending results for numbers 17TRACK now follows; a refusal becomes that number's."""
        try:
            data = await self._call("register", [_item(q) for q in queries])
        except CarrierError as exc:
            if exc.kind in ACCOUNT_WIDE:
                raise
            return {q.tracking_number: exc for q in queries}
        results: dict[str, Outcome] = {q.tracking_number: TrackingResult() for q in queries}
        for item in map(as_dict, as_list(data.get("rejected"))):
            number, error = text(item.get("number")), as_dict(item.get("error"))
            if number in results and error.get("code") != ALREADY_REGISTERED:
                why = f"registration refused ({error.get('code')}: {text(error.get('message'))})"
                results[number] = not_found(PROVIDER, number, why)
        return results

    async def check(self) -> str:
        data = await self._call("getquota")
        left, total = data.get("quota_remain"), data.get("quota_total")
        if isinstance(left, int) and isinstance(total, int):
            return f"ok: {left} of {total} tracking numbers left in the 17TRACK quota"
        return "ok: 17TRACK accepted the API key"


class SeventeenTrackPush:
    """17TRACK signs with a plain SHA-256 of ``body + "/" + key``, not an HMAC."""

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        if not secret:
            return False
        expected = hashlib.sha256(body + b"/" + secret.encode("utf-8")).hexdigest()
        given = headers.get("sign", "").strip().lower()
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("ascii"))

    def parse(self, body: bytes) -> list[PushUpdate]:
        payload = load_push(body, provider=PROVIDER)
        if payload.get("event") not in ("TRACKING_UPDATED", "TRACKING_STOPPED"):
            return []
        data = as_dict(payload.get("data"))
        number = text(data.get("number"))
        if not number:
            raise bad_response(PROVIDER, "the pushed update names no tracking number")
        return [PushUpdate(tracking_number=number, result=track_result(data.get("track_info")))]


SPEC = CarrierSpec(
    name=NAME,
    label=PROVIDER,
    fields=(
        AccountField("api_key", "API key (17token)", secret=True, help="17TRACK → Settings → Key"),
        webhook_field(_WEBHOOK_FIELD, "Webhook security key", "The key 17TRACK signs pushes with"),
    ),
    base_url=BASE_URL,
    create=SeventeenTrack,
    rate_per_second=3.0,
    push=SeventeenTrackPush(),
    webhook_secret_field=_WEBHOOK_FIELD,
)
