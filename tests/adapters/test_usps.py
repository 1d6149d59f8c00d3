from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.base import Carrier, CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.usps import SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters import oauth_tokens
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

NUMBER = "9400111206206406260787"
TOKEN_PATH = "/oauth2/v3/token"
CREDENTIALS = {"client_id": "shop-consumer-key", "client_secret": "shop-consumer-secret"}


def track_path(number: str = NUMBER) -> str:
    return f"/tracking/v3/tracking/{number}"


def usps(
    server: CarrierServer,
    client: httpx.AsyncClient,
    clock: FakeClock,
    credentials: dict[str, str] = CREDENTIALS,
) -> Carrier:
    return SPEC.create(credentials, client=client, clock=clock, base_url=server.url)


def query(number: str = NUMBER) -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=datetime(2026, 10, 29, tzinfo=UTC))


def serve_tokens(server: CarrierServer, name: str = "token.json") -> list[str]:
    return oauth_tokens.serve_tokens(server, carrier="usps", path=TOKEN_PATH, name=name)


async def track_one(carrier: Carrier) -> TrackingResult | CarrierError:
    return (await carrier.track([query()]))[NUMBER]


async def test_it_maps_a_delivered_journey_with_a_notice_left_in_utc(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", track_path(), Reply(200, fixture("usps", "delivered.json")))

    result = await track_one(usps(carrier_server, http_client, clock))

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
    assert [e.raw_code for e in result.events] == ["GX", "03", "T1", "07", "OF", "02", "OF", "01"]
    assert result.events[0].occurred_at == datetime(2026, 10, 29, 13, 12, tzinfo=UTC)
    # GMTTimestamp wins over the local time where USPS sends both.
    assert result.events[2].occurred_at == datetime(2026, 10, 31, 3, 15, tzinfo=UTC)
    assert result.events[-1].occurred_at == datetime(2026, 11, 2, 19, 47, tzinfo=UTC)
    assert result.events[-1].description == "Delivered, In/At Mailbox"
    assert result.events[-1].location == "CHICAGO, IL"
    assert result.estimated_delivery == datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


async def test_it_sends_a_json_token_request_and_a_bearer_track_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", track_path(), Reply(200, fixture("usps", "delivered.json")))

    await track_one(usps(carrier_server, http_client, clock))

    token_call, track_call = carrier_server.requests
    assert token_call.json() == {
        "grant_type": "client_credentials",
        "client_id": "shop-consumer-key",
        "client_secret": "shop-consumer-secret",
    }
    assert track_call.path == track_path() and track_call.query == {"expand": ["DETAIL"]}
    assert track_call.headers["authorization"] == "Bearer usps-token-1"


async def test_an_alert_with_return_to_sender_text_is_returned(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", track_path(), Reply(200, fixture("usps", "returned.json")))

    result = await track_one(usps(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.IN_TRANSIT,
        S.EXCEPTION,
        S.RETURNED_TO_SENDER,
    ]
    assert result.estimated_delivery is None


async def test_an_unknown_number_answers_400_and_is_not_found(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", track_path(), Reply(400, fixture("usps", "not_found_400.json")))

    result = await track_one(usps(carrier_server, http_client, clock))

    assert isinstance(result, CarrierError)
    assert result.kind is ErrorKind.NOT_FOUND and not result.permanent
    assert "status update is not yet available" in str(result)


async def test_one_token_serves_every_number_of_a_poll(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    other = "9400111206206406260794"
    for number in (NUMBER, other):
        carrier_server.route(
            "GET", track_path(number), Reply(200, fixture("usps", "delivered.json"))
        )

    results = await usps(carrier_server, http_client, clock).track([query(), query(other)])

    assert all(isinstance(r, TrackingResult) for r in results.values())
    assert issued == ["usps-token-1"]


async def test_a_rate_limit_mid_poll_keeps_the_answers_and_stops_calling(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    second, third = "9400111206206406260794", "9400111206206406260800"
    carrier_server.route("GET", track_path(), Reply(200, fixture("usps", "delivered.json")))
    carrier_server.route("GET", track_path(second), Reply(429, "", {"Retry-After": "600"}))

    results = await usps(carrier_server, http_client, clock).track(
        [query(), query(second), query(third)]
    )

    assert isinstance(results[NUMBER], TrackingResult)
    for number in (second, third):
        error = results[number]
        assert isinstance(error, CarrierError) and error.kind is ErrorKind.RATE_LIMITED
        assert error.retry_after == 600
    assert track_path(third) not in [r.path for r in carrier_server.requests]


async def test_a_401_on_a_call_refreshes_the_token_and_retries_once(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)

    def track(request: Request) -> Reply:
        if request.headers["authorization"] == "Bearer usps-token-1":
            return Reply(401, '{"error": "invalid_token"}')
        return Reply(200, fixture("usps", "delivered.json"))

    carrier_server.route("GET", track_path(), track)

    result = await track_one(usps(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult) and result.events
    assert issued == ["usps-token-1", "usps-token-2"]


async def test_a_refused_call_without_the_tracking_scope_says_so(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server, "token_without_tracking.json")
    carrier_server.route("GET", track_path(), Reply(401, '{"error": "insufficient_scope"}'))

    with pytest.raises(CarrierError) as caught:
        await track_one(usps(carrier_server, http_client, clock))

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert "lacks the 'tracking' scope" in str(caught.value)
    assert len(issued) == 2


async def test_missing_optional_fields_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", track_path(), Reply(200, fixture("usps", "minimal.json")))

    result = await track_one(usps(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    accepted, departed = result.events
    assert accepted.occurred_at == datetime(2026, 10, 29, 16, 30, tzinfo=UTC)  # no zone: UTC
    assert departed.occurred_at == datetime(2026, 10, 30, 1, 0, tzinfo=UTC)  # offset once
    assert accepted.location == "" and accepted.raw_code == ""
    assert [e.status for e in result.events] == [S.IN_TRANSIT, S.IN_TRANSIT]
    assert result.estimated_delivery is None


async def test_check_passes_with_the_tracking_scope(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)

    assert (await usps(carrier_server, http_client, clock).check()).startswith("ok: ")


async def test_check_says_the_tracking_scope_is_missing(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server, "token_without_tracking.json")

    with pytest.raises(CarrierError) as caught:
        await usps(carrier_server, http_client, clock).check()

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert "lacks the 'tracking' scope" in str(caught.value)
    assert "addresses prices locations" in str(caught.value)


@pytest.mark.parametrize("status", [400, 401])
async def test_check_says_the_credentials_were_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock, status: int
) -> None:
    carrier_server.route("POST", TOKEN_PATH, Reply(status, fixture("usps", "unauthorized.json")))

    with pytest.raises(CarrierError) as caught:
        await usps(carrier_server, http_client, clock).check()

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert f"refused ({status})" in str(caught.value)
    assert "shop-consumer-secret" not in str(caught.value)


async def test_business_closed_under_an_alert_is_a_failed_attempt(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """USPS's "Business Closed" event comes under the Alert category."""
    serve_tokens(carrier_server)
    body = fixture("usps", "business_closed.json")
    carrier_server.route("GET", track_path(), Reply(200, body))

    result = await track_one(usps(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
    ]
