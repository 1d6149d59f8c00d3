"""TwilioSms against a loopback HTTP server answering as Twilio's Messages API does."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from shopcare.notify.base import Outgoing, SendError
from shopcare.notify.sms import TwilioSms
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import free_port

SID, TOKEN, FROM = "AC0123456789abcdef", "tok3n", "+15005550006"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
CREATED = Reply(201, json.dumps({"sid": "SM123", "status": "queued"}))


def sms(client: httpx.AsyncClient, base_url: str) -> TwilioSms:
    return TwilioSms(
        client=client, base_url=base_url, account_sid=SID, auth_token=TOKEN, from_number=FROM
    )


def message(to: str = "+4915112345678", text: str = "Order 1001 shipped: http://shop.test/t/x"):
    return Outgoing(kind="shipped", recipient=to, subject="Order 1001 shipped", text=text)


def twilio_error(status: int, code: int, text: str, **headers: str) -> Reply:
    body = {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }
    return Reply(status, json.dumps(body | {"status": status}), headers)


async def failure(sender: TwilioSms, outgoing: Outgoing | None = None) -> SendError:
    with pytest.raises(SendError) as caught:
        await sender.send(outgoing or message())
    return caught.value


async def test_it_posts_the_message_as_a_twilio_form(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, CREATED)
    await sms(http_client, carrier_server.url).send(message(text="  Order 1001 shipped \n"))
    (request,) = carrier_server.requests
    assert request.path == PATH
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "To": ["+4915112345678"],
        "From": [FROM],
        "Body": ["Order 1001 shipped"],
    }
    credentials = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {credentials}"


async def test_it_asks_for_delivery_reports_and_returns_the_message_sid(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, CREATED)
    callback = "https://track.shop.example/webhooks/twilio/status"
    sender = TwilioSms(
        client=http_client, base_url=carrier_server.url, account_sid=SID, auth_token=TOKEN,
        from_number=FROM, status_callback=callback,
    )  # fmt: skip
    assert await sender.send(message()) == "SM123"
    (request,) = carrier_server.requests
    assert parse_qs(request.body.decode())["StatusCallback"] == [callback]


async def test_it_trims_the_text_to_1600_characters(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, CREATED)
    await sms(http_client, carrier_server.url).send(message(text="é" * 2000))
    (request,) = carrier_server.requests
    assert parse_qs(request.body.decode())["Body"] == ["é" * 1600]


@pytest.mark.parametrize(
    "number", ["0151 12345678", "+49 151 12345678", "+1234567", "+0151123456789", "anna@x.de", ""]
)
async def test_a_number_not_in_e164_is_permanent_and_nothing_is_sent(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, number: str
) -> None:
    error = await failure(sms(http_client, carrier_server.url), message(to=number))
    assert error.permanent
    assert "international form" in str(error)
    assert carrier_server.requests == []


@pytest.mark.parametrize(
    ("reply", "permanent", "retry_after", "says"),
    [
        (twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "30"}), False, 30, "429"),
        (twilio_error(503, 20503, "Service unavailable"), False, None, "server error (503)"),
        (twilio_error(400, 21211, "The 'To' number is not valid."), True, None, "21211"),
        (twilio_error(400, 21614, "'To' number is not a mobile number"), True, None, "mobile"),
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), True, None, "STOP"),
        (
            twilio_error(401, 20003, "Authenticate"),
            True,
            None,
            "SMS account refused (check SID and token)",
        ),
        (twilio_error(403, 20003, "Permission denied"), True, None, "check SID and token"),
        (twilio_error(400, 21408, "Permission to send to this region"), True, None, "21408"),
    ],
    ids=["429", "503", "21211", "21614", "21610", "401", "403", "other-400"],
)
async def test_twilio_refusals_say_whether_to_retry(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    reply: Reply,
    permanent: bool,
    retry_after: float | None,
    says: str,
) -> None:
    carrier_server.route("POST", PATH, reply)
    error = await failure(sms(http_client, carrier_server.url))
    assert error.permanent is permanent
    assert error.retry_after == retry_after
    assert says in str(error)


async def test_no_answer_in_time_is_temporary(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, Reply(201, CREATED.body, delay=1.5))
    error = await failure(sms(http_client, carrier_server.url))
    assert not error.permanent
    assert "did not answer in time" in str(error)


async def test_an_unreachable_api_is_temporary(http_client: httpx.AsyncClient) -> None:
    error = await failure(sms(http_client, f"http://127.0.0.1:{free_port()}"))
    assert not error.permanent
    assert "cannot reach Twilio" in str(error)
