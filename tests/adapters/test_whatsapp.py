"""TwilioWhatsApp against a loopback HTTP server answering as Twilio's Messages API does."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from shopcare.notify.base import Outgoing, SendError
from shopcare.notify.whatsapp import TwilioWhatsApp
from tests.adapters.carrier_server import CarrierServer, Reply

SID, TOKEN, FROM = "AC0123456789abcdef", "tok3n", "+15005550006"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
CREATED = Reply(201, json.dumps({"sid": "SM123", "status": "queued"}))
SHIPPED_DE = "HX" + "b" * 32


def whatsapp(client: httpx.AsyncClient, base_url: str) -> TwilioWhatsApp:
    return TwilioWhatsApp(
        client=client,
        base_url=base_url,
        account_sid=SID,
        auth_token=TOKEN,
        from_number=FROM,
        templates={"shipped:de": SHIPPED_DE},
    )


def message(to: str = "+4915112345678", locale: str = "de") -> Outgoing:
    return Outgoing(
        kind="shipped",
        recipient=to,
        subject="Order 1001 shipped",
        text="ignored: WhatsApp sends the approved template",
        data={
            "locale": locale,
            "order_number": "1001",
            "link": "https://shop.test/t/x",
            "carrier": "DHL",
            "tracking_number": "",
        },
    )


def twilio_error(status: int, code: int, text: str) -> Reply:
    body = {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }
    return Reply(status, json.dumps(body | {"status": status}))


async def failure(sender: TwilioWhatsApp, outgoing: Outgoing | None = None) -> SendError:
    with pytest.raises(SendError) as caught:
        await sender.send(outgoing or message())
    return caught.value


async def test_it_sends_the_approved_template_with_its_variables(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, CREATED)
    await whatsapp(http_client, carrier_server.url).send(message())
    (request,) = carrier_server.requests
    form = parse_qs(request.body.decode())
    assert form == {
        "To": ["whatsapp:+4915112345678"],
        "From": [f"whatsapp:{FROM}"],
        "ContentSid": [SHIPPED_DE],
        "ContentVariables": [form["ContentVariables"][0]],
    }
    assert json.loads(form["ContentVariables"][0]) == {
        "1": "1001",
        "2": "https://shop.test/t/x",
        "3": "DHL",
        "4": "-",
    }
    credentials = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {credentials}"


async def test_without_a_template_for_the_language_nothing_is_sent(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    error = await failure(whatsapp(http_client, carrier_server.url), message(locale="fr"))
    assert error.permanent and "no approved template id for shipped (fr)" in str(error)
    assert carrier_server.requests == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (63016, "outside the 24-hour window"),
        (63003, "not on WhatsApp"),
        (63027, "template does not exist"),
    ],
)
async def test_twilios_error_codes_are_permanent_and_named(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, code: int, says: str
) -> None:
    carrier_server.route("POST", PATH, twilio_error(400, code, "Twilio's own words"))
    error = await failure(whatsapp(http_client, carrier_server.url))
    assert error.permanent
    assert says in str(error) and f"({code})" in str(error) and "Twilio's own words" in str(error)


async def test_a_rate_limit_is_temporary(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    carrier_server.route("POST", PATH, twilio_error(429, 20429, "Too Many Requests"))
    error = await failure(whatsapp(http_client, carrier_server.url))
    assert not error.permanent


async def test_a_number_not_in_e164_is_refused_before_sending(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient
) -> None:
    error = await failure(whatsapp(http_client, carrier_server.url), message(to="0151 123"))
    assert error.permanent and carrier_server.requests == []
