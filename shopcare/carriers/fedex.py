"""FedEx Track API v1: up to 30 numbers per call, OAuth client credentials in a form.

Scans come newest first with ISO times carrying their offset. ``derivedStatusCode`` is FedEx's
normalised code and maps first, ``eventType`` when it does not map; the text only splits
returns out (carriers.md §4). An unknown number is not an HTTP error but an ``error`` inside its
own result (``TRACKING.TRACKINGNUMBER.NOTFOUND``), so it is NOT_FOUND for that number alone;
a number FedEx calls INVALID is treated alike and stays pending until ShopCare gives up on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

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
from shopcare.carriers.http import json_of
from shopcare.domain.status import ShipmentStatus as S

PROVIDER = "fedex"
BATCH = 30

_CODES = {
    **dict.fromkeys(("OC", "IN"), S.INFO_RECEIVED),
    **dict.fromkeys(("PU", "PX", "IT", "IX", "AR", "DP", "AF", "FD", "OF", "SF"), S.IN_TRANSIT),
    **dict.fromkeys(("LO", "CC", "CP", "DY", "DD", "PD", "TR"), S.IN_TRANSIT),
    **dict.fromkeys(("OD", "ED"), S.OUT_FOR_DELIVERY),
    **dict.fromkeys(("HL", "HP"), S.AVAILABLE_FOR_PICKUP),
    "DE": S.FAILED_ATTEMPT,
    **dict.fromkeys(("SE", "CD", "CA"), S.EXCEPTION),
    "DL": S.DELIVERED,
    "RS": S.RETURNED_TO_SENDER,
}
"""carriers.md §2's table, plus IN (the derived code of a label), FedEx's other transit codes
(PX, IX, AF, FD, OF, SF, LO, CC, CP, TR), its delays (DY, DD, PD: still moving; "delayed" is
ours to derive) and RS, return to shipper."""
_RETURN_FROM = frozenset({S.IN_TRANSIT, S.EXCEPTION, S.FAILED_ATTEMPT, S.DELIVERED})
_NOT_FOUND_ENDINGS = (".NOTFOUND", ".INVALID")


class FedEx(OAuthAdapter):
    name = PROVIDER
    label = "FedEx"
    batch_size = BATCH
    _oauth_path = "/oauth/token"

    def _token_request(self, client_id: str, secret: str) -> Mapping[str, Any]:
        return {"data": client_credentials(client_id, secret)}

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        self._require()
        return await track_chunks(queries, self._track_batch, size=BATCH)

    async def check(self) -> str:
        """A token proves the key pair; FedEx issues Track keys per project, so keys of a
        project without the Track API get their token and then a 403 on the first poll."""
        self._require()
        await self._oauth.fresh_token()
        return "ok: FedEx issued an access token for this API key"

    async def _track_batch(self, chunk: Sequence[TrackingQuery]) -> dict[str, Outcome]:
        response = await self._oauth.request(
            "POST",
            f"{self._base}/track/v1/trackingnumbers",
            json={
                "includeDetailedScans": True,
                "trackingInfo": [
                    {"trackingNumberInfo": {"trackingNumber": q.tracking_number}} for q in chunk
                ],
            },
            headers=_headers,
        )
        found = _by_number(json_of(response, provider=PROVIDER))
        missing = bad_response(PROVIDER, "the answer has no result for this number")
        return {q.tracking_number: found.get(q.tracking_number, missing) for q in chunk}


def _headers() -> dict[str, str]:
    return {"X-locale": "en_US"}


def _by_number(body: object) -> dict[str, Outcome]:
    complete = as_dict(as_dict(body).get("output")).get("completeTrackResults")
    if not isinstance(complete, list):
        errors = as_dicts(as_dict(body).get("errors"))
        why = text(errors[0].get("message")) if errors else ""
        raise bad_response(PROVIDER, f"the answer has no output.completeTrackResults {why}".strip())
    found: dict[str, Outcome] = {}
    for item in as_dicts(complete):
        results = as_dicts(item.get("trackResults"))
        number = text(item.get("trackingNumber")) or (
            text(as_dict(results[0].get("trackingNumberInfo")).get("trackingNumber"))
            if results
            else ""
        )
        try:
            found[number] = _outcome(results)
        except CarrierError as exc:  # one odd result must not cost the other 29 answers
            found[number] = exc
    return found


def _outcome(results: list[dict[str, Any]]) -> Outcome:
    if not results:
        raise bad_response(PROVIDER, "a number came back without trackResults")
    result = results[0]
    error = as_dict(result.get("error"))
    if error:
        code = text(error.get("code"))
        message = f"{PROVIDER}: {code}: {text(error.get('message'))}"
        if code.endswith(_NOT_FOUND_ENDINGS):
            return CarrierError(message, permanent=False, kind=ErrorKind.NOT_FOUND)
        return CarrierError(message, permanent=False, kind=ErrorKind.BAD_RESPONSE)
    scans = [_scan(event) for event in as_dicts(result.get("scanEvents"))]
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=_estimate(result),
    )


def _scan(event: dict[str, Any]) -> Scan:
    derived, kind = text(event.get("derivedStatusCode")), text(event.get("eventType"))
    said = (text(event.get("eventDescription")), text(event.get("exceptionDescription")))
    description = ": ".join(part for part in said if part)
    status = _CODES.get(derived.upper()) or _CODES.get(kind.upper())
    if status in _RETURN_FROM and mentions_return(description):
        status = S.RETURNED_TO_SENDER
    where = as_dict(event.get("scanLocation"))
    return Scan(
        occurred_at=required_time(event.get("date"), provider=PROVIDER),
        status=status,
        description=description,
        location=join_location(
            where.get("city"), where.get("stateOrProvinceCode"), where.get("countryCode")
        ),
        raw_code=kind or derived,
    )


def _estimate(result: dict[str, Any]) -> datetime | None:
    """The end of the promised window, else its start, else the ESTIMATED_DELIVERY date."""
    window = as_dict(as_dict(result.get("estimatedDeliveryTimeWindow")).get("window"))
    when = estimate_time(window.get("ends"), any_iso_day=False) or estimate_time(
        window.get("begins"), any_iso_day=False
    )
    if when is None:
        for stamp in as_dicts(result.get("dateAndTimes")):
            if text(stamp.get("type")) == "ESTIMATED_DELIVERY":
                when = estimate_time(stamp.get("dateTime"), any_iso_day=False)
    return when


SPEC = CarrierSpec(
    name=PROVIDER,
    label="FedEx",
    fields=(
        AccountField(
            "client_id",
            "API key",
            help="From a project at developer.fedex.com that includes the Track API.",
        ),
        AccountField("client_secret", "Secret key", secret=True),
    ),
    base_url="https://apis.fedex.com",
    create=FedEx,
)
