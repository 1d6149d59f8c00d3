"""The karrio bridge with karrio's DHL Universal connector against a loopback DHL API."""

import asyncio
import json
import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.karrio_bridge import SPEC, Karrio, _scan
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, fixture
from tests.conftest import FakeClock

NUMBER = "00340434161094042557"
PATH = "/track/shipments"


def bridge(
    server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, deadline: float = 20.0
) -> Karrio:
    credentials = {
        "carrier": "dhl_universal",
        "settings_json": json.dumps({"consumer_key": "shop-key", "consumer_secret": "shh"}),
        "server_url": server.url,
    }
    return Karrio(credentials, client=client, clock=clock, base_url="", deadline=deadline)


def query(number: str = NUMBER) -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=datetime(2026, 10, 29, tzinfo=UTC))


async def track_one(carrier: Karrio) -> object:
    return (await carrier.track([query()]))[NUMBER]


async def test_it_maps_a_delivered_journey_in_utc(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(200, fixture("karrio", "dhl_journey.json")))

    result = await track_one(bridge(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.PENDING,  # pre-transit: karrio has no status for it
        S.IN_TRANSIT,
        S.FAILED_ATTEMPT,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in result.events] == ["pre-transit", "transit", "failure", "delivered"]
    assert result.events[0].occurred_at == datetime(2026, 10, 29, 8, 2, tzinfo=UTC)
    assert result.events[-1].occurred_at == datetime(2026, 11, 2, 16, 21, tzinfo=UTC)
    assert result.events[-1].location == "Leipzig"
    assert result.events[-1].description == "The shipment has been delivered."
    assert {e.provider for e in result.events} == {"karrio"}
    assert result.estimated_delivery == datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
    sent = carrier_server.requests[0]
    assert sent.headers["dhl-api-key"] == "shop-key"
    assert sent.query["trackingNumber"] == [NUMBER]


async def test_an_unknown_number_is_not_found_for_that_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(404, fixture("karrio", "dhl_not_found_404.json")))

    result = await track_one(bridge(carrier_server, http_client, clock))

    assert isinstance(result, CarrierError)
    assert result.kind is ErrorKind.NOT_FOUND
    assert not result.permanent
    assert "No shipment with given tracking number found." in str(result)


async def test_a_server_error_is_a_temporary_bad_response(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", PATH, Reply(500, "Internal Server Error", content_type="text/plain")
    )

    try:
        await track_one(bridge(carrier_server, http_client, clock))
    except CarrierError as exc:
        assert exc.kind is ErrorKind.BAD_RESPONSE
        assert not exc.permanent
        assert str(exc).startswith("karrio: ")
    else:
        raise AssertionError("a 500 must fail the call")


async def test_a_slow_answer_is_abandoned_at_the_deadline_while_the_loop_runs_on(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    release = threading.Event()  # the server answers only when the test says so

    def held(_request: object) -> Reply:
        release.wait(30)
        return Reply(200, fixture("karrio", "dhl_journey.json"))

    carrier_server.route("GET", PATH, held)
    carrier = bridge(carrier_server, http_client, clock, deadline=0.5)
    loop_ran = asyncio.Event()

    async def other_work() -> None:
        await asyncio.sleep(0.01)
        loop_ran.set()

    other = asyncio.create_task(other_work())
    try:
        await track_one(carrier)
    except CarrierError as exc:
        assert exc.kind is ErrorKind.NETWORK
        assert not exc.permanent
        assert "no answer in time" in str(exc)
        answered, ran_meanwhile = release.is_set(), loop_ran.is_set()
    else:
        raise AssertionError("a call past its deadline must fail")
    finally:
        release.set()  # the abandoned thread gets its answer and ends
        await other
    assert not answered  # given up while the server still held its answer
    assert ran_meanwhile  # other work ran while karrio's thread waited


async def test_the_karrio_call_runs_in_a_worker_thread(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    threads: list[str] = []

    def answer(request: object) -> Reply:
        return Reply(200, fixture("karrio", "dhl_journey.json"))

    carrier_server.route("GET", PATH, answer)
    carrier = bridge(carrier_server, http_client, clock)
    original = carrier._fetch

    def spy(number: str) -> tuple[object, object]:
        threads.append(threading.current_thread().name)
        return original(number)

    carrier._fetch = spy  # type: ignore[method-assign]

    result = await track_one(carrier)

    assert isinstance(result, TrackingResult)
    assert threads and threads[0] != threading.main_thread().name


def test_karrio_statuses_map_onto_ours() -> None:
    def status(name: str) -> S | None:
        event = SimpleNamespace(status=name, timestamp="2026-11-02T10:00:00.000Z")
        return _scan(event).status

    assert {name: status(name) for name in _KARRIO_STATUSES} == {
        "pending": S.PENDING,
        "picked_up": S.IN_TRANSIT,
        "on_hold": S.EXCEPTION,
        "cancelled": S.EXCEPTION,
        "delivered": S.DELIVERED,
        "in_transit": S.IN_TRANSIT,
        "delivery_failed": S.FAILED_ATTEMPT,
        "delivery_delayed": S.IN_TRANSIT,
        "out_for_delivery": S.OUT_FOR_DELIVERY,
        "ready_for_pickup": S.AVAILABLE_FOR_PICKUP,
        "return_to_sender": S.RETURNED_TO_SENDER,
        "unknown": None,
    }


def test_the_spec_is_registered() -> None:
    from shopcare.carriers.registry import carrier_label, spec

    assert spec("karrio") is SPEC
    assert carrier_label("karrio") == "karrio (other carriers)"
    assert [f.key for f in SPEC.fields if f.secret] == ["settings_json"]


_KARRIO_STATUSES = [
    "pending",
    "picked_up",
    "on_hold",
    "cancelled",
    "delivered",
    "in_transit",
    "delivery_failed",
    "delivery_delayed",
    "out_for_delivery",
    "ready_for_pickup",
    "return_to_sender",
    "unknown",
]
