"""FedEx Track API v1: up to 30 numbers per call, OAuth client credentials in a form.

Scans come newest first with ISO times carrying their offset. ``derivedStatusCode`` is FedEx's
normalised code and maps first, ``eventType`` when it does not map; the text only splits
returns out (carriers.md §4). An unknown number is not an HTTP error but an ``error`` inside its
own result (``TRACKING.TRACKINGNUMBER.NOTFOUND``), so it is NOT_FOUND for that number alone;
a number FedEx calls INVALID is treated alike and stays pending until ShopCare gives up on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from shopcare.carriers._oauth_client import (
    OAuthClient,
    Outcome,
    Scan,
    bad,
    estimate_time,
    events_of,
    mentions_return,
    obj,
    objs,
    place,
    require,
    text,
    track_each,
    utc_time,
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
_KEYS = ("client_id", "client_secret")
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


class FedEx:
    name = PROVIDER
    label = "FedEx"
    clock_speed = 1.0
    batch_size = BATCH

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        base_url: str,
    ) -> None:
        self._credentials = credentials
        self._base = base_url.rstrip("/")
        self._oauth = OAuthClient(
            client=client,
            clock=clock,
            provider=PROVIDER,
            token_url=f"{self._base}/oauth/token",
            token_request={
                "data": {
                    "grant_type": "client_credentials",
                    "client_id": credentials.get("client_id", "").strip(),
                    "client_secret": credentials.get("client_secret", "").strip(),
                }
            },
        )

    async def track(self, queries: Sequence[TrackingQuery]) -> Mapping[str, Outcome]:
        require(self._credentials, _KEYS, provider=PROVIDER)
        return await track_each(queries, self._track_batch, size=BATCH)

    async def check(self) -> str:
        """A token proves the key pair; FedEx issues Track keys per project, so keys of a
        project without the Track API get their token and then a 403 on the first poll."""
        require(self._credentials, _KEYS, provider=PROVIDER)
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
        missing = bad(PROVIDER, "the answer has no result for this number")
        return {q.tracking_number: found.get(q.tracking_number, missing) for q in chunk}


def _headers() -> dict[str, str]:
    return {"X-locale": "en_US"}


def _by_number(body: object) -> dict[str, Outcome]:
    complete = obj(obj(body).get("output")).get("completeTrackResults")
    if not isinstance(complete, list):
        errors = objs(obj(body).get("errors"))
        why = text(errors[0].get("message")) if errors else ""
        raise bad(PROVIDER, f"the answer has no output.completeTrackResults {why}".strip())
    found: dict[str, Outcome] = {}
    for item in objs(complete):
        results = objs(item.get("trackResults"))
        number = text(item.get("trackingNumber")) or (
            text(obj(results[0].get("trackingNumberInfo")).get("trackingNumber")) if results else ""
        )
        try:
            found[number] = _outcome(results)
        except CarrierError as exc:  # one odd result must not cost the other 29 answers
            found[number] = exc
    return found


def _outcome(results: list[dict[str, Any]]) -> Outcome:
    if not results:
        raise bad(PROVIDER, "a number came back without trackResults")
    result = results[0]
    error = obj(result.get("error"))
    if error:
        code = text(error.get("code"))
        message = f"{PROVIDER}: {code}: {text(error.get('message'))}"
        if code.endswith(_NOT_FOUND_ENDINGS):
            return CarrierError(message, permanent=False, kind=ErrorKind.NOT_FOUND)
        return CarrierError(message, permanent=False, kind=ErrorKind.BAD_RESPONSE)
    scans = [_scan(event) for event in objs(result.get("scanEvents"))]
    return TrackingResult(
        events=events_of(scans, provider=PROVIDER), estimated_delivery=_estimate(result)
    )


def _scan(event: dict[str, Any]) -> Scan:
    derived, kind = text(event.get("derivedStatusCode")), text(event.get("eventType"))
    said = (text(event.get("eventDescription")), text(event.get("exceptionDescription")))
    description = ": ".join(part for part in said if part)
    status = _CODES.get(derived.upper()) or _CODES.get(kind.upper())
    if status in _RETURN_FROM and mentions_return(description):
        status = S.RETURNED_TO_SENDER
    where = obj(event.get("scanLocation"))
    return Scan(
        occurred_at=utc_time(event.get("date"), provider=PROVIDER),
        status=status,
        description=description,
        location=place(
            where.get("city"), where.get("stateOrProvinceCode"), where.get("countryCode")
        ),
        raw_code=kind or derived,
    )


def _estimate(result: dict[str, Any]) -> datetime | None:
    """The end of the promised window, else its start, else the ESTIMATED_DELIVERY date."""
    window = obj(obj(result.get("estimatedDeliveryTimeWindow")).get("window"))
    when = estimate_time(window.get("ends")) or estimate_time(window.get("begins"))
    if when is None:
        for stamp in objs(result.get("dateAndTimes")):
            if text(stamp.get("type")) == "ESTIMATED_DELIVERY":
                when = estimate_time(stamp.get("dateTime"))
    return when


def create(
    credentials: Mapping[str, str],
    *,
    client: httpx.AsyncClient,
    clock: Callable[[], datetime],
    base_url: str,
) -> FedEx:
    return FedEx(credentials, client=client, clock=clock, base_url=base_url)


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
    create=create,
)
