"""What every carrier adapter promises the engine, run for each adapter.

A tracking call the carrier refuses, limits, fails, leaves unanswered or answers with garbage
raises the matching ``CarrierError`` kind under the carrier's name, and an account without its
key or secret fails with CONFIG, naming what is missing, before anything is sent. Each adapter
supplies the route of its tracking call, credentials, credentials that lack a field, a query,
and answers that are JSON but not in its carrier's shape; what only one adapter does is tested
in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers import (
    aftership,
    dhl,
    easypost,
    fedex,
    seventeentrack,
    ship24,
    shippo,
    ups,
    usps,
)
from shopcare.carriers.base import Carrier, CarrierError, CarrierSpec, ErrorKind, TrackingQuery
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.adapters.oauth_tokens import serve_tokens
from tests.conftest import FakeClock

SHIPPED = datetime(2026, 10, 29, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    spec: CarrierSpec
    provider: str
    """How the adapter's errors name the carrier."""
    track: tuple[str, str]
    """Method and path of the tracking call."""
    credentials: dict[str, str]
    incomplete: dict[str, str]
    """Credentials that lack a field; the CONFIG error must contain ``names``."""
    names: str
    query: TrackingQuery
    misshapen: dict[str, str]
    """Answers that are valid JSON in the wrong shape, by test id."""
    base_path: str = ""
    token_path: str = ""
    """Where an OAuth carrier issues tokens."""

    def adapter(
        self,
        server: CarrierServer,
        client: httpx.AsyncClient,
        clock: FakeClock,
        credentials: dict[str, str] | None = None,
    ) -> Carrier:
        return self.spec.create(
            self.credentials if credentials is None else credentials,
            client=client,
            clock=clock,
            base_url=server.url + self.base_path,
        )

    def serve(self, server: CarrierServer, reply: Reply) -> None:
        if self.token_path:
            serve_tokens(server, carrier=self.spec.name, path=self.token_path)
        server.route(*self.track, reply)


def query(number: str, carrier_code: str = "") -> TrackingQuery:
    return TrackingQuery(number, shipped_at=SHIPPED, carrier_code=carrier_code)


OAUTH = {"client_id": "shop-client-id", "client_secret": "shop-secret"}
CASES = [
    Case(
        spec=seventeentrack.SPEC,
        provider="17TRACK",
        track=("POST", "/track/v2.2/gettrackinfo"),
        credentials={"api_key": "k-17"},
        incomplete={"api_key": ""},
        names="api_key",
        query=query("LX123456789CN"),
        misshapen={"no-lists": '{"code":0,"data":{}}'},
    ),
    Case(
        spec=aftership.SPEC,
        provider="AfterShip",
        track=("GET", "/tracking/2025-01/trackings"),
        credentials={"api_key": "as-k"},
        incomplete={"api_key": " "},
        names="api_key",
        query=query("1Z5R89390357567127"),
        misshapen={"no-trackings": '{"meta":{"code":200},"data":{}}'},
        base_path="/tracking/2025-01",
    ),
    Case(
        spec=ship24.SPEC,
        provider="Ship24",
        track=("POST", "/public/v1/trackers/track"),
        credentials={"api_key": "s24-k"},
        incomplete={"api_key": ""},
        names="api_key",
        query=query("00340434292135100186"),
        misshapen={"no-trackings": '{"data":{}}'},
        base_path="/public/v1",
    ),
    Case(
        spec=easypost.SPEC,
        provider="EasyPost",
        track=("POST", "/v2/trackers"),
        credentials={"api_key": "EZTK0123456789abcdef"},
        incomplete={"api_key": " "},
        names="API key",
        query=query("EZ4000000004"),
        misshapen={
            "tracker-list": '{"trackers": []}',
            "event-without-time": '{"tracking_details": [{"status": "delivered"}]}',
        },
        base_path="/v2",
    ),
    Case(
        spec=shippo.SPEC,
        provider="Shippo",
        track=("GET", "/tracks/shippo/SHIPPO_TRANSIT"),
        credentials={"api_token": "shippo_test_5f3c0b8e9a1d4c2f"},
        incomplete={"api_token": ""},
        names="API token",
        query=query("SHIPPO_TRANSIT", "shippo"),
        misshapen={
            "account-list": '{"results": []}',
            "history-not-a-list": '{"tracking_history": {"status": "TRANSIT"}}',
            "event-without-time": '{"tracking_history": [{"status": "TRANSIT"}]}',
        },
    ),
    Case(
        spec=ups.SPEC,
        provider="ups",
        track=("GET", "/api/track/v1/details/1Z5R89390357567127"),
        credentials=OAUTH,
        incomplete={"client_id": "shop-client-id"},
        names="client_secret",
        query=query("1Z5R89390357567127"),
        misshapen={
            "no-shipment": '{"trackResponse": {"shipment": []}}',
            "no-package": '{"trackResponse": {"shipment": [{}]}}',
        },
        token_path="/security/v1/oauth/token",
    ),
    Case(
        spec=usps.SPEC,
        provider="usps",
        track=("GET", "/tracking/v3/tracking/9400111206206406260787"),
        credentials=OAUTH,
        incomplete={"client_secret": "s"},
        names="client_id",
        query=query("9400111206206406260787"),
        misshapen={
            "no-events": '{"trackingNumber": "x"}',
            "event-without-time": '{"trackingEvents": [{"eventType": "Arrived"}]}',
        },
        token_path="/oauth2/v3/token",
    ),
    Case(
        spec=fedex.SPEC,
        provider="fedex",
        track=("POST", "/track/v1/trackingnumbers"),
        credentials=OAUTH,
        incomplete={"client_id": "k", "client_secret": " "},
        names="client_secret",
        query=query("986578788855"),
        misshapen={"no-output": '{"errors": [{"message": "busy"}]}'},
        token_path="/oauth/token",
    ),
    Case(
        spec=dhl.SPEC,
        provider="dhl",
        track=("GET", "/track/shipments"),
        credentials={"api_key": "shop-dhl-key"},
        incomplete={},
        names="api_key",
        query=query("00340434161094042557"),
        misshapen={"no-shipments": '{"shipments": []}'},
    ),
]
each_adapter = pytest.mark.parametrize("case", CASES, ids=[case.spec.name for case in CASES])


