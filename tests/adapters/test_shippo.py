import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers import registry
from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.shippo import SPEC, ShippoCarrier
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, fixture
from tests.conftest import FakeClock

TOKEN = "shippo_test_5f3c0b8e9a1d4c2f"
SHIPPED = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
TEST_NUMBERS = {
    "SHIPPO_PRE_TRANSIT": ("pre_transit.json", S.INFO_RECEIVED),
    "SHIPPO_TRANSIT": ("transit.json", S.IN_TRANSIT),
    "SHIPPO_DELIVERED": ("delivered.json", S.DELIVERED),
    "SHIPPO_RETURNED": ("returned.json", S.RETURNED_TO_SENDER),
    "SHIPPO_FAILURE": ("failure.json", S.EXCEPTION),
}


def query(number: str, carrier: str = "shippo") -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=SHIPPED, carrier_code=carrier)


def adapter(
    server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, token: str = TOKEN
) -> ShippoCarrier:
    carrier = SPEC.create({"api_token": token}, client=client, clock=clock, base_url=server.url)
    assert isinstance(carrier, ShippoCarrier)
    return carrier


def serve_test_numbers(server: CarrierServer) -> None:
    for number, (name, _) in TEST_NUMBERS.items():
        server.route("GET", f"/tracks/shippo/{number}", Reply(200, fixture("shippo", name)))
    server.route(
        "GET", "/tracks/shippo/SHIPPO_UNKNOWN", Reply(200, fixture("shippo", "unknown.json"))
    )


async def track_one(carrier: ShippoCarrier, q: TrackingQuery) -> TrackingResult:
    outcome = (await carrier.track([q]))[q.tracking_number]
    assert isinstance(outcome, TrackingResult), outcome
    return outcome


async def test_the_registry_finds_the_shippo_adapter_without_a_push_receiver() -> None:
    found = registry.spec("shippo")
    assert found is SPEC
    assert found.push is None and found.webhook_secret_field == ""
    assert found.rate_per_second == pytest.approx(500 / 60, abs=0.5)


async def test_it_maps_a_delivered_journey_with_utc_times_and_the_estimate(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_test_numbers(carrier_server)
    result = await track_one(adapter(carrier_server, http_client, clock), query("SHIPPO_DELIVERED"))

    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]  # the current tracking_status repeats the last history entry: kept once
    assert [e.raw_code for e in result.events][-2:] == [
        "TRANSIT/out_for_delivery",
        "DELIVERED/delivered",
    ]
    first, last = result.events[0], result.events[-1]
    assert first.occurred_at == datetime(2026, 10, 28, 17, 5, tzinfo=UTC)  # -07:00 local
    assert last.occurred_at == datetime(2026, 10, 31, 20, 21, tzinfo=UTC)
    assert last.description == "Delivered, Front Door/Porch"
    assert last.location == "Portland, OR, US"
    assert {e.provider for e in result.events} == {"shippo"}
    assert result.estimated_delivery == datetime(2026, 10, 31, 19, 0, tzinfo=UTC)


async def test_it_sends_the_shippo_token_and_the_carrier_in_the_path(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET",
        "/tracks/usps/9205590164917312751089",
        Reply(200, fixture("shippo", "attempt_then_pickup.json")),
    )
    await adapter(carrier_server, http_client, clock).track(
        [query("9205590164917312751089", carrier="USPS")]
    )
    (sent,) = carrier_server.requests
    assert sent.method == "GET" and sent.path == "/tracks/usps/9205590164917312751089"
    assert sent.headers["authorization"] == f"ShippoToken {TOKEN}"


@pytest.mark.parametrize("number", sorted(TEST_NUMBERS))
async def test_each_shippo_test_number_ends_in_its_status(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock, number: str
) -> None:
    serve_test_numbers(carrier_server)
    result = await track_one(adapter(carrier_server, http_client, clock), query(number))
    assert result.events[-1].status is TEST_NUMBERS[number][1]


