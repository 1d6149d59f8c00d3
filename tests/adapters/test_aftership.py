import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.aftership import SPEC
from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

TRACKINGS = "/tracking/2025-01/trackings"
COURIERS = "/tracking/2025-01/couriers"
SHIPPED = datetime(2026, 10, 26, tzinfo=UTC)
UPS, USPS, DHL = "1Z5R89390357567127", "9400111206206406260787", "JD014600006281630000"


def carrier(server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, key: str = "as-k"):
    base = f"{server.url}/tracking/2025-01"
    return SPEC.create({"api_key": key}, client=client, clock=clock, base_url=base)


def query(number: str, carrier_code: str = "") -> TrackingQuery:
    return TrackingQuery(number, shipped_at=SHIPPED, carrier_code=carrier_code)


async def test_it_maps_a_delivered_journey_with_a_failed_attempt(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", TRACKINGS, Reply(200, fixture("aftership", "trackings.json")))
    carrier_server.route("POST", TRACKINGS, Reply(201, fixture("aftership", "created.json")))

    results = await carrier(carrier_server, http_client, clock).track(
        [query(UPS, "ups"), query(USPS), query(DHL, "dhl")]
    )

    ups = results[UPS]
    assert isinstance(ups, TrackingResult)
    assert [e.status for e in ups.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,  # no tag: keeps the status before it
        S.FAILED_ATTEMPT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in ups.events][:3] == [
        "InfoReceived_001",
        "InTransit_002",
        "InTransit_007",
    ]
    assert ups.events[0].occurred_at == datetime(2026, 10, 26, 22, 2, 11, tzinfo=UTC)
    assert ups.events[2].occurred_at == datetime(2026, 10, 28, 3, 15, tzinfo=UTC)  # no offset
    assert ups.events[-1].occurred_at == datetime(2026, 10, 30, 17, 41, tzinfo=UTC)
    assert ups.events[-1].location == "Chicago, IL, USA"
    assert ups.events[-1].description == "Delivered, Front Door"
    assert ups.events[-1].provider == "aftership"
    assert ups.estimated_delivery == datetime(2026, 10, 30, 23, 59, 59, tzinfo=UTC)

    usps = results[USPS]
    assert isinstance(usps, TrackingResult)
    assert [e.status for e in usps.events][-1] is S.RETURNED_TO_SENDER
    assert usps.events[-1].raw_code == "Exception_011"
    assert usps.estimated_delivery == datetime(2026, 11, 4, 23, 59, 59, tzinfo=UTC)

    assert results[DHL] == TrackingResult()  # added to AfterShip now: stays pending
    read, added = carrier_server.requests
    assert read.headers["as-api-key"] == "as-k"
    assert read.query["tracking_numbers"] == [f"{UPS},{USPS},{DHL}"]
    assert added.method == "POST" and added.json() == {"tracking_number": DHL, "slug": "dhl"}


async def test_it_reads_51_numbers_in_two_calls_and_adds_the_unknown_side_by_side(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    empty = json.dumps({"meta": {"code": 200}, "data": {"trackings": []}})
    carrier_server.route("GET", TRACKINGS, Reply(200, empty))
    carrier_server.route("POST", TRACKINGS, Reply(201, fixture("aftership", "created.json")))
    numbers = [f"TEST{i:08d}" for i in range(51)]

    results = await carrier(carrier_server, http_client, clock).track([query(n) for n in numbers])

    reads = [r for r in carrier_server.requests if r.method == "GET"]
    assert [len(r.query["tracking_numbers"][0].split(",")) for r in reads] == [50, 1]
    posts = [r.json() for r in carrier_server.requests if r.method == "POST"]
    assert sorted(p["tracking_number"] for p in posts) == numbers
    assert all("slug" not in p for p in posts)
    assert all(r == TrackingResult() for r in results.values())


async def test_a_number_added_elsewhere_meanwhile_stays_pending(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    empty = json.dumps({"meta": {"code": 200}, "data": {"trackings": []}})
    carrier_server.route("GET", TRACKINGS, Reply(200, empty))

    def refuse(request: Request) -> Reply:
        name = "exists.json" if request.json()["tracking_number"] == DHL else "invalid.json"
        return Reply(400, fixture("aftership", name))

    carrier_server.route("POST", TRACKINGS, refuse)

    results = await carrier(carrier_server, http_client, clock).track([query(DHL), query("??")])

    assert results[DHL] == TrackingResult()
    refused = results["??"]
    assert isinstance(refused, CarrierError) and refused.kind is ErrorKind.NOT_FOUND
    assert "`tracking_number` is invalid" in str(refused)


async def test_a_refused_key_when_adding_stops_the_whole_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    empty = json.dumps({"meta": {"code": 200}, "data": {"trackings": []}})
    carrier_server.route("GET", TRACKINGS, Reply(200, empty))
    carrier_server.route("POST", TRACKINGS, Reply(403, '{"meta":{"code":403}}'))
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).track([query(DHL)])
    assert caught.value.kind is ErrorKind.AUTH


async def test_it_keeps_going_when_optional_fields_are_missing(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", TRACKINGS, Reply(200, fixture("aftership", "minimal.json")))

    results = await carrier(carrier_server, http_client, clock).track([query("1Z999AA10123456784")])

    result = results["1Z999AA10123456784"]
    assert isinstance(result, TrackingResult) and result.estimated_delivery is None
    first, second = result.events  # the checkpoint without any time is skipped
    assert first.occurred_at == datetime(2026, 10, 28, 7, 0, tzinfo=UTC)
    assert first.raw_code == "InTransit" and first.location == first.description == ""
    assert second.status is S.OUT_FOR_DELIVERY


async def test_check_lists_the_active_couriers(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", COURIERS, Reply(200, fixture("aftership", "couriers.json")))
    answer = await carrier(carrier_server, http_client, clock).check()
    assert answer == "ok: AfterShip accepted the key; 3 couriers active on the account"
    assert carrier_server.requests[0].headers["as-api-key"] == "as-k"


async def test_check_says_the_key_was_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = '{"meta":{"code":401,"message":"Invalid API key.","type":"Unauthorized"}}'
    carrier_server.route("GET", COURIERS, Reply(401, body))
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).check()
    assert caught.value.kind is ErrorKind.AUTH and "refused (401)" in str(caught.value)
    assert "Invalid API key." in str(caught.value)


def signed(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}


def test_a_signed_push_verifies_and_parses_with_its_event_id() -> None:
    body = fixture("aftership", "push.json").encode()
    push = SPEC.push
    assert push is not None and SPEC.webhook_secret_field == "webhook_secret"

    assert push.verify(signed(body, "whsec"), body, "whsec")
    (update,) = push.parse(body)

    assert update.tracking_number == UPS
    assert update.event_id == "7f1c2a5e-5d0b-4c53-9a3d-0e8c2b6f4d11"
    assert [e.status for e in update.result.events] == [S.IN_TRANSIT, S.OUT_FOR_DELIVERY]
    assert update.result.estimated_delivery == datetime(2026, 10, 31, 1, 0, tzinfo=UTC)


def test_a_tampered_push_or_a_wrong_secret_does_not_verify() -> None:
    body = fixture("aftership", "push.json").encode()
    push = SPEC.push
    assert push is not None
    headers = signed(body, "whsec")
    assert not push.verify(headers, body.replace(b"OutForDelivery", b"Delivered"), "whsec")
    assert not push.verify(headers, body, "other")
    assert not push.verify({}, body, "whsec")


def test_a_garbage_push_is_a_bad_response() -> None:
    push = SPEC.push
    assert push is not None
    for body in (b"\xff\xfe", b'"text"', b'{"event":"tracking_update","msg":{}}'):
        with pytest.raises(CarrierError) as caught:
            push.parse(body)
        assert caught.value.kind is ErrorKind.BAD_RESPONSE


REUSED = "JD014600006281230704"


async def test_summaries_beyond_the_checkpoints_and_a_reused_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """AfterShip's own SDK fixture has tag Delivered over one InfoReceived checkpoint; a
    tracking may have no checkpoints at all; one number may carry two parcels."""
    reply = Reply(200, fixture("aftership", "summaries_and_reuse.json"))
    carrier_server.route("GET", TRACKINGS, reply)
    ours = TrackingQuery(
        REUSED, shipped_at=datetime(2026, 10, 29, 9, tzinfo=UTC), postal_code="80331"
    )

    results = await carrier(carrier_server, http_client, clock).track(
        [query("9434936105536968782556", "usps"), query(UPS, "ups"), ours]
    )

    usps = results["9434936105536968782556"]
    assert isinstance(usps, TrackingResult)
    assert [e.status for e in usps.events] == [S.INFO_RECEIVED, S.DELIVERED]
    assert usps.events[-1].occurred_at == datetime(2026, 11, 2, 17, 19, 47, tzinfo=UTC)
    assert usps.events[-1].raw_code == "Delivered_001" and usps.note == ""
    attempt = results[UPS]
    assert isinstance(attempt, TrackingResult)
    (only,) = attempt.events
    assert only.status is S.FAILED_ATTEMPT and only.description == "Addressee not available"
    assert only.occurred_at == datetime(2026, 11, 1, 17, 19, 47, tzinfo=UTC)
    reused = results[REUSED]
    assert isinstance(reused, TrackingResult)
    assert [e.status for e in reused.events] == [
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,  # a subtag without a tag
        S.FAILED_ATTEMPT,  # "Der Empfänger wurde nicht angetroffen" under Exception
    ]
    assert "2 parcels under JD014600006281230704" in reused.note
    assert "following the one shipped 2026-10-29, to 80331" in reused.note
