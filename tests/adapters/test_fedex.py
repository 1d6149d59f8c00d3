import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from shopcare.carriers.base import Carrier, CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.fedex import SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters import oauth_tokens
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

DELIVERED, MOVING, UNKNOWN = "986578788855", "771613300180", "123456789012"
TOKEN_PATH = "/oauth/token"
TRACK_PATH = "/track/v1/trackingnumbers"
CREDENTIALS = {"client_id": "shop-api-key", "client_secret": "shop-secret-key"}


def fedex(
    server: CarrierServer,
    client: httpx.AsyncClient,
    clock: FakeClock,
    credentials: dict[str, str] = CREDENTIALS,
) -> Carrier:
    return SPEC.create(credentials, client=client, clock=clock, base_url=server.url)


def query(number: str) -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=datetime(2026, 10, 29, tzinfo=UTC))


def serve_tokens(server: CarrierServer) -> list[str]:
    return oauth_tokens.serve_tokens(server, carrier="fedex", path=TOKEN_PATH)


def asked(request: Request) -> list[str]:
    return [i["trackingNumberInfo"]["trackingNumber"] for i in request.json()["trackingInfo"]]


async def test_it_maps_a_delivered_journey_with_a_delivery_exception_in_utc(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "journey.json")))

    results = await fedex(carrier_server, http_client, clock).track([query(DELIVERED)])
    result = results[DELIVERED]

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert [e.raw_code for e in result.events] == ["OC", "PU", "DP", "AR", "OD", "DE", "OD", "DL"]
    assert result.events[0].occurred_at == datetime(2026, 10, 29, 13, 5, tzinfo=UTC)
    attempt = result.events[5]
    assert attempt.occurred_at == datetime(2026, 10, 31, 22, 45, tzinfo=UTC)
    assert attempt.description == "Delivery exception: Customer not available or business closed"
    assert result.events[-1].occurred_at == datetime(2026, 11, 2, 20, 31, tzinfo=UTC)
    assert result.events[-1].location == "DALLAS, TX, US"
    assert result.estimated_delivery is None


async def test_it_tracks_a_batch_in_one_call_with_a_not_found_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "journey.json")))

    results = await fedex(carrier_server, http_client, clock).track(
        [query(DELIVERED), query(MOVING), query(UNKNOWN)]
    )

    token_call, track_call = carrier_server.requests
    assert parse_qs(token_call.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["shop-api-key"],
        "client_secret": ["shop-secret-key"],
    }
    assert track_call.headers["authorization"] == "Bearer fedex-token-1"
    assert track_call.json()["includeDetailedScans"] is True
    assert asked(track_call) == [DELIVERED, MOVING, UNKNOWN]
    moving = results[MOVING]
    assert isinstance(moving, TrackingResult)
    assert [e.status for e in moving.events] == [S.INFO_RECEIVED, S.IN_TRANSIT, S.IN_TRANSIT]
    assert moving.estimated_delivery == datetime(2026, 11, 4, 1, 0, tzinfo=UTC)
    unknown = results[UNKNOWN]
    assert isinstance(unknown, CarrierError) and unknown.kind is ErrorKind.NOT_FOUND
    assert "TRACKING.TRACKINGNUMBER.NOTFOUND" in str(unknown) and not unknown.permanent


async def test_it_splits_more_than_thirty_numbers_over_calls_with_one_token(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    template = json.loads(fixture("fedex", "journey.json"))["output"]["completeTrackResults"][2]

    def track(request: Request) -> Reply:
        found = [
            json.loads(json.dumps(template).replace(UNKNOWN, number)) for number in asked(request)
        ]
        return Reply(200, json.dumps({"output": {"completeTrackResults": found}}))

    carrier_server.route("POST", TRACK_PATH, track)
    numbers = [f"7000000000{i:02d}" for i in range(31)]

    results = await fedex(carrier_server, http_client, clock).track([query(n) for n in numbers])

    calls = [asked(r) for r in carrier_server.requests if r.path == TRACK_PATH]
    assert [len(c) for c in calls] == [30, 1]
    assert sorted(results) == numbers
    assert all(
        isinstance(r, CarrierError) and r.kind is ErrorKind.NOT_FOUND for r in results.values()
    )
    assert issued == ["fedex-token-1"]


async def test_a_number_missing_from_the_answer_gets_its_own_error(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "journey.json")))

    results = await fedex(carrier_server, http_client, clock).track(
        [query(DELIVERED), query("999999999999")]
    )

    assert isinstance(results[DELIVERED], TrackingResult)
    missing = results["999999999999"]
    assert isinstance(missing, CarrierError) and missing.kind is ErrorKind.BAD_RESPONSE


async def test_return_text_turns_exception_and_delivery_into_returned(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "returned.json")))

    result = (await fedex(carrier_server, http_client, clock).track([query(DELIVERED)]))[DELIVERED]

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.IN_TRANSIT,
        S.RETURNED_TO_SENDER,
        S.RETURNED_TO_SENDER,
    ]