async def test_substatus_splits_attempts_pickup_and_returns(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_test_numbers(carrier_server)
    carrier_server.route(
        "GET",
        "/tracks/usps/9205590164917312751089",
        Reply(200, fixture("shippo", "attempt_then_pickup.json")),
    )
    carrier = adapter(carrier_server, http_client, clock)
    attempt = await track_one(carrier, query("9205590164917312751089", carrier="usps"))
    assert [(e.status, e.raw_code) for e in attempt.events][-3:] == [
        (S.OUT_FOR_DELIVERY, "TRANSIT/out_for_delivery"),
        (S.FAILED_ATTEMPT, "FAILURE/delivery_attempted"),
        (S.AVAILABLE_FOR_PICKUP, "TRANSIT/pickup_available"),
    ]
    returned = await track_one(carrier, query("SHIPPO_RETURNED"))
    assert [e.status for e in returned.events][-2:] == [S.RETURNED_TO_SENDER] * 2
    lost = await track_one(carrier, query("SHIPPO_FAILURE"))
    assert lost.events[-1].raw_code == "FAILURE/package_lost"


async def test_an_unknown_status_keeps_the_previous_one(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    track = json.loads(fixture("shippo", "transit.json"))
    track["tracking_history"] += [
        {"status": "SIDEWAYS", "status_date": "2026-10-30T10:00:00Z", "status_details": "?"},
        {"status": "UNKNOWN", "status_date": "2026-10-30T11:00:00Z", "status_details": "??"},
    ]
    track["tracking_status"] = track["tracking_history"][-1]
    carrier_server.route("GET", "/tracks/shippo/SHIPPO_TRANSIT", Reply(200, json.dumps(track)))
    result = await track_one(adapter(carrier_server, http_client, clock), query("SHIPPO_TRANSIT"))
    assert [e.status for e in result.events][-3:] == [S.IN_TRANSIT] * 3
    assert result.events[-2].raw_code == "SIDEWAYS"


@pytest.mark.parametrize(
    ("number", "reply"),
    [
        ("SHIPPO_UNKNOWN", Reply(200, fixture("shippo", "unknown.json"))),
        ("9400111899223344556677", Reply(200, fixture("shippo", "not_found.json"))),
        ("9400111899223344556677", Reply(404, '{"detail": "Not found."}')),
    ],
)
async def test_a_number_without_data_is_not_found_for_now(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    number: str,
    reply: Reply,
) -> None:
    carrier_server.route("GET", f"/tracks/usps/{number}", reply)
    carrier_server.route("GET", f"/tracks/shippo/{number}", reply)
    carrier = "shippo" if number.startswith("SHIPPO") else "usps"
    results = await adapter(carrier_server, http_client, clock).track([query(number, carrier)])
    error = results[number]
    assert isinstance(error, CarrierError)
    assert error.kind is ErrorKind.NOT_FOUND and not error.permanent


async def test_a_number_without_carrier_is_a_config_error_of_that_number_only(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_test_numbers(carrier_server)
    results = await adapter(carrier_server, http_client, clock).track(
        [query("SHIPPO_TRANSIT"), query("1Z999AA10123456784", carrier="")]
    )
    assert isinstance(results["SHIPPO_TRANSIT"], TrackingResult)
    error = results["1Z999AA10123456784"]
    assert isinstance(error, CarrierError)
    assert error.kind is ErrorKind.CONFIG and error.permanent
    assert "carrier" in str(error) and "1Z999AA10123456784" in str(error)
    assert [r.path for r in carrier_server.requests] == ["/tracks/shippo/SHIPPO_TRANSIT"]


async def test_a_rate_limit_on_one_number_stops_the_batch(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_test_numbers(carrier_server)
    carrier_server.route(
        "GET", "/tracks/shippo/SHIPPO_FAILURE", Reply(429, "", {"Retry-After": "5"})
    )
    with pytest.raises(CarrierError) as caught:
        await adapter(carrier_server, http_client, clock).track([query(n) for n in TEST_NUMBERS])
    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 5


async def test_one_failing_number_does_not_sink_the_others(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_test_numbers(carrier_server)
    carrier_server.route("GET", "/tracks/shippo/SHIPPO_FAILURE", Reply(502, "bad gateway"))
    results = await adapter(carrier_server, http_client, clock).track(
        [query(n) for n in TEST_NUMBERS]
    )
    failed = results["SHIPPO_FAILURE"]
    assert isinstance(failed, CarrierError) and failed.kind is ErrorKind.UNAVAILABLE
    assert all(
        isinstance(results[n], TrackingResult) for n in TEST_NUMBERS if n != "SHIPPO_FAILURE"
    )


async def test_missing_optional_fields_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", "/tracks/ups/1Z999AA10123456784", Reply(200, fixture("shippo", "sparse.json"))
    )
    result = await track_one(
        adapter(carrier_server, http_client, clock), query("1Z999AA10123456784", carrier="ups")
    )
    assert [(e.status, e.description, e.location, e.raw_code) for e in result.events] == [
        (S.INFO_RECEIVED, "", "", "PRE_TRANSIT"),
        (S.IN_TRANSIT, "", "", "TRANSIT"),
    ]
    assert result.estimated_delivery is None


async def test_check_lists_one_carrier_account_and_names_the_token_mode(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", "/carrier_accounts", Reply(200, fixture("shippo", "carrier_accounts.json"))
    )
    carrier = adapter(carrier_server, http_client, clock)
    assert await carrier.check() == "ok: Shippo accepted the test API token"
    live = adapter(carrier_server, http_client, clock, token="shippo_live_0a1b2c")
    assert await live.check() == "ok: Shippo accepted the live API token"
    sent = carrier_server.requests[0]
    assert sent.query == {"results": ["1"]}
    assert sent.headers["authorization"] == f"ShippoToken {TOKEN}"


async def test_check_says_when_the_token_is_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", "/carrier_accounts", Reply(401, fixture("shippo", "unauthorized.json"))
    )
    with pytest.raises(CarrierError) as caught:
        await adapter(carrier_server, http_client, clock).check()
    assert caught.value.kind is ErrorKind.AUTH
    assert "refused (401)" in str(caught.value) and "Invalid token" in str(caught.value)


async def test_a_current_status_newer_than_the_history_is_kept(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    track = json.loads(fixture("shippo", "transit.json"))
    track["tracking_status"] = {
        "status": "TRANSIT",
        "status_date": "2026-10-31T07:48:00-07:00",
        "status_details": "Out for Delivery",
        "substatus": {"code": "out_for_delivery", "text": "Out for delivery."},
        "location": {"city": "Portland", "state": "OR", "country": "US"},
    }
    carrier_server.route("GET", "/tracks/shippo/SHIPPO_TRANSIT", Reply(200, json.dumps(track)))
    result = await track_one(adapter(carrier_server, http_client, clock), query("SHIPPO_TRANSIT"))
    assert len(result.events) == len(track["tracking_history"]) + 1
    assert result.events[-1].status is S.OUT_FOR_DELIVERY
    assert result.events[-1].occurred_at == datetime(2026, 10, 31, 14, 48, tzinfo=UTC)


async def test_missed_deliveries_told_in_words_under_failure_are_failed_attempts(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A FAILURE without the delivery_attempted substatus that tells of a missed delivery, in
    the carrier's Spanish or in the substatus text; a damaged parcel stays an exception."""
    body = fixture("shippo", "missed_deliveries.json")
    carrier_server.route("GET", "/tracks/dhl_express/3318810025", Reply(200, body))

    result = await track_one(
        adapter(carrier_server, http_client, clock), query("3318810025", "dhl_express")
    )

    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,  # "Destinatario ausente"
        S.FAILED_ATTEMPT,  # substatus text "Recipient not available at the time of delivery"
        S.EXCEPTION,
    ]
