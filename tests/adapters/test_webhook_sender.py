"""SignedWebhook against a loopback HTTP server standing in for the owner's receiver."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

import httpx
import pytest

from shopcare.notify.base import Outgoing, SendError
from shopcare.notify.webhook import SignedWebhook, verify_signature
from tests.adapters.carrier_server import CarrierServer, Reply, Request
from tests.conftest import free_port

SECRET = "whsec-test"
NOW = datetime(2026, 11, 2, 9, 0, 5, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))


def webhook(client: httpx.AsyncClient, url: str) -> SignedWebhook:
    return SignedWebhook(client=client, url=url, secret=SECRET, clock=lambda: NOW)


def message() -> Outgoing:
    return Outgoing(
        kind="shipped",
        recipient="",
        subject="Order 1001 is on its way",
        text="DHL JJD0001 — «on its way»",
        message_id="<1001.shipped@demo.example>",
        data={"order": "1001", "tracking_number": "JJD0001", "eta": date(2026, 11, 4)},
    )


async def failure(sender: SignedWebhook) -> SendError:
    with pytest.raises(SendError) as caught:
        await sender.send(message())
    return caught.value


async def delivered(carrier_server: CarrierServer, client: httpx.AsyncClient) -> Request:
    carrier_server.route("POST", "/hooks/shopcare", Reply(204))
    await webhook(client, carrier_server.url + "/hooks/shopcare").send(message())
    (request,) = carrier_server.requests
    return request


async def test_it_posts_the_message_as_json(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    request = await delivered(carrier_server, http_client)
    assert (request.method, request.path) == ("POST", "/hooks/shopcare")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-shopcare-message-id"] == "<1001.shipped@demo.example>"
    assert request.headers["x-shopcare-timestamp"] == STAMP
    assert request.json() == {
        "id": "<1001.shipped@demo.example>",
        "kind": "shipped",
        "subject": "Order 1001 is on its way",
        "text": "DHL JJD0001 — «on its way»",
        "data": {"order": "1001", "tracking_number": "JJD0001", "eta": "2026-11-04"},
        "sent_at": "2026-11-02T09:00:05Z",
    }


async def test_the_signature_covers_timestamp_and_exact_body(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    request = await delivered(carrier_server, http_client)
    header = request.headers["x-shopcare-signature"]
    # what the module docstring tells a receiver to compute
    signed = STAMP.encode() + b"." + request.body
    assert header == "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    now = NOW.timestamp()
    assert verify_signature(SECRET, STAMP, request.body, header, now=now)


async def test_a_tampered_replayed_or_wrongly_keyed_request_does_not_verify(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    request = await delivered(carrier_server, http_client)
    body, header, now = request.body, request.headers["x-shopcare-signature"], NOW.timestamp()
    tampered = body.replace(b"1001", b"1002")
    assert not verify_signature(SECRET, STAMP, tampered, header, now=now)
    assert not verify_signature(SECRET, str(int(STAMP) + 1), body, header, now=now)
    assert not verify_signature("other-secret", STAMP, body, header, now=now)
    assert not verify_signature(SECRET, STAMP, body, header.removeprefix("sha256="), now=now)
    assert not verify_signature(SECRET, STAMP, body, header, now=now + 301)  # a replay
    assert not verify_signature(SECRET, "yesterday", body, header, now=now)


@pytest.mark.parametrize(
    ("reply", "permanent", "retry_after", "says"),
    [
        (Reply(410, "gone"), True, None, "receiver is gone (410)"),
        (Reply(400, "bad payload"), True, None, "(400): bad payload"),
        (Reply(401, "bad signature"), True, None, "same secret"),
        (Reply(404), True, None, "(404)"),
        (Reply(301, headers={"Location": "https://new.example/hook"}), True, None, "new.example"),
        (Reply(429, headers={"Retry-After": "120"}), False, 120, "(429)"),
        (Reply(500, "boom"), False, None, "(500): boom"),
        (Reply(503, headers={"Retry-After": "5"}), False, 5, "(503)"),
    ],
    ids=["410", "400", "401", "404", "301", "429", "500", "503"],
)
async def test_receiver_answers_say_whether_to_retry(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    reply: Reply,
    permanent: bool,
    retry_after: float | None,
    says: str,
) -> None:
    carrier_server.route("POST", "/hook", reply)
    error = await failure(webhook(http_client, carrier_server.url + "/hook"))
    assert error.permanent is permanent
    assert error.retry_after == retry_after
    assert says in str(error)


async def test_no_answer_in_time_is_temporary(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", "/hook", Reply(200, delay=1.5))
    error = await failure(webhook(http_client, carrier_server.url + "/hook"))
    assert not error.permanent
    assert "no answer in time" in str(error)


async def test_an_unreachable_receiver_is_temporary(http_client: httpx.AsyncClient) -> None:
    error = await failure(webhook(http_client, f"http://127.0.0.1:{free_port()}/hook"))
    assert not error.permanent
    assert "cannot reach" in str(error)
