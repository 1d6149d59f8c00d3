from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shopcare.carriers.base import CarrierError, ErrorKind
from shopcare.carriers.http import json_of, send
from shopcare.carriers.oauth import TokenCache
from shopcare.retry_after import retry_after
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import FakeClock


@pytest.mark.parametrize(
    ("reply", "kind", "permanent", "wait"),
    [
        (Reply(401, '{"error":"invalid key"}'), ErrorKind.AUTH, True, None),
        (Reply(403, "forbidden"), ErrorKind.AUTH, True, None),
        (Reply(429, "", {"Retry-After": "30"}), ErrorKind.RATE_LIMITED, False, 30.0),
        (Reply(500, "oops"), ErrorKind.UNAVAILABLE, False, None),
        (Reply(503, "", {"Retry-After": "120"}), ErrorKind.UNAVAILABLE, False, 120.0),
        (Reply(404, "{}"), ErrorKind.NOT_FOUND, False, None),
        (Reply(400, "bad"), ErrorKind.BAD_RESPONSE, False, None),
    ],
)
async def test_status_codes_become_error_kinds(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    reply: Reply,
    kind: ErrorKind,
    permanent: bool,
    wait: float | None,
) -> None:
    carrier_server.route("GET", "/x", reply)
    with pytest.raises(CarrierError) as caught:
        await send(http_client, "GET", f"{carrier_server.url}/x", provider="Acme")
    assert caught.value.kind is kind
    assert caught.value.permanent is permanent
    assert caught.value.retry_after == wait
    assert str(caught.value).startswith("Acme: ")


async def test_a_slow_carrier_is_a_network_error(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("GET", "/slow", Reply(200, "{}", delay=1.5))
    with pytest.raises(CarrierError) as caught:
        await send(http_client, "GET", f"{carrier_server.url}/slow", provider="Acme")
    assert caught.value.kind is ErrorKind.NETWORK and "no answer in time" in str(caught.value)


async def test_a_closed_port_is_a_network_error(http_client: httpx.AsyncClient) -> None:
    from tests.conftest import free_port

    with pytest.raises(CarrierError) as caught:
        await send(http_client, "GET", f"http://127.0.0.1:{free_port()}/", provider="Acme")
    assert caught.value.kind is ErrorKind.NETWORK and "cannot connect" in str(caught.value)


async def test_malformed_json_is_a_bad_response(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("GET", "/garbage", Reply(200, "{not json"))
    response = await send(http_client, "GET", f"{carrier_server.url}/garbage", provider="Acme")
    with pytest.raises(CarrierError) as caught:
        json_of(response, provider="Acme")
    assert caught.value.kind is ErrorKind.BAD_RESPONSE and not caught.value.permanent


def test_retry_after_reads_seconds_dates_and_rate_limit_resets() -> None:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert retry_after(httpx.Headers({"Retry-After": "7"}), now=now) == 7
    date = "Mon, 02 Nov 2026 09:01:00 GMT"
    assert retry_after(httpx.Headers({"Retry-After": date}), now=now) == 60
    assert retry_after(httpx.Headers({"X-RateLimit-Reset": "15"}), now=now) == 15
    epoch = str(int((now + timedelta(seconds=90)).timestamp()))
    assert retry_after(httpx.Headers({"X-RateLimit-Reset": epoch}), now=now) == 90
    assert retry_after(httpx.Headers({}), now=now) is None


async def test_tokens_are_reused_until_five_minutes_before_expiry(clock: FakeClock) -> None:
    issued: list[str] = []

    async def fetch() -> tuple[str, float]:
        issued.append(f"token-{len(issued)}")
        return issued[-1], 3600

    cache = TokenCache(fetch, clock=clock)
    assert await cache.token() == "token-0"
    clock.advance(minutes=54)
    assert await cache.token() == "token-0"
    clock.advance(minutes=2)
    assert await cache.token() == "token-1"
    cache.invalidate()
    assert await cache.token() == "token-2"


async def test_the_production_client_reports_a_refused_connection_as_such() -> None:
    from shopcare.carriers.http import new_client
    from tests.conftest import free_port

    async with new_client() as client:
        with pytest.raises(CarrierError) as caught:
            await send(client, "GET", f"http://127.0.0.1:{free_port()}/", provider="Acme")
    assert caught.value.kind is ErrorKind.NETWORK and "cannot connect" in str(caught.value)


async def test_the_production_client_honours_the_read_timeout(
    carrier_server: CarrierServer,
) -> None:
    from shopcare.carriers.http import new_client

    carrier_server.route("GET", "/slow", Reply(200, "{}", delay=1.5))
    async with new_client() as client:
        with pytest.raises(CarrierError) as caught:
            await send(
                client,
                "GET",
                f"{carrier_server.url}/slow",
                provider="Acme",
                timeout=httpx.Timeout(1.0),
            )
    assert caught.value.kind is ErrorKind.NETWORK and "no answer in time" in str(caught.value)


async def test_the_production_client_makes_its_pool_on_the_first_request(
    carrier_server: CarrierServer,
) -> None:
    """Making the pool reads the certificate authorities: not at start, only when needed."""
    from shopcare.carriers.http import new_client

    carrier_server.route("GET", "/ok", Reply(200, "{}"))
    unused = new_client()
    await unused.aclose()  # never used: nothing to close, nothing made
    assert unused._transport._pool is None  # type: ignore[attr-defined]
    async with new_client() as client:
        assert (
            await send(client, "GET", f"{carrier_server.url}/ok", provider="Acme")
        ).status_code == 200
        assert client._transport._pool is not None  # type: ignore[attr-defined]
