import base64
import json
import threading
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers import registry
from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.easypost import SPEC, EasyPostCarrier
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

KEY = "EZTK0123456789abcdef"
SHIPPED = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
TEST_CODES = {
    "EZ1000000001": ("ez1_pre_transit.json", S.INFO_RECEIVED),
    "EZ2000000002": ("ez2_in_transit.json", S.IN_TRANSIT),
    "EZ3000000003": ("ez3_out_for_delivery.json", S.OUT_FOR_DELIVERY),
    "EZ4000000004": ("ez4_delivered.json", S.DELIVERED),
    "EZ5000000005": ("ez5_return_to_sender.json", S.RETURNED_TO_SENDER),
    "EZ6000000006": ("ez6_failure.json", S.EXCEPTION),
    "EZ7000000007": ("ez7_unknown.json", S.PENDING),
}
# HMAC-SHA256 of the webhook fixture's bytes keyed with NFKD("sécret-ﬁle") = "se\u0301cret-file",
# computed with `openssl dgst -sha256 -mac HMAC -macopt hexkey:7365cc81637265742d66696c65`.
WEBHOOK_SECRET = "sécret-ﬁle"
WEBHOOK_SIGNATURE = (
    "hmac-sha256-hex=4c188ac4ce4e50681e971558f6608c0ee2bc2f10e7218bd0bdcae7bc53f6c1bd"
)
UNNORMALISED_SIGNATURE = (
    "hmac-sha256-hex=df1fd8175369ddcff2e85be558fe08415b509bc2a97da204547f3d5c4be50e0c"
)


def query(number: str, carrier: str = "") -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=SHIPPED, carrier_code=carrier)


def adapter(
    server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, key: str = KEY
) -> EasyPostCarrier:
    carrier = SPEC.create({"api_key": key}, client=client, clock=clock, base_url=f"{server.url}/v2")
    assert isinstance(carrier, EasyPostCarrier)
    return carrier


def by_code(request: Request) -> Reply:
    """Answers like a test-mode account: the EZ codes have trackers, anything else is a 422."""
    code = request.json()["tracker"]["tracking_code"]
    if code in TEST_CODES:
        return Reply(200, fixture("easypost", TEST_CODES[code][0]))
    return Reply(422, fixture("easypost", "invalid_code.json"))


async def track_one(carrier: EasyPostCarrier, number: str) -> TrackingResult:
    outcome = (await carrier.track([query(number)]))[number]
    assert isinstance(outcome, TrackingResult)
    return outcome


async def test_the_registry_finds_the_easypost_adapter() -> None:
    found = registry.spec("easypost")
    assert found is SPEC and found.webhook_secret_field == "webhook_secret"
    secret = next(f for f in found.fields if f.key == "webhook_secret")
    assert secret.secret and not secret.required


async def test_it_maps_a_delivered_journey_with_utc_times_and_the_estimate(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", "/v2/trackers", by_code)
    result = await track_one(adapter(carrier_server, http_client, clock), "EZ4000000004")

    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in result.events][-2:] == [
        "out_for_delivery/out_for_delivery",
        "delivered/arrived_at_destination",
    ]
    accepted, delivered = result.events[1], result.events[-1]
    assert accepted.occurred_at == datetime(2026, 10, 29, 0, 48, tzinfo=UTC)  # -05:00 local
    assert delivered.occurred_at == datetime(2026, 10, 31, 17, 22, tzinfo=UTC)  # -04:00 local
    assert delivered.description == "Delivered, In/At Mailbox"
    assert delivered.location == "CHARLESTON, SC, US"
    assert {e.provider for e in result.events} == {"easypost"}
    assert result.estimated_delivery == datetime(2026, 10, 31, tzinfo=UTC)


