import base64
import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.base import Carrier, CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.ups import SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters import oauth_tokens
from tests.adapters.carrier_server import CarrierServer, Reply, Request, fixture
from tests.conftest import FakeClock

NUMBER = "1Z5R89390357567127"
TOKEN_PATH = "/security/v1/oauth/token"
TRACK_PATH = f"/api/track/v1/details/{NUMBER}"
CREDENTIALS = {"client_id": "shop-client-id", "client_secret": "shop-secret"}
SHIPPED = datetime(2026, 10, 29, tzinfo=UTC)


def ups(
    server: CarrierServer,
    client: httpx.AsyncClient,
    clock: FakeClock,
    credentials: dict[str, str] = CREDENTIALS,
) -> Carrier:
    return SPEC.create(credentials, client=client, clock=clock, base_url=server.url)


def query(number: str = NUMBER) -> TrackingQuery:
    return TrackingQuery(tracking_number=number, shipped_at=SHIPPED)


def serve_tokens(server: CarrierServer) -> list[str]:
    return oauth_tokens.serve_tokens(server, carrier="ups", path=TOKEN_PATH)


async def track_one(carrier: Carrier) -> TrackingResult | CarrierError:
    return (await carrier.track([query()]))[NUMBER]


async def test_it_maps_a_delivered_journey_with_an_attempt_in_utc(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", TRACK_PATH, Reply(200, fixture("ups", "delivered.json")))

    result = await track_one(ups(carrier_server, http_client, clock))

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
    assert [e.raw_code for e in result.events] == ["MP", "PU", "DP", "AR", "OT", "48", "OT", "FS"]
    assert result.events[0].occurred_at == datetime(2026, 10, 29, 16, 4, 5, tzinfo=UTC)
    # No GMT pair on the arrival scan: local 23:40 at -04:00 is 03:40 UTC the next day.
    assert result.events[3].occurred_at == datetime(2026, 11, 1, 3, 40, tzinfo=UTC)
    assert result.events[-1].occurred_at == datetime(2026, 11, 2, 19, 30, 12, tzinfo=UTC)
    assert result.events[-1].location == "Atlanta, GA, US"
    assert result.events[-1].description == "DELIVERED"
    assert {e.provider for e in result.events} == {"ups"}
    assert result.estimated_delivery == datetime(2026, 11, 2, 23, 59, 59, tzinfo=UTC)


async def test_it_sends_a_basic_token_request_and_a_bearer_track_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", TRACK_PATH, Reply(200, fixture("ups", "delivered.json")))

    await track_one(ups(carrier_server, http_client, clock))

    token_call, track_call = carrier_server.requests
    basic = base64.b64encode(b"shop-client-id:shop-secret").decode()
    assert token_call.headers["authorization"] == f"Basic {basic}"
    assert token_call.body == b"grant_type=client_credentials"
    assert track_call.method == "GET" and track_call.path == TRACK_PATH
    assert track_call.query == {"locale": ["en_US"], "returnSignature": ["false"]}
    assert track_call.headers["authorization"] == "Bearer ups-token-1"
    assert track_call.headers["transactionsrc"] == "shopcare"
    assert len(track_call.headers["transid"]) == 32


async def test_it_reuses_one_token_and_a_fresh_transid_for_each_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    other = "1Z12345E6605272234"
    carrier_server.route("GET", TRACK_PATH, Reply(200, fixture("ups", "delivered.json")))
    carrier_server.route(
        "GET", f"/api/track/v1/details/{other}", Reply(200, fixture("ups", "delivered.json"))
    )

    results = await ups(carrier_server, http_client, clock).track([query(), query(other)])

    assert all(isinstance(r, TrackingResult) for r in results.values())
    assert set(results) == {NUMBER, other}
    assert issued == ["ups-token-1"]
    ids = {r.headers["transid"] for r in carrier_server.requests if r.method == "GET"}
    assert len(ids) == 2


async def test_a_401_on_a_call_refreshes_the_token_and_retries_once(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)

    def track(request: Request) -> Reply:
        if request.headers["authorization"] == "Bearer ups-token-1":
            return Reply(401, fixture("ups", "unauthorized.json"))
        return Reply(200, fixture("ups", "delivered.json"))

    carrier_server.route("GET", TRACK_PATH, track)

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult) and result.events
    assert issued == ["ups-token-1", "ups-token-2"]


