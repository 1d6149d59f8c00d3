"""FedEx Track API v1: up to 30 numbers per call, OAuth client credentials in a form.

Scans come newest first with ISO times carrying their offset. ``derivedStatusCode`` is FedEx's
normalised code and maps first, ``eventType`` when it does not map; the text only splits
returns out (carriers.md §4). An unknown number is not an HTTP error but an ``error`` inside its
own result (``TRACKING.TRACKINGNUMBER.NOTFOUND``), so it is NOT_FOUND for that number alone;
a number FedEx calls INVALID is treated alike and stays pending until ShopCare gives up on it.

Answers as FedEx documents them (its Track API example) that need more than the first result:

* a number reused for several parcels comes back as several ``trackResults``: the one that
  fits the shipment (postcode, ship date, latest activity; ``_choice``) is followed, and the
  result notes the choice for the owner;
* a result may carry scans and an ``error`` at once: the scans count, the error becomes a note;
* "Customer not available" under a shipment exception (SE) is a failed attempt (``_words``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from shopcare.carriers._calls import OAuthAdapter, client_credentials, track_chunks
from shopcare.carriers._choice import Candidate, choose
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
    parse_time,
    required_time,
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
        found = _by_number(json_of(response, provider=PROVIDER), chunk)
        missing = bad_response(PROVIDER, "the answer has no result for this number")
        return {q.tracking_number: found.get(q.tracking_number, missing) for q in chunk}


def _headers() -> dict[str, str]:
    return {"X-locale": "en_US"}


def _by_number(body: object, queries: Sequence[TrackingQuery]) -> dict[str, Outcome]:
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
        query = next((q for q in queries if q.tracking_number == number), None)
        try:
            found[number] = _outcome(results, query)
        except CarrierError as exc:  # one odd result must not cost the other 29 answers
            found[number] = exc
    return found


def _outcome(results: list[dict[str, Any]], query: TrackingQuery | None) -> Outcome:
    if not results:
        raise bad_response(PROVIDER, "a number came back without trackResults")
    with_scans = [r for r in results if as_dicts(r.get("scanEvents"))]
    choice = ""
    if query is not None and len(with_scans) > 1:
        result, choice = choose([_candidate(r) for r in with_scans], query, provider="FedEx")
    else:
        result = with_scans[0] if with_scans else results[0]
    error = as_dict(result.get("error"))
    said = f"{PROVIDER}: {text(error.get('code'))}: {text(error.get('message'))}" if error else ""
    scans = [_scan(event) for event in as_dicts(result.get("scanEvents"))]
    if error and not scans:
        kind = ErrorKind.BAD_RESPONSE
        if text(error.get("code")).endswith(_NOT_FOUND_ENDINGS):
            kind = ErrorKind.NOT_FOUND
        return CarrierError(said, permanent=False, kind=kind)
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER, newest_first=True),
        estimated_delivery=_estimate(result),
        note=" · ".join(part for part in (choice, said) if part),
    )


_SHIP_DATES = ("SHIP", "ACTUAL_PICKUP", "ACTUAL_TENDER")


def _candidate(result: dict[str, Any]) -> Candidate[dict[str, Any]]:
    """What one of several parcels under the number says about itself."""
    times = [
        when
        for event in as_dicts(result.get("scanEvents"))
        if (when := parse_time(event.get("date"))) is not None
    ]
    stamps = {text(s.get("type")): s.get("dateTime") for s in as_dicts(result.get("dateAndTimes"))}
    shipped = next(
        (day for kind in _SHIP_DATES if (day := _day(stamps.get(kind))) is not None),
        min(times).date() if times else None,
    )
    places = (
        as_dict(as_dict(result.get("recipientInformation")).get("address")),
        as_dict(as_dict(result.get("destinationLocation")).get("locationContactAndAddress")).get(
            "address"
        ),
        result.get("lastUpdatedDestinationAddress"),
    )
    postcode = next((code for p in places if (code := text(as_dict(p).get("postalCode")))), "")
    return Candidate(
        item=result,
        shipped_on=shipped,
        postal_code=postcode,
        last_activity=max(times) if times else None,
    )


def _day(value: object) -> date | None:
    """FedEx's ship dates come as local date-times without an offset: only the day counts."""
    raw = text(value)
    try:
        return date.fromisoformat(raw[:10]) if len(raw) >= 10 else None
    except ValueError:
        return None


def _scan(event: dict[str, Any]) -> Scan:
    derived, kind = text(event.get("derivedStatusCode")), text(event.get("eventType"))
    said = (text(event.get("eventDescription")), text(event.get("exceptionDescription")))
    description = ": ".join(part for part in said if part)
    status = _CODES.get(derived.upper()) or _CODES.get(kind.upper())
    if status in _RETURN_FROM and mentions_return(description):
        status = S.RETURNED_TO_SENDER
    elif status is S.EXCEPTION and says_failed_attempt(description):
        status = S.FAILED_ATTEMPT
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