async def test_it_sends_basic_auth_with_the_key_and_the_carrier_when_known(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", "/v2/trackers", by_code)
    carrier = adapter(carrier_server, http_client, clock)
    await carrier.track([query("EZ2000000002", carrier="USPS")])
    await carrier.track([query("EZ3000000003")])

    with_carrier, without = carrier_server.requests
    assert with_carrier.headers["authorization"] == "Basic " + base64.b64encode(
        f"{KEY}:".encode()
    ).decode("ascii")
    assert with_carrier.json() == {"tracker": {"tracking_code": "EZ2000000002", "carrier": "USPS"}}
    assert without.json() == {"tracker": {"tracking_code": "EZ3000000003"}}


@pytest.mark.parametrize("code", sorted(TEST_CODES))
async def test_each_easypost_test_code_ends_in_its_documented_status(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock, code: str
) -> None:
    carrier_server.route("POST", "/v2/trackers", by_code)
    result = await track_one(adapter(carrier_server, http_client, clock), code)
    assert result.events[-1].status is TEST_CODES[code][1]


async def test_it_splits_a_delivery_attempt_out_of_failure(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", "/v2/trackers", by_code)
    result = await track_one(adapter(carrier_server, http_client, clock), "EZ6000000006")
    assert [e.status for e in result.events][-3:] == [
        S.FAILED_ATTEMPT,
        S.OUT_FOR_DELIVERY,
        S.EXCEPTION,
    ]
    assert result.events[-3].raw_code == "failure/delivery_attempted"


async def test_an_unknown_code_keeps_the_previous_status(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    tracker = json.loads(fixture("easypost", "ez2_in_transit.json"))
    tracker["tracking_details"].append(
        {"status": "teleported", "message": "Beamed up", "datetime": "2026-10-30T10:00:00Z"}
    )
    tracker["tracking_details"].append(
        {"status": "unknown", "message": "Status Not Available", "datetime": "2026-10-30T11:00Z"}
    )
    carrier_server.route("POST", "/v2/trackers", Reply(200, json.dumps(tracker)))
    result = await track_one(adapter(carrier_server, http_client, clock), "EZ2000000002")
    assert [e.status for e in result.events][-2:] == [S.IN_TRANSIT, S.IN_TRANSIT]
    assert result.events[-2].raw_code == "teleported"


async def test_it_asks_for_several_numbers_a_few_at_a_time(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    lock = threading.Lock()
    in_flight = [0, 0, 0]  # now, most, arrived
    together = threading.Barrier(2, timeout=10)  # the first two meet only if sent at once

    def slow(request: Request) -> Reply:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[:2])
            in_flight[2] += 1
            first_two = in_flight[2] <= 2
        if first_two:
            together.wait()  # a one-at-a-time adapter breaks the barrier: the test fails
        with lock:
            in_flight[0] -= 1
        return by_code(request)

    carrier_server.route("POST", "/v2/trackers", slow)
    numbers = [*sorted(TEST_CODES), "9400100000000000000000"]
    results = await adapter(carrier_server, http_client, clock).track([query(n) for n in numbers])

    assert set(results) == set(numbers) and len(carrier_server.requests) == len(numbers)
    assert 1 < in_flight[1] <= 4
    delivered = results["EZ4000000004"]
    assert isinstance(delivered, TrackingResult) and delivered.events[-1].status is S.DELIVERED
    unknown = results["9400100000000000000000"]
    assert isinstance(unknown, CarrierError) and unknown.kind is ErrorKind.NOT_FOUND


async def test_an_invalid_code_is_not_found_for_now(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", "/v2/trackers", by_code)
    results = await adapter(carrier_server, http_client, clock).track([query("1Z999")])
    error = results["1Z999"]
    assert isinstance(error, CarrierError)
    assert error.kind is ErrorKind.NOT_FOUND and not error.permanent
    assert "only test tracking numbers are valid" in str(error)


async def test_a_refused_key_stops_the_batch(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "POST", "/v2/trackers", Reply(401, fixture("easypost", "unauthorized.json"))
    )
    numbers = [f"EZ{i}00000000{i}" for i in range(1, 10)]
    with pytest.raises(CarrierError) as caught:
        await adapter(carrier_server, http_client, clock).track([query(n) for n in numbers])
    assert caught.value.kind is ErrorKind.AUTH
    assert len(carrier_server.requests) <= 4


async def test_missing_optional_fields_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "POST", "/v2/trackers", Reply(200, fixture("easypost", "sparse_tracker.json"))
    )
    result = await track_one(adapter(carrier_server, http_client, clock), "9400100000000000000000")
    assert [(e.status, e.description, e.location) for e in result.events] == [
        (S.INFO_RECEIVED, "", ""),
        (S.IN_TRANSIT, "In Transit to Next Facility", ""),
    ]
    assert result.estimated_delivery is None


async def test_check_lists_one_tracker_and_names_the_key_mode(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", "/v2/trackers", Reply(200, fixture("easypost", "trackers_page.json"))
    )
    assert await adapter(carrier_server, http_client, clock).check() == (
        "ok: EasyPost accepted the test API key"
    )
    assert carrier_server.requests[0].query == {"page_size": ["1"]}


async def test_check_says_when_the_key_is_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route(
        "GET", "/v2/trackers", Reply(401, fixture("easypost", "unauthorized.json"))
    )
    with pytest.raises(CarrierError) as caught:
        await adapter(carrier_server, http_client, clock, key="EZAKrevoked").check()
    assert caught.value.kind is ErrorKind.AUTH
    assert "refused (401)" in str(caught.value) and "no longer active" in str(caught.value)


async def test_a_signed_tracker_push_verifies_and_parses() -> None:
    body = fixture("easypost", "webhook_tracker_updated.json").encode()
    push = SPEC.push
    assert push is not None
    assert push.verify({"x-hmac-signature": WEBHOOK_SIGNATURE}, body, WEBHOOK_SECRET)

    (update,) = push.parse(body)
    assert update.tracking_number == "EZ4000000004"
    assert update.event_id == "evt_3c0a6f1e2b4d4e8f9a7b5c3d1e0f2a4b"
    assert update.result.events[-1].status is S.DELIVERED
    assert update.result.estimated_delivery == datetime(2026, 10, 31, tzinfo=UTC)


async def test_a_tampered_or_wrongly_keyed_push_does_not_verify() -> None:
    body = fixture("easypost", "webhook_tracker_updated.json").encode()
    push = SPEC.push
    assert push is not None
    headers = {"x-hmac-signature": WEBHOOK_SIGNATURE}
    assert not push.verify(headers, body.replace(b"delivered", b"returned"), WEBHOOK_SECRET)
    assert not push.verify(headers, body, "another secret")
    assert not push.verify(headers, body, "")
    assert not push.verify({}, body, WEBHOOK_SECRET)
    # a key used without NFKD normalisation is not EasyPost's
    assert not push.verify({"x-hmac-signature": UNNORMALISED_SIGNATURE}, body, WEBHOOK_SECRET)


async def test_a_push_of_another_kind_is_ignored_and_garbage_is_refused() -> None:
    push = SPEC.push
    assert push is not None
    assert push.parse(b'{"description": "batch.updated", "result": {}}') == []
    for garbage in (b"{nope", b"[]", b'{"description": "tracker.updated", "result": {}}'):
        with pytest.raises(CarrierError) as caught:
            push.parse(garbage)
        assert caught.value.kind is ErrorKind.BAD_RESPONSE


async def test_missed_deliveries_told_in_words_under_failure_are_failed_attempts(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """EasyPost files "receiver was not available" under failure/delivery_exception, in the
    carrier's language; an address problem stays an exception."""
    body = fixture("easypost", "missed_deliveries.json")
    carrier_server.route("POST", "/v2/trackers", Reply(200, body))
    carrier = SPEC.create(
        {"api_key": KEY}, client=http_client, clock=clock, base_url=carrier_server.url + "/v2"
    )

    result = (await carrier.track([query("1Z5R89390357567127", "UPS")]))["1Z5R89390357567127"]

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,  # "The receiver was not available for delivery"
        S.FAILED_ATTEMPT,  # "Destinataire absent. Un avis de passage a été déposé."
        S.FAILED_ATTEMPT,  # "Customer not available or business closed" as error/unknown
        S.EXCEPTION,  # an address correction is not an attempt
    ]
