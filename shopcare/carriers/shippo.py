"""Shippo tracking, for shops that already buy their labels at Shippo.

Shippo reads one number per call and must be told the carrier (``/tracks/{carrier}/{number}``),
so a number without a carrier code is a set-up problem of that number, not of the account.
Test tokens (``shippo_test_…``) track carrier ``shippo`` with the numbers ``SHIPPO_PRE_TRANSIT``,
``SHIPPO_TRANSIT``, ``SHIPPO_DELIVERED``, ``SHIPPO_RETURNED``, ``SHIPPO_FAILURE`` and
``SHIPPO_UNKNOWN``.

No push receiver (``push=None``): Shippo signs webhooks only once its support enables HMAC
for the account, and the unsigned options (an IP allow-list, a token in the URL) do not fit a
receiver that verifies signatures, so ShopCare polls Shippo.

A ``FAILURE`` whose text tells of a missed delivery ("Customer not available", "No one home",
``_words``) without the ``delivery_attempted`` substatus is a failed attempt too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

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
    unique,
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
from shopcare.carriers.http import json_of, send
from shopcare.domain.status import ShipmentStatus as S

NAME = "shippo"
PROVIDER = "Shippo"
CONCURRENCY = 4
_MISSING = "the API token is missing in the account settings"

_STATUS: dict[str, S] = {
    "PRE_TRANSIT": S.INFO_RECEIVED,
    "TRANSIT": S.IN_TRANSIT,
    "DELIVERED": S.DELIVERED,
    "RETURNED": S.RETURNED_TO_SENDER,
    "FAILURE": S.EXCEPTION,
}
_UNKNOWN = "UNKNOWN"
"""Shippo's "no news yet": pending as the first scan, otherwise it keeps the status."""

_SPLITS: dict[str, S] = {
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "pickup_available": S.AVAILABLE_FOR_PICKUP,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "delivery_attempted": S.FAILED_ATTEMPT,
    "return_to_sender": S.RETURNED_TO_SENDER,
}
"""Substatus codes that split a TRANSIT or FAILURE scan. Shippo's documented list also has
information_received, package_accepted, package_arrived, package_departed,
package_processing/_processed, delivery_scheduled/_rescheduled, package_held,
package_delayed, address_issue, contact_carrier, package_lost, package_damaged,
package_undeliverable, package_disposed, delivered and other: those keep the top status.
Pickup is accepted under both spellings seen in integrations."""
_SPLIT_FROM = frozenset({"TRANSIT", "FAILURE"})


def status_of(status: str, substatus: str, words: str = "") -> S | None:
    """The top-level status decides; the substatus splits transit and failure, the words
    (``status_details``, the substatus text) missed deliveries out of failure."""
    if status in _SPLIT_FROM and substatus in _SPLITS:
        return _SPLITS[substatus]
    if status == "FAILURE" and says_failed_attempt(words):
        return S.FAILED_ATTEMPT
    found = _STATUS.get(status)
    if found is None and status != _UNKNOWN:
        note_unknown(PROVIDER, status)
    return found


def _scan(entry: object) -> Scan:
    if not isinstance(entry, dict):
        raise bad_response(PROVIDER, "a tracking status is not an object")
    status = text(entry.get("status"))
    sub_object = entry.get("substatus")
    sub = text(sub_object.get("code")) if isinstance(sub_object, dict) else ""
    said = text(sub_object.get("text")) if isinstance(sub_object, dict) else ""
    return Scan(
        occurred_at=required_time(
            entry.get("status_date"), provider=PROVIDER, what="a tracking event"
        ),
        status=status_of(status, sub, f"{text(entry.get('status_details'))} {said}"),
        first=S.PENDING if status == _UNKNOWN else S.IN_TRANSIT,
        description=text(entry.get("status_details")),
        location=city_state_country(entry.get("location")),
        raw_code="/".join(part for part in (status, sub) if part),
    )


def track_result(track: object, *, number: str) -> TrackingResult:
    """Events of one Track object. The current status joins the history (it may be newer)
    when it carries a date; the history alone is enough to follow the parcel."""
    if not isinstance(track, dict) or not (
        "tracking_status" in track or "tracking_history" in track
    ):
        raise bad_response(PROVIDER, "the answer is not a track with a status or history")
    history = track.get("tracking_history") or []
    current = track.get("tracking_status")
    if not isinstance(history, list) or not isinstance(current, dict | None):
        raise bad_response(PROVIDER, "tracking_history or tracking_status has the wrong shape")
    if not history and (current is None or text(current.get("status")) == _UNKNOWN):
        raise CarrierError(
            f"{PROVIDER}: no tracking data for {number} yet",
            permanent=False,
            kind=ErrorKind.NOT_FOUND,
        )
    dated = current is not None and parse_time(current.get("status_date")) is not None
    scans = [_scan(entry) for entry in [*history, *([current] if dated else [])]]
    return TrackingResult(
        # tracking_status usually repeats the last history entry: kept once, as it is now
        events=list(unique(events_of(scans, provider=NAME, log_unknown=False), keep_last=True)),
        estimated_delivery=parse_time(track.get("eta")),
    )


class ShippoCarrier(Adapter):
    name = NAME
    label = PROVIDER
    batch_size = 1

    def _token(self) -> str:
        (token,) = require(self._credentials, ["api_token"], provider=PROVIDER, wording=_MISSING)
        return token

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        headers = _headers(self._token())
        return await per_number(
            queries,
            lambda q: self._track_one(q, headers),
            limit=CONCURRENCY,
            stop_early=True,
            raise_if_all=TRANSPORT,
        )

    async def _track_one(self, query: TrackingQuery, headers: dict[str, str]) -> TrackingResult:
        carrier = query.carrier_code.strip().lower()
        if not carrier:
            raise CarrierError(
                f"{PROVIDER}: the carrier of {query.tracking_number} is not set; Shippo needs "
                "it (usps, ups, fedex, dhl_express…) to find the parcel",
                permanent=True,
                kind=ErrorKind.CONFIG,
            )
        path = f"/tracks/{quote(carrier, safe='')}/{quote(query.tracking_number, safe='')}"
        response = await send(
            self._client, "GET", self._base + path, provider=PROVIDER, headers=headers
        )
        return track_result(json_of(response, provider=PROVIDER), number=query.tracking_number)

    async def check(self) -> str:
        """Lists one carrier account: cheap, and answered by live and test tokens alike
        (the ``shippo`` test numbers answer test tokens only)."""
        token = self._token()
        response = await send(
            self._client,
            "GET",
            f"{self._base}/carrier_accounts",
            provider=PROVIDER,
            headers=_headers(token),
            params={"results": 1},
        )
        body = json_of(response, provider=PROVIDER)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise bad_response(PROVIDER, "the carrier account list did not come back as documented")
        mode = "test" if token.startswith("shippo_test_") else "live"
        return f"ok: Shippo accepted the {mode} API token"


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"ShippoToken {token}"}


SPEC = CarrierSpec(
    name=NAME,
    label=PROVIDER,
    fields=(
        AccountField(
            "api_token",
            "API token",
            secret=True,
            help="A live token, or a test token (shippo_test_…) that tracks only SHIPPO_* numbers.",
        ),
    ),
    base_url="https://api.goshippo.com",
    create=ShippoCarrier,
    rate_per_second=8.0,
    push=None,
)
