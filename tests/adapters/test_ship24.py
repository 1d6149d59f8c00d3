import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.ship24 import SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

TRACK = "/public/v1/trackers/track"
COURIERS = "/public/v1/couriers"
SHIPPED = datetime(2026, 10, 26, tzinfo=UTC)
DHL = "00340434292135100186"


def carrier(server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, key: str = "s24-k"):
    base = f"{server.url}/public/v1"
    return SPEC.create({"api_key": key}, client=client, clock=clock, base_url=base)


def query(number: str, carrier_code: str = "", postal_code: str = "") -> TrackingQuery:
    return TrackingQuery(
        number, shipped_at=SHIPPED, carrier_code=carrier_code, postal_code=postal_code
    )


def by_number(replies: dict[str, Reply]):
    def answer(request: Request) -> Reply:
        return replies[request.json()["trackingNumber"]]

    return answer


async def test_it_maps_a_delivered_journey_with_a_failed_attempt(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TRACK, Reply(200, fixture("ship24", "journey.json")))

    results = await carrier(carrier_server, http_client, clock).track(
        [query(DHL, "dhl-paket", "10115")]
    )

    journey = results[DHL]
    assert isinstance(journey, TrackingResult)
    assert [e.status for e in journey.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,  # no milestone: keeps the status before it
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in journey.events][:2] == ["data_order_created", "transit_pickup"]
    assert journey.events[4].raw_code == "failed_attempt"
    assert journey.events[0].occurred_at == datetime(2026, 10, 26, 19, 3, tzinfo=UTC)
    assert journey.events[0].location == ""
    assert journey.events[-1].occurred_at == datetime(2026, 10, 30, 10, 32, tzinfo=UTC)
    assert journey.events[-1].location == "Berlin, Germany"
    assert journey.events[-1].description.startswith("Die Sendung wurde zugestellt.")
    assert journey.events[-1].provider == "ship24"
    assert journey.estimated_delivery == datetime(2026, 10, 29, 17, 0, tzinfo=UTC)

    (sent,) = carrier_server.requests
    assert sent.headers["authorization"] == "Bearer s24-k"
    assert sent.json() == {
        "trackingNumber": DHL,
        "courierCode": ["dhl-paket"],
        "destinationPostCode": "10115",
    }


async def test_a_number_without_events_yet_stays_pending(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TRACK, Reply(201, fixture("ship24", "pending.json")))
    results = await carrier(carrier_server, http_client, clock).track(
        [query("SHIP24TEST2023H1M00")]
    )
    assert results == {"SHIP24TEST2023H1M00": TrackingResult()}
    assert carrier_server.requests[0].json() == {"trackingNumber": "SHIP24TEST2023H1M00"}


async def test_it_asks_once_per_number_and_answers_every_number_of_a_batch(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TRACK, Reply(200, fixture("ship24", "pending.json")))
    numbers = [f"CP{i:09d}FR" for i in range(12)]

    results = await carrier(carrier_server, http_client, clock).track(
        [query(n) for n in [*numbers, numbers[0]]]
    )

    asked = sorted(r.json()["trackingNumber"] for r in carrier_server.requests)
    assert asked == numbers  # one call per number, the repeated one asked once
    assert sorted(results) == numbers