@pytest.mark.parametrize(
    ("reply", "kind", "permanent", "wait"),
    [
        (Reply(401, '{"error": "invalid credentials"}'), ErrorKind.AUTH, True, None),
        (Reply(403, '{"error": "forbidden"}'), ErrorKind.AUTH, True, None),
        (Reply(429, "", {"Retry-After": "30"}), ErrorKind.RATE_LIMITED, False, 30.0),
        (Reply(500, "oops"), ErrorKind.UNAVAILABLE, False, None),
        (Reply(503, "", {"Retry-After": "120"}), ErrorKind.UNAVAILABLE, False, 120.0),
        (Reply(200, "{}", delay=1.5), ErrorKind.NETWORK, False, None),
        (Reply(200, "{not json"), ErrorKind.BAD_RESPONSE, False, None),
        (Reply(200, "<html>maintenance</html>"), ErrorKind.BAD_RESPONSE, False, None),
    ],
    ids=["401", "403", "429", "500", "503-retry-after", "timeout", "broken-json", "html-page"],
)
@each_adapter
async def test_a_failed_tracking_call_raises_the_matching_error(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    case: Case,
    reply: Reply,
    kind: ErrorKind,
    permanent: bool,
    wait: float | None,
) -> None:
    case.serve(carrier_server, reply)

    with pytest.raises(CarrierError) as caught:
        await case.adapter(carrier_server, http_client, clock).track([case.query])

    assert caught.value.kind is kind
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == wait
    assert str(caught.value).startswith(f"{case.provider}: ")


@pytest.mark.parametrize(
    ("case", "body"),
    [
        pytest.param(case, body, id=f"{case.spec.name}-{name}")
        for case in CASES
        for name, body in case.misshapen.items()
    ],
)
async def test_an_answer_of_the_wrong_shape_is_a_bad_response(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    case: Case,
    body: str,
) -> None:
    case.serve(carrier_server, Reply(200, body))

    with pytest.raises(CarrierError) as caught:
        await case.adapter(carrier_server, http_client, clock).track([case.query])

    assert caught.value.kind is ErrorKind.BAD_RESPONSE and not caught.value.permanent
    assert caught.value.retry_after is None
    assert str(caught.value).startswith(f"{case.provider}: ")


@pytest.mark.parametrize("call", ["track", "check"])
@each_adapter
async def test_a_missing_credential_is_a_config_error_naming_it(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    case: Case,
    call: str,
) -> None:
    adapter = case.adapter(carrier_server, http_client, clock, case.incomplete)

    with pytest.raises(CarrierError) as caught:
        await (adapter.track([case.query]) if call == "track" else adapter.check())

    assert caught.value.kind is ErrorKind.CONFIG and caught.value.permanent
    assert case.names in str(caught.value)
    assert carrier_server.requests == []
