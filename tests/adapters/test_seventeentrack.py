import hashlib
import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.seventeentrack import SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

INFO = "/track/v2.2/gettrackinfo"
REGISTER = "/track/v2.2/register"
QUOTA = "/track/v2.2/getquota"
SHIPPED = datetime(2026, 10, 20, tzinfo=UTC)


def carrier(server: CarrierServer, client: httpx.AsyncClient, clock: FakeClock, key: str = "k-17"):
    return SPEC.create({"api_key": key}, client=client, clock=clock, base_url=server.url)


def queries(*numbers: str, carrier_code: str = "") -> list[TrackingQuery]:
    return [TrackingQuery(n, shipped_at=SHIPPED, carrier_code=carrier_code) for n in numbers]


async def test_it_maps_a_delivered_journey_reported_by_both_posts_once(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", INFO, Reply(200, fixture("17track", "journey.json")))
    carrier_server.route("POST", REGISTER, Reply(200, fixture("17track", "register.json")))

    results = await carrier(carrier_server, http_client, clock).track(
        queries("LX123456789CN", "RR000000001DE", "XX12345", carrier_code="3011")
    )

    journey = results["LX123456789CN"]
    assert isinstance(journey, TrackingResult)
    assert [e.status for e in journey.events] == [
        S.INFO_RECEIVED,
        S.INFO_RECEIVED,  # no code of its own: keeps the status before it
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,  # arrival reported by China Post and Deutsche Post, kept once
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in journey.events][2:5] == [
        "InTransit_PickedUp",
        "InTransit_Departure",
        "InTransit_Arrival",
    ]
    first, last = journey.events[0], journey.events[-1]
    assert first.occurred_at == datetime(2026, 10, 20, 8, 45, tzinfo=UTC)
    assert first.location == "Shenzhen, GD, CN"
    assert last.occurred_at == datetime(2026, 10, 30, 13, 5, tzinfo=UTC)
    assert last.description == "Delivered, handed to recipient"
    assert last.location == "Munich, BY, DE" and last.provider == "17track"
    assert journey.estimated_delivery == datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC)

    assert results["RR000000001DE"] == TrackingResult()  # registered now: stays pending
    unknown = results["XX12345"]
    assert isinstance(unknown, CarrierError) and unknown.kind is ErrorKind.NOT_FOUND
    assert "Carrier cannot be detected" in str(unknown)

    asked, registered = carrier_server.requests
    assert asked.headers["17token"] == "k-17"
    assert asked.json() == [
        {"number": "LX123456789CN", "carrier": 3011},
        {"number": "RR000000001DE", "carrier": 3011},
        {"number": "XX12345", "carrier": 3011},
    ]
    assert registered.path == REGISTER
    assert registered.json() == [{"number": "RR000000001DE", "carrier": 3011}]


