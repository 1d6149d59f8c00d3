"""WooCommerce webhooks over HTTP: the unsigned creation ping is answered, signed orders
reach the store, a delivery is applied once, a deleted or cancelled order stops."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Shipment, ShopOrder, WebhookDelivery
from shopcare.services.intake.webhooks import set_webhook_secret
from tests.conftest import FakeClock
from tests.intake.webhook_helpers import client, count, deliveries, payload, signature

SECRET = "wc-secret &amp; more"
"""WooCommerce signs with the secret after decoding HTML entities in it."""
SIGNING_KEY = "wc-secret & more"
URL = "/webhooks/woocommerce"


@pytest.fixture
async def hooks(shopcare: ShopCare, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    set_webhook_secret(shopcare.sessions, "woocommerce", SECRET, now=clock())
    async with client(shopcare) as c:
        yield c


async def send(
    hooks: httpx.AsyncClient, topic: str, body: dict[str, Any], delivery_id: str | None
) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)",
        "X-WC-Webhook-Source": "https://shop.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": topic.partition(".")[2],
        "X-WC-Webhook-Signature": signature(raw, SIGNING_KEY),
        "X-WC-Webhook-ID": "12",
    }
    if delivery_id is not None:
        headers["X-WC-Webhook-Delivery-ID"] = delivery_id
    return await hooks.post(URL, content=raw, headers=headers)


def stored_order(shopcare: ShopCare) -> ShopOrder:
    with shopcare.sessions() as session:
        return session.exec(select(ShopOrder)).one()


async def test_the_creation_ping_is_answered_and_stores_nothing(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await hooks.post(
        URL, content=b"webhook_id=12", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert count(shopcare, WebhookDelivery) == 0


async def test_a_signed_order_is_stored_with_its_parcels(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await send(hooks, "order.created", payload("woocommerce_order.json"), "a1b2c3")
    assert response.status_code == 200
    order = stored_order(shopcare)
    assert (order.order_number, order.external_id, order.source) == ("727", "727", "woocommerce")
    assert (order.ship_name, order.ship_city, order.ship_country) == ("Marc Dupont", "Lyon", "FR")
    with shopcare.sessions() as session:
        numbers = sorted(s.tracking_number for s in session.exec(select(Shipment)))
    assert numbers == ["1234567890", "6A12345678901"]
    (delivery,) = deliveries(shopcare)
    assert (delivery.delivery_key, delivery.topic, delivery.status) == (
        "a1b2c3",
        "order.created",
        "applied",
    )


async def test_without_a_delivery_id_the_same_body_is_applied_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = payload("woocommerce_order.json")
    first = await send(hooks, "order.created", body, None)
    again = await send(hooks, "order.created", body, None)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert count(shopcare, WebhookDelivery) == 1
    assert count(shopcare, ShopOrder) == 1


async def test_a_parcel_added_on_the_shop_is_followed(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = payload("woocommerce_order.json")
    tracking = body["meta_data"][1]["value"]
    body["meta_data"][1]["value"] = tracking[:1]
    await send(hooks, "order.created", body, "d1")
    body["meta_data"][1]["value"] = tracking
    body["date_modified_gmt"] = "2026-12-01T08:45:00"
    await send(hooks, "order.updated", body, "d2")
    assert count(shopcare, Shipment) == 2
    assert [d.status for d in deliveries(shopcare)] == ["applied", "applied"]


async def test_a_cancelled_order_stops_and_a_restored_one_resumes(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = payload("woocommerce_order.json")
    await send(hooks, "order.created", body, "d1")
    body["status"], body["date_modified_gmt"] = "cancelled", "2026-12-01T08:30:00"
    await send(hooks, "order.updated", body, "d2")
    assert stored_order(shopcare).cancelled_at == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    body["status"], body["date_modified_gmt"] = "processing", "2026-12-01T08:40:00"
    await send(hooks, "order.restored", body, "d3")
    assert stored_order(shopcare).cancelled_at is None


async def test_a_deleted_order_is_cancelled(hooks: httpx.AsyncClient, shopcare: ShopCare) -> None:
    await send(hooks, "order.created", payload("woocommerce_order.json"), "d1")
    response = await send(hooks, "order.deleted", {"id": 727}, "d2")
    assert response.status_code == 200
    assert stored_order(shopcare).cancelled_at is not None
    with shopcare.sessions() as session:
        assert all(s.next_poll_at is None for s in session.exec(select(Shipment)))
    last = deliveries(shopcare)[-1]
    assert (last.status, last.order_number) == ("applied", "727")


async def test_deleting_an_order_never_seen_is_ignored(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await send(hooks, "order.deleted", {"id": 999}, "d9")
    (delivery,) = deliveries(shopcare)
    assert delivery.status == "ignored"
    assert "999" in delivery.error


async def test_a_forged_delivery_gets_401(hooks: httpx.AsyncClient, shopcare: ShopCare) -> None:
    raw = json.dumps(payload("woocommerce_order.json")).encode()
    response = await hooks.post(
        URL,
        content=raw,
        headers={
            "X-WC-Webhook-Topic": "order.created",
            "X-WC-Webhook-Signature": signature(raw, "x"),
        },
    )
    assert response.status_code == 401
    assert (count(shopcare, WebhookDelivery), count(shopcare, ShopOrder)) == (0, 0)


async def test_an_unsigned_body_that_is_not_a_ping_gets_401(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await hooks.post(
        URL, content=b'{"id": 727}', headers={"X-WC-Webhook-Topic": "order.deleted"}
    )
    assert response.status_code == 401
    assert count(shopcare, WebhookDelivery) == 0