async def test_calls_refused_together_share_one_refreshed_token(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    numbers = [NUMBER, "1Z12345E6605272234", "1Z12345E1305277940"]

    def track(request: Request) -> Reply:
        if request.headers["authorization"] == "Bearer ups-token-1":
            return Reply(401, fixture("ups", "unauthorized.json"), delay=0.1)
        return Reply(200, fixture("ups", "delivered.json"))

    for number in numbers:
        carrier_server.route("GET", f"/api/track/v1/details/{number}", track)

    results = await ups(carrier_server, http_client, clock).track([query(n) for n in numbers])

    assert all(isinstance(r, TrackingResult) for r in results.values())
    assert issued == ["ups-token-1", "ups-token-2"]


async def test_a_401_after_the_refresh_is_an_auth_error(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    carrier_server.route("GET", TRACK_PATH, Reply(401, fixture("ups", "unauthorized.json")))

    with pytest.raises(CarrierError) as caught:
        await track_one(ups(carrier_server, http_client, clock))

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert len(issued) == 2
    assert sum(r.path == TRACK_PATH for r in carrier_server.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply(404, fixture("ups", "not_found_404.json")),
        Reply(200, fixture("ups", "not_found_warning.json")),
    ],
    ids=["404", "warning"],
)
async def test_an_unknown_number_is_not_found_for_that_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock, reply: Reply
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", TRACK_PATH, reply)

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, CarrierError)
    assert result.kind is ErrorKind.NOT_FOUND and not result.permanent
    assert "Tracking Information Not Found" in str(result)


async def test_missing_optional_fields_and_unpadded_gmt_times_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    carrier_server.route("GET", TRACK_PATH, Reply(200, fixture("ups", "in_transit_minimal.json")))

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    label, departed = result.events
    assert label.status is S.INFO_RECEIVED and label.description == "" and label.location == ""
    assert label.occurred_at == datetime(2026, 10, 29, 7, 47, tzinfo=UTC)
    assert departed.status is S.IN_TRANSIT  # no offset at all: local time taken as UTC
    assert departed.occurred_at == datetime(2026, 10, 31, 4, 15, tzinfo=UTC)
    assert result.estimated_delivery is None


async def test_an_unknown_type_keeps_the_status_before_it(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    body = fixture("ups", "delivered.json").replace('"type": "P"', '"type": "ZZ"')
    carrier_server.route("GET", TRACK_PATH, Reply(200, body))

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events[:2]] == [S.INFO_RECEIVED, S.INFO_RECEIVED]


async def test_check_fetches_a_fresh_token(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    issued = serve_tokens(carrier_server)
    carrier = ups(carrier_server, http_client, clock)

    assert (await carrier.check()).startswith("ok: ")
    assert (await carrier.check()).startswith("ok: ")
    assert issued == ["ups-token-1", "ups-token-2"]


async def test_check_says_the_credentials_were_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("POST", TOKEN_PATH, Reply(401, fixture("ups", "unauthorized.json")))

    with pytest.raises(CarrierError) as caught:
        await ups(carrier_server, http_client, clock).check()

    assert caught.value.kind is ErrorKind.AUTH
    assert "refused (401)" in str(caught.value)


async def test_a_closed_business_under_an_exception_is_a_failed_attempt(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """UPS files "The business was closed" under type X without the word "attempt"."""
    serve_tokens(carrier_server)
    missed = {
        "status": {
            "type": "X",
            "code": "48",
            "description": "The business was closed at the time of the delivery.",
        },
        "date": "20261102",
        "time": "171000",
        "gmtDate": "20261102",
        "gmtTime": "22:10:00",
    }
    body = json.loads(fixture("ups", "in_transit_minimal.json"))
    body["trackResponse"]["shipment"][0]["package"][0]["activity"].insert(0, missed)
    carrier_server.route("GET", TRACK_PATH, Reply(200, json.dumps(body)))

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.FAILED_ATTEMPT,
    ]


async def test_a_warning_beside_the_package_keeps_the_scans_and_becomes_a_note(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    serve_tokens(carrier_server)
    body = json.loads(fixture("ups", "in_transit_minimal.json"))
    warning = {"code": "TW0002", "message": "Additional tracking information is not available"}
    body["trackResponse"]["shipment"][0]["warnings"] = [warning]
    carrier_server.route("GET", TRACK_PATH, Reply(200, json.dumps(body)))

    result = await track_one(ups(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [S.INFO_RECEIVED, S.IN_TRANSIT]
    assert result.note == "ups: Additional tracking information is not available"
