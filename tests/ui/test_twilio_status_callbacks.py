"""Twilio's delivery reports over HTTP: a WhatsApp message goes out asking for them and
keeps its MessageSid; Twilio's signed form posts to ``/webhooks/twilio/status`` then move it
forward only (they may come twice or out of order), the message log says the outcome in
words, and an unsigned post or one about a message that is not ours changes nothing."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.config import Settings, load_settings, with_public_url
from shopcare.db.models import OutboxMessage
from shopcare.domain.messages import MessageKind
from shopcare.notify.twilio_status import twilio_signature
from shopcare.services.messages.delivery import STATUS_PATH, status_callback
from shopcare.services.messages.log import MessageQuery, message_page
from shopcare.services.setup.given import Given
from shopcare.ui.bodies import TWILIO_BODY, BodyCaps
from shopcare.ui.site import site_app
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.services.helpers import make_order
from tests.services.test_whatsapp_messages import PATH, TOKEN, queue, whatsapp_shop

ADDRESS = "https://track.shop.test"
CALLBACK = ADDRESS + STATUS_PATH
MESSAGE_SID = "SM" + "0123456789abcdef" * 2


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A shop whose public address is https, as Twilio's reports need."""
    return with_public_url(load_settings({}, data_dir=str(tmp_path / "data")), ADDRESS)


@pytest.fixture
async def sent(shopcare: ShopCare, carrier_server: CarrierServer) -> OutboxMessage:
    """One WhatsApp message Twilio took (as its Messages API answers)."""
    whatsapp_shop(shopcare, carrier_server)
    created = {"sid": MESSAGE_SID, "status": "queued"}
    carrier_server.route("POST", PATH, Reply(201, json.dumps(created)))
    queue(shopcare, make_order(shopcare, tracking=""), MessageKind.SHIPPED, consent=True)
    await shopcare.dispatch_once()
    return row(shopcare)


@pytest.fixture
async def site(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """The site as the server runs it (body caps in front), over HTTP, in-process."""
    transport = httpx.ASGITransport(BodyCaps(site_app(shopcare)))
    async with httpx.AsyncClient(transport=transport, base_url=ADDRESS) as client:
        yield client


def row(app: ShopCare) -> OutboxMessage:
    with app.sessions() as session:
        return session.exec(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")).one()


async def report(
    site: httpx.AsyncClient, status: str, *, sid: str = MESSAGE_SID, token: str = TOKEN, **more: str
) -> httpx.Response:
    """A status callback as Twilio posts it: form-encoded and signed with the auth token."""
    params = {
        "AccountSid": "AC0123456789abcdef",
        "From": "whatsapp:+15005550006",
        "To": "whatsapp:+4915112345678",
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
        **more,
    }
    signature = twilio_signature(token, CALLBACK, params.items())
    return await site.post(
        STATUS_PATH,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )


def logged(app: ShopCare) -> str:
    rows = message_page(app.sessions, MessageQuery()).rows
    (message,) = [m for m in rows if m.channel == "whatsapp"]
    return message.delivery


async def test_the_message_asks_for_reports_and_keeps_its_sid(
    sent: OutboxMessage, carrier_server: CarrierServer
) -> None:
    (request,) = carrier_server.requests
    assert parse_qs(request.body.decode())["StatusCallback"] == [CALLBACK]
    assert sent.status == "sent" and sent.provider_id == MESSAGE_SID and sent.delivery == ""


def test_reports_are_asked_for_only_at_a_public_https_address(shopcare: ShopCare) -> None:
    local = "http://127.0.0.1:8080"
    assert status_callback(shopcare.sessions, Given(listening_url=local)) == ""  # stand-in
    plain = Given(listening_url=local, public_url="http://track.shop.test")
    assert status_callback(shopcare.sessions, plain) == ""
    secure = Given(listening_url=local, public_url=ADDRESS)
    assert status_callback(shopcare.sessions, secure) == CALLBACK


async def test_reports_move_the_message_forward_only(
    sent: OutboxMessage, shopcare: ShopCare, site: httpx.AsyncClient
) -> None:
    answer = await report(site, "delivered")
    assert answer.status_code == 200 and answer.json()["report"] == "recorded"
    assert (await report(site, "sent")).json()["report"] == "stale"  # late, out of order
    assert row(shopcare).delivery == "delivered" and logged(shopcare) == "delivered"
    assert (await report(site, "read")).json()["report"] == "recorded"
    assert (await report(site, "read")).json()["report"] == "stale"  # Twilio's retry
    assert (await report(site, "delivered")).json()["report"] == "stale"
    assert (await report(site, "failed", ErrorCode="30008")).json()["report"] == "stale"
    kept = row(shopcare)
    assert (kept.delivery, kept.delivery_error, kept.status) == ("read", None, "sent")
    assert logged(shopcare) == "read"


async def test_a_failed_delivery_shows_why_in_the_log(
    sent: OutboxMessage, shopcare: ShopCare, site: httpx.AsyncClient
) -> None:
    await report(site, "sent")
    await report(site, "failed", ErrorCode="63016", ErrorMessage="Failed to send freeform")
    assert row(shopcare).delivery_error == 63016
    assert logged(shopcare) == (
        "failed: 63016 — WhatsApp needs an approved template outside the 24-hour window"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
        {"X-Twilio-Signature": twilio_signature("another token", CALLBACK, [])},
    ],
)
async def test_a_post_not_signed_by_twilio_is_refused(
    sent: OutboxMessage, shopcare: ShopCare, site: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    form = {"MessageSid": MESSAGE_SID, "MessageStatus": "delivered"}
    answer = await site.post(STATUS_PATH, data=form, headers=headers)
    assert answer.status_code == 403
    assert (await report(site, "read", token="another token")).status_code == 403
    assert row(shopcare).delivery == ""


async def test_a_report_about_a_message_that_is_not_ours_is_ignored(
    sent: OutboxMessage,
    shopcare: ShopCare,
    site: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="shopcare"):
        answer = await report(site, "delivered", sid="SM" + "f" * 32)
        empty = await report(site, "delivered", sid="")
    assert answer.status_code == 200 and answer.json()["report"] == "unknown"
    assert empty.status_code == 200 and empty.json()["report"] == "unknown"
    assert "not ours" in caplog.text
    assert row(shopcare).delivery == ""


async def test_a_body_over_the_cap_is_refused(sent: OutboxMessage, site: httpx.AsyncClient) -> None:
    body = b"Body=" + b"x" * TWILIO_BODY
    answer = await site.post(
        STATUS_PATH, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 413