async def test_a_number_ship24_refuses_is_that_numbers_not_found(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    replies = {
        DHL: Reply(200, fixture("ship24", "journey.json")),
        "X1": Reply(400, fixture("ship24", "invalid.json")),
    }
    carrier_server.route("POST", TRACK, by_number(replies))

    results = await carrier(carrier_server, http_client, clock).track([query(DHL), query("X1")])

    assert isinstance(results[DHL], TrackingResult)
    refused = results["X1"]
    assert isinstance(refused, CarrierError) and refused.kind is ErrorKind.NOT_FOUND
    assert "validation_error: Please make sure that trackingNumber" in str(refused)


async def test_a_server_error_on_one_number_of_two_is_that_numbers_error(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    replies = {DHL: Reply(200, fixture("ship24", "journey.json")), "X1": Reply(502, "")}
    carrier_server.route("POST", TRACK, by_number(replies))

    results = await carrier(carrier_server, http_client, clock).track([query(DHL), query("X1")])

    assert isinstance(results[DHL], TrackingResult)
    failed = results["X1"]
    assert isinstance(failed, CarrierError) and failed.kind is ErrorKind.UNAVAILABLE


async def test_a_refused_key_on_any_number_stops_the_whole_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    replies = {DHL: Reply(200, fixture("ship24", "journey.json")), "X1": Reply(401, "{}")}
    carrier_server.route("POST", TRACK, by_number(replies))
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).track([query(DHL), query("X1")])
    assert caught.value.kind is ErrorKind.AUTH


async def test_it_keeps_going_when_optional_fields_are_missing(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TRACK, Reply(200, fixture("ship24", "minimal.json")))

    results = await carrier(carrier_server, http_client, clock).track([query("CP123456789FR")])

    result = results["CP123456789FR"]
    assert isinstance(result, TrackingResult) and result.estimated_delivery is None
    received, moving = result.events  # the event without any time is skipped
    assert received.occurred_at == datetime(2026, 10, 27, 16, 0, tzinfo=UTC)
    assert moving.status is S.IN_TRANSIT and moving.raw_code == "in_transit"
    assert moving.description == moving.location == ""


async def test_check_counts_the_couriers(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", COURIERS, Reply(200, fixture("ship24", "couriers.json")))
    answer = await carrier(carrier_server, http_client, clock).check()
    assert answer == "ok: Ship24 accepted the key; 3 couriers available"
    assert carrier_server.requests[0].headers["authorization"] == "Bearer s24-k"


async def test_check_says_the_key_lacks_permission(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = json.dumps({"errors": [{"code": "forbidden", "message": "No active subscription"}]})
    carrier_server.route("GET", COURIERS, Reply(403, body))
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).check()
    assert caught.value.kind is ErrorKind.AUTH
    assert "permissions or scope (403)" in str(caught.value)
    assert "No active subscription" in str(caught.value)


def test_a_push_with_the_secret_verifies_and_maps_a_return() -> None:
    body = fixture("ship24", "push.json").encode()
    push = SPEC.push
    assert push is not None and SPEC.webhook_secret_field == "webhook_secret"

    assert push.verify({"authorization": "Bearer wh-s24"}, body, "wh-s24")
    (update,) = push.parse(body)

    assert update.tracking_number == "RB123456785GB"
    assert update.event_id == "msg-0c5e1d2f-77aa-4b21-9c3e-52f1a0b6d4e9"
    assert [e.status for e in update.result.events] == [
        S.IN_TRANSIT,
        S.EXCEPTION,
        S.RETURNED_TO_SENDER,
    ]
    assert update.result.estimated_delivery == datetime(2026, 10, 28, 23, 59, 59, tzinfo=UTC)


def test_a_push_without_the_right_secret_does_not_verify() -> None:
    body = fixture("ship24", "push.json").encode()
    push = SPEC.push
    assert push is not None
    assert not push.verify({"authorization": "Bearer other"}, body, "wh-s24")
    assert not push.verify({"authorization": "wh-s24"}, body, "wh-s24")
    assert not push.verify({}, body, "wh-s24")
    assert not push.verify({"authorization": "Bearer "}, body, "")


def test_a_garbage_push_is_a_bad_response() -> None:
    push = SPEC.push
    assert push is not None
    for body in (b"<xml/>", b'{"trackings":{}}', b'{"trackings":[{"tracker":{}}]}'):
        with pytest.raises(CarrierError) as caught:
            push.parse(body)
        assert caught.value.kind is ErrorKind.BAD_RESPONSE


async def test_a_reused_number_a_milestone_beyond_the_events_and_a_missed_delivery_in_words(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Ship24 lists both parcels it matched under the number, the older first; ours ends with
    a delivered milestone that only ``statistics.timestamps`` dates, after a PostNL
    "je was niet thuis" under ``exception`` and an event with a code and no milestone."""
    reply = Reply(200, fixture("ship24", "summaries_and_reuse.json"))
    carrier_server.route("POST", TRACK, reply)

    result = (
        await carrier(carrier_server, http_client, clock).track(
            [query("LX123456785NL", postal_code="3511LX")]
        )
    )["LX123456785NL"]

    assert isinstance(result, TrackingResult)
    assert [(e.status, e.raw_code) for e in result.events] == [
        (S.IN_TRANSIT, "transit_departure"),
        (S.OUT_FOR_DELIVERY, "delivery_out_for_delivery"),
        (S.FAILED_ATTEMPT, "exception"),
        (S.DELIVERED, "delivery_delivered"),
    ]
    assert result.events[-1].occurred_at == datetime(2026, 11, 3, 10, 20, tzinfo=UTC)
    assert "Ship24 has 2 parcels under LX123456785NL" in result.note
    assert "following the one shipped 2026-10-28, to 3511 LX" in result.note