async def test_it_asks_for_41_numbers_in_two_calls_without_a_carrier_name(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    def answer(request: Request) -> Reply:
        accepted = [{"number": item["number"], "track_info": None} for item in request.json()]
        return Reply(200, json.dumps({"code": 0, "data": {"accepted": accepted, "rejected": []}}))

    carrier_server.route("POST", INFO, answer)
    numbers = [f"LX{i:09d}CN" for i in range(41)]

    results = await carrier(carrier_server, http_client, clock).track(
        queries(*numbers, carrier_code="ups")
    )

    assert [len(r.json()) for r in carrier_server.requests] == [40, 1]
    assert carrier_server.requests[0].json()[0] == {"number": numbers[0]}
    assert set(results) == set(numbers)
    assert all(r == TrackingResult() for r in results.values())


async def test_it_keeps_going_when_optional_fields_are_missing(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", INFO, Reply(200, fixture("17track", "minimal.json")))

    results = await carrier(carrier_server, http_client, clock).track(queries("LX999999999CN"))

    result = results["LX999999999CN"]
    assert isinstance(result, TrackingResult) and result.estimated_delivery is None
    picked_up, newest = result.events
    assert picked_up.occurred_at == datetime(2026, 10, 24, 1, 0, tzinfo=UTC)
    assert newest.status is S.IN_TRANSIT and newest.description == newest.location == ""


async def test_a_registration_17track_refuses_is_that_numbers_not_found(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    rejected = {"number": "RR1", "error": {"code": -18019902, "message": "not registered"}}
    carrier_server.route(
        "POST",
        INFO,
        Reply(200, json.dumps({"code": 0, "data": {"accepted": [], "rejected": [rejected]}})),
    )
    refused = {"number": "RR1", "error": {"code": -18019908, "message": "Quota is not enough."}}
    carrier_server.route(
        "POST",
        REGISTER,
        Reply(200, json.dumps({"code": 0, "data": {"accepted": [], "rejected": [refused]}})),
    )

    results = await carrier(carrier_server, http_client, clock).track(queries("RR1"))

    error = results["RR1"]
    assert isinstance(error, CarrierError) and error.kind is ErrorKind.NOT_FOUND
    assert "Quota is not enough" in str(error)


async def test_a_rate_limit_on_registering_stops_the_whole_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    rejected = {"number": "RR1", "error": {"code": -18019902, "message": "not registered"}}
    carrier_server.route(
        "POST",
        INFO,
        Reply(200, json.dumps({"code": 0, "data": {"accepted": [], "rejected": [rejected]}})),
    )
    carrier_server.route("POST", REGISTER, Reply(429, "", {"Retry-After": "5"}))

    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).track(queries("RR1"))
    assert caught.value.kind is ErrorKind.RATE_LIMITED and caught.value.retry_after == 5


@pytest.mark.parametrize(
    ("reply", "kind", "permanent", "wait"),
    [
        (Reply(200, fixture("17track", "bad_key.json")), ErrorKind.AUTH, True, None),
        (
            Reply(200, '{"code":-18010013,"data":{"errors":[{"code":-18010013,"message":"bad"}]}}'),
            ErrorKind.BAD_RESPONSE,
            False,
            None,
        ),
    ],
)
async def test_an_error_code_17track_answers_with_http_200_raises_the_matching_error(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    reply: Reply,
    kind: ErrorKind,
    permanent: bool,
    wait: float | None,
) -> None:
    carrier_server.route("POST", INFO, reply)
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).track(queries("LX123456789CN"))
    assert (caught.value.kind, caught.value.permanent) == (kind, permanent)
    assert caught.value.retry_after == wait
    assert str(caught.value).startswith("17TRACK: ")


async def test_check_reports_the_quota_left(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", QUOTA, Reply(200, fixture("17track", "quota.json")))
    answer = await carrier(carrier_server, http_client, clock).check()
    assert answer == "ok: 87 of 100 tracking numbers left in the 17TRACK quota"
    assert carrier_server.requests[0].headers["17token"] == "k-17"


async def test_check_says_the_key_was_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", QUOTA, Reply(200, fixture("17track", "bad_key.json")))
    with pytest.raises(CarrierError) as caught:
        await carrier(carrier_server, http_client, clock).check()
    assert caught.value.kind is ErrorKind.AUTH
    assert "API key was refused" in str(caught.value) and "Access token is invalid" in str(
        caught.value
    )


async def test_check_says_when_17track_cannot_be_reached(
    http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    from tests.conftest import free_port

    adapter = SPEC.create(
        {"api_key": "k"},
        client=http_client,
        clock=clock,
        base_url=f"http://127.0.0.1:{free_port()}",
    )
    with pytest.raises(CarrierError) as caught:
        await adapter.check()
    assert caught.value.kind is ErrorKind.NETWORK and "cannot connect" in str(caught.value)


def signed(body: bytes, secret: str) -> dict[str, str]:
    return {"sign": hashlib.sha256(body + b"/" + secret.encode()).hexdigest()}


def test_a_signed_push_verifies_and_maps_a_return() -> None:
    body = fixture("17track", "push_returned.json").encode()
    push = SPEC.push
    assert push is not None and SPEC.webhook_secret_field == "webhook_key"

    assert push.verify(signed(body, "s3cret"), body, "s3cret")
    (update,) = push.parse(body)

    assert update.tracking_number == "RB123456785GB"
    assert [e.status for e in update.result.events] == [
        S.IN_TRANSIT,
        S.FAILED_ATTEMPT,
        S.RETURNED_TO_SENDER,
    ]
    assert update.result.events[-1].location == "London, GB"
    assert update.result.estimated_delivery is None


def test_a_tampered_push_or_a_wrong_secret_does_not_verify() -> None:
    body = fixture("17track", "push_returned.json").encode()
    push = SPEC.push
    assert push is not None
    headers = signed(body, "s3cret")
    assert not push.verify(headers, body.replace(b"Returned", b"Delivered"), "s3cret")
    assert not push.verify(headers, body, "other")
    assert not push.verify({}, body, "s3cret")
    assert not push.verify(headers, body, "")


def test_a_garbage_push_is_a_bad_response() -> None:
    push = SPEC.push
    assert push is not None
    for body in (b"{not json", b"[]", b'{"event":"TRACKING_UPDATED","data":{}}'):
        with pytest.raises(CarrierError) as caught:
            push.parse(body)
        assert caught.value.kind is ErrorKind.BAD_RESPONSE


def test_events_with_a_stage_and_no_sub_status_map_by_their_stage() -> None:
    """17TRACK's pushes carry ``stage: OutForDelivery`` with no ``sub_status``."""
    push = SPEC.push
    assert push is not None
    (update,) = push.parse(fixture("17track", "push_stages_only.json").encode())

    assert [(e.raw_code, e.status) for e in update.result.events] == [
        ("InfoReceived", S.INFO_RECEIVED),
        ("Departure", S.IN_TRANSIT),
        ("", S.IN_TRANSIT),  # no stage, no sub-status: keeps the status before it
        ("OutForDelivery", S.OUT_FOR_DELIVERY),
        ("Delivered", S.DELIVERED),
    ]


async def test_a_summary_without_the_event_list_gives_the_latest_event(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", INFO, Reply(200, fixture("17track", "summary_only.json")))

    results = await carrier(carrier_server, http_client, clock).track(
        queries("RB123456785GB", "RB000000015GB")
    )

    latest = results["RB123456785GB"]
    assert isinstance(latest, TrackingResult)
    (event,) = latest.events
    assert event.status is S.OUT_FOR_DELIVERY
    assert event.occurred_at == datetime(2026, 11, 2, 7, 15, tzinfo=UTC)
    assert event.description == "Votre colis est en cours de livraison"
    assert event.location == "Lyon, FR"
    milestones = results["RB000000015GB"]
    assert isinstance(milestones, TrackingResult)
    assert [(e.status, e.occurred_at.day) for e in milestones.events] == [
        (S.INFO_RECEIVED, 31),
        (S.IN_TRANSIT, 1),
    ]


async def test_a_missed_delivery_told_in_words_under_an_exception_is_a_failed_attempt(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", INFO, Reply(200, fixture("17track", "missed_delivery.json")))

    results = await carrier(carrier_server, http_client, clock).track(
        queries("00340434161094042557")
    )

    result = results["00340434161094042557"]
    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.IN_TRANSIT,
        S.FAILED_ATTEMPT,  # Exception_NoBody: nobody there
        S.OUT_FOR_DELIVERY,  # a stage alone
        S.FAILED_ATTEMPT,  # "Der Empfänger wurde nicht angetroffen" under Exception_Other
        S.EXCEPTION,  # damaged: a real exception
    ]