async def test_an_unknown_code_keeps_the_status_before_it(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    body = fixture("fedex", "journey.json").replace(
        '"eventType": "DE", "eventDescription": "Delivery exception", '
        '"exceptionDescription": "Customer not available or business closed", '
        '"derivedStatusCode": "DE"',
        '"eventType": "Q9", "eventDescription": "Something new", "derivedStatusCode": "Q9"',
    )
    carrier_server.route("POST", TRACK_PATH, Reply(200, body))

    result = (await fedex(carrier_server, http_client, clock).track([query(DELIVERED)]))[DELIVERED]

    assert isinstance(result, TrackingResult)
    assert (result.events[5].raw_code, result.events[5].status) == ("Q9", S.OUT_FOR_DELIVERY)


async def test_a_401_on_a_call_refreshes_the_token_and_retries_once(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)

    def track(request: Request) -> Reply:
        if request.headers["authorization"] == "Bearer fedex-token-1":
            return Reply(401, fixture("fedex", "unauthorized.json"))
        return Reply(200, fixture("fedex", "journey.json"))

    carrier_server.route("POST", TRACK_PATH, track)

    results = await fedex(carrier_server, http_client, clock).track([query(DELIVERED)])

    assert isinstance(results[DELIVERED], TrackingResult)
    assert issued == ["fedex-token-1", "fedex-token-2"]


async def test_a_token_is_fetched_again_once_it_expires(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "journey.json")))
    carrier = fedex(carrier_server, http_client, clock)

    await carrier.track([query(DELIVERED)])
    clock.advance(minutes=50)
    await carrier.track([query(DELIVERED)])
    clock.advance(minutes=6)  # 56 minutes: within five minutes of the hour's expiry
    await carrier.track([query(DELIVERED)])

    assert issued == ["fedex-token-1", "fedex-token-2"]


async def test_missing_optional_fields_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "minimal.json")))

    result = (await fedex(carrier_server, http_client, clock).track([query(DELIVERED)]))[DELIVERED]

    assert isinstance(result, TrackingResult)
    label, pickup = result.events
    assert (label.status, label.raw_code, label.description) == (S.INFO_RECEIVED, "IN", "")
    assert pickup.occurred_at == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)  # no offset: UTC
    assert pickup.location == ""
    assert result.estimated_delivery == datetime(2026, 11, 4, 23, 59, 59, tzinfo=UTC)


async def test_check_fetches_a_token(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)

    assert (await fedex(carrier_server, http_client, clock).check()).startswith("ok: ")
    assert issued == ["fedex-token-1"]


async def test_check_says_the_key_was_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TOKEN_PATH, Reply(401, fixture("fedex", "unauthorized.json")))

    with pytest.raises(CarrierError) as caught:
        await fedex(carrier_server, http_client, clock).check()

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert "refused (401)" in str(caught.value) and "NOT.AUTHORIZED.ERROR" in str(caught.value)


REUSED = "794612345678"


async def test_a_reused_number_follows_the_parcel_of_this_shipment_and_says_so(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """FedEx answers a reused number with one trackResults entry per parcel; the first is an
    older parcel still in transit, ours (shipped 2026-10-29 to 75063) was delivered."""
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "reused_number.json")))
    ours = TrackingQuery(
        REUSED, shipped_at=datetime(2026, 10, 29, 15, tzinfo=UTC), postal_code="75063-1234"
    )

    result = (await fedex(carrier_server, http_client, clock).track([ours]))[REUSED]

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert "2 parcels under 794612345678" in result.note
    assert "shipped 2026-10-29, to 75063" in result.note
    assert "not: shipped 2025-03-03, to 98101" in result.note


async def test_without_a_postcode_the_ship_date_picks_the_parcel(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "reused_number.json")))
    old = TrackingQuery(REUSED, shipped_at=datetime(2025, 3, 3, tzinfo=UTC))

    result = (await fedex(carrier_server, http_client, clock).track([old]))[REUSED]

    assert isinstance(result, TrackingResult)
    assert [e.raw_code for e in result.events] == ["PU", "IT"]


async def test_scans_beside_an_error_are_kept_and_the_error_becomes_a_note(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """FedEx's documented result carries scanEvents and an ``error`` object together; the
    'Customer not available' shipment exception is a failed attempt."""
    serve_tokens(carrier_server)
    carrier_server.route("POST", TRACK_PATH, Reply(200, fixture("fedex", "events_and_error.json")))

    result = (await fedex(carrier_server, http_client, clock).track([query("128667043726")]))[
        "128667043726"
    ]

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
    ]
    assert result.events[-1].raw_code == "SE"
    assert result.note == "fedex: TRACKING.DATA.NOTFOUND: Tracking data unavailable"
