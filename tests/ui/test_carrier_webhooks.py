"""Carrier pushes over HTTP: signature on the raw body, nothing stored when it is wrong,
the same push twice changes nothing, news reaches the shipment and the outbox."""

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select

from shopcare.app import ShopCare
from shopcare.db.models import InboundPush, OutboxMessage, Shipment, TrackingEvent
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.ui.webhooks import webhooks_router
from tests.adapters.carrier_server import fixture
from tests.conftest import PUBLIC_URL, FakeClock

SECRET = "whsec-test-1"
URL = "/webhooks/carrier/aftership"


@pytest.fixture
async def hooks(shopcare: ShopCare, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    save_account(
        shopcare.sessions,
        "aftership",
        enabled=True,
        values={"api_key": "k", "webhook_secret": SECRET},
        now=clock(),
    )
    shopcare.reload_carriers()
    create_order(
        shopcare.sessions,
        OrderIn(
            order_number="3001",
            email="a@example.com",
            placed_at=clock(),
            lines=[LineIn(title="Mug")],
            shipments=[ShipmentIn(carrier="aftership", tracking_number="1Z5R89390357567127")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    app = FastAPI()
    app.include_router(webhooks_router(shopcare))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC_URL) as c:
        yield c


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {
        "aftership-hmac-sha256": base64.b64encode(digest).decode(),
        "content-type": "application/json",
    }


def count(shopcare: ShopCare, model: type) -> int:
    with shopcare.sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def test_a_signed_push_moves_the_shipment_and_queues_its_message(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = fixture("aftership", "push.json").encode()
    response = await hooks.post(URL, content=body, headers=signed(body))
    assert response.status_code == 200 and response.json()["updated"] == 1
    with shopcare.sessions() as session:
        shipment = session.exec(select(Shipment)).one()
        kinds = {m.kind for m in session.exec(select(OutboxMessage))}
    assert shipment.status == ShipmentStatus.OUT_FOR_DELIVERY
    assert "out_for_delivery" in kinds
    assert count(shopcare, TrackingEvent) > 0


async def test_the_same_push_twice_changes_nothing(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = fixture("aftership", "push.json").encode()
    await hooks.post(URL, content=body, headers=signed(body))
    events, messages = count(shopcare, TrackingEvent), count(shopcare, OutboxMessage)
    again = await hooks.post(URL, content=body, headers=signed(body))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert (count(shopcare, TrackingEvent), count(shopcare, OutboxMessage)) == (events, messages)


@pytest.mark.parametrize("tamper", ["body", "secret", "missing"])
async def test_a_bad_signature_gets_401_and_stores_nothing(
    hooks: httpx.AsyncClient, shopcare: ShopCare, tamper: str
) -> None:
    body = fixture("aftership", "push.json").encode()
    headers = signed(body, "wrong-secret" if tamper == "secret" else SECRET)
    if tamper == "body":
        body = body.replace(b"OutForDelivery", b"Delivered")
    if tamper == "missing":
        headers.pop("aftership-hmac-sha256")
    response = await hooks.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert count(shopcare, TrackingEvent) == 0 and count(shopcare, InboundPush) == 0


async def test_unknown_or_unconfigured_providers_get_404(hooks: httpx.AsyncClient) -> None:
    assert (await hooks.post("/webhooks/carrier/pigeon", content=b"{}")).status_code == 404
    assert (await hooks.post("/webhooks/carrier/ship24", content=b"{}")).status_code == 404


async def test_a_garbage_body_with_a_valid_signature_gets_400(hooks: httpx.AsyncClient) -> None:
    body = b"{not json"
    assert (await hooks.post(URL, content=body, headers=signed(body))).status_code == 400
