"""EasyPost trackers, for shops that already buy their labels at EasyPost.

Creating a tracker is also the read: EasyPost answers a POST for a code it already tracks with
the existing tracker, so one call both registers and polls a number and we keep no tracker
ids. EasyPost has no batch read, so a batch becomes a few concurrent calls. Test keys
(``EZTK…``) only accept the test codes ``EZ1000000001`` … ``EZ7000000007``.

EasyPost files a missed delivery under ``failure`` (``delivery_exception``) as often as under
``delivery_attempted``: "Customer not available", "No one home" and their kin in other
languages (``_words``) make such a scan a failed attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from shopcare.carriers._calls import TRANSPORT, per_number
from shopcare.carriers._common import (
    Adapter,
    Scan,
    bad_response,
    city_state_country,
    events_of,
    note_unknown,
    parse_time,
    require,
    required_time,
    text,
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

NAME = "easypost"
PROVIDER = "EasyPost"
CONCURRENCY = 4
"""Calls in flight at once: EasyPost's limiter is load-based, so stay modest."""
SIGNATURE_PREFIX = "hmac-sha256-hex="
_PUSH_FIELD = "webhook_secret"
_MISSING = "the API key is missing in the account settings"

_STATUS: dict[str, S] = {
    "pre_transit": S.INFO_RECEIVED,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "failure": S.EXCEPTION,
    "error": S.EXCEPTION,
    "cancelled": S.EXCEPTION,
}
_ATTEMPT_FROM = frozenset({"failure", "error"})
_UNKNOWN = "unknown"
"""EasyPost's "no news yet": pending as the first scan, otherwise it keeps the status."""


def status_of(status: str, detail: str, message: str) -> S | None:
    """The top-level status decides; the detail or text only splits attempts out of failure
    (and of ``error``, which some carriers' missed deliveries arrive as)."""
    if status in _ATTEMPT_FROM and (
        "attempt" in detail.lower() or says_failed_attempt(detail.replace("_", " "), message)
    ):
        return S.FAILED_ATTEMPT
    found = _STATUS.get(status)
    if found is None and status != _UNKNOWN:
        note_unknown(PROVIDER, status)
    return found


def _scan(detail: object) -> Scan:
    if not isinstance(detail, dict):
        raise bad_response(PROVIDER, "a tracking detail is not an object")
    status = text(detail.get("status"))
    sub = text(detail.get("status_detail"))
    message = text(detail.get("message"))
    return Scan(
        occurred_at=required_time(
            detail.get("datetime"), provider=PROVIDER, what="a tracking event"
        ),
        status=status_of(status, sub, message),
        first=S.PENDING if status == _UNKNOWN else S.IN_TRANSIT,
        description=message,
        location=city_state_country(detail.get("tracking_location")),
        raw_code="/".join(part for part in (status, sub) if part),
    )


def tracker_result(tracker: object) -> TrackingResult:
    """Events of one Tracker object, as read by a POST or pushed in a webhook."""
    if not isinstance(tracker, dict) or not isinstance(tracker.get("tracking_details"), list):
        raise bad_response(PROVIDER, "the answer is not a tracker with tracking_details")
    scans = [_scan(detail) for detail in tracker["tracking_details"]]
    return TrackingResult(
        events=events_of(scans, provider=NAME, log_unknown=False),
        estimated_delivery=parse_time(tracker.get("est_delivery_date")),
    )


def _refusal(response: httpx.Response) -> str:
    """EasyPost's own words for a 422, e.g. an invalid code or a live code on a test key."""
    try:
        error = response.json().get("error", {})
        return text(error.get("message")) or text(error.get("code"))
    except (ValueError, AttributeError):
        return response.text.strip()[:160]


class EasyPostCarrier(Adapter):
    name = NAME
    label = PROVIDER
    batch_size = 1

    def _key(self) -> str:
        (key,) = require(self._credentials, ["api_key"], provider=PROVIDER, wording=_MISSING)
        return key

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        auth = httpx.BasicAuth(self._key(), "")
        return await per_number(
            queries,
            lambda q: self._track_one(q, auth),
            limit=CONCURRENCY,
            stop_early=True,
            raise_if_all=TRANSPORT,
        )

    async def _track_one(self, query: TrackingQuery, auth: httpx.BasicAuth) -> TrackingResult:
        tracker = {"tracking_code": query.tracking_number}
        if query.carrier_code:
            tracker["carrier"] = query.carrier_code
        response = await send(
            self._client,
            "POST",
            f"{self._base}/trackers",
            provider=PROVIDER,
            allow=(422,),
            auth=auth,
            json={"tracker": tracker},
        )
        if response.status_code == 422:
            raise CarrierError(
                f"{PROVIDER}: no tracker for {query.tracking_number} (422): {_refusal(response)}",
                permanent=False,
                kind=ErrorKind.NOT_FOUND,
            )
        return tracker_result(json_of(response, provider=PROVIDER))

    async def check(self) -> str:
        key = self._key()
        response = await send(
            self._client,
            "GET",
            f"{self._base}/trackers",
            provider=PROVIDER,
            auth=httpx.BasicAuth(key, ""),
            params={"page_size": 1},
        )
        body = json_of(response, provider=PROVIDER)
        if not isinstance(body, dict) or not isinstance(body.get("trackers"), list):
            raise bad_response(PROVIDER, "the tracker list did not come back as documented")
        mode = "test" if key.startswith("EZTK") else "production"
        return f"ok: EasyPost accepted the {mode} API key"


class EasyPostPush:
    """Tracker events pushed by EasyPost; other event types (batches, refunds) are ignored."""

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        given = headers.get("x-hmac-signature", "").strip().lower()
        if not secret or not given:
            return False
        key = unicodedata.normalize("NFKD", secret).encode("utf-8")
        expected = SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8"))

    def parse(self, body: bytes) -> list[PushUpdate]:
        try:
            event: Any = json.loads(body)
        except ValueError as exc:
            raise bad_response(PROVIDER, "the webhook body is not valid JSON") from exc
        if not isinstance(event, dict):
            raise bad_response(PROVIDER, "the webhook body is not an event object")
        if not text(event.get("description")).startswith("tracker."):
            return []
        tracker = event.get("result")
        number = text(tracker.get("tracking_code")) if isinstance(tracker, dict) else ""
        if not number:
            raise bad_response(PROVIDER, "the tracker event has no tracking_code")
        return [
            PushUpdate(
                tracking_number=number,
                result=tracker_result(tracker),
                event_id=text(event.get("id")),
            )
        ]


SPEC = CarrierSpec(
    name=NAME,
    label=PROVIDER,
    fields=(
        AccountField(
            "api_key",
            "API key",
            secret=True,
            help="Production keys start with EZAK; test keys (EZTK) only track the EZ… codes.",
        ),
        AccountField(
            _PUSH_FIELD,
            "Webhook secret",
            secret=True,
            required=False,
            help="The secret set on the EasyPost webhook; leave empty to poll only.",
        ),
    ),
    base_url="https://api.easypost.com/v2",
    create=EasyPostCarrier,
    rate_per_second=5.0,
    push=EasyPostPush(),
    webhook_secret_field=_PUSH_FIELD,
)
