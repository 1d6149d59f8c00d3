"""Shopify webhooks over HTTP: signed orders and fulfillments reach the store, retries and
stale copies change nothing, forged or broken deliveries leave no trace."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OutboxMessage, Shipment, ShopOrder, WebhookDelivery
from shopcare.services.intake.connection import disconnect, save_connection
from shopcare.services.intake.webhooks import set_webhook_secret
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.ui.site import site_app
from tests.conftest import FakeClock
from tests.intake.webhook_helpers import client, count, deliveries, payload, signature

SECRET = "shpss_0123456789abcdef"
URL = "/webhooks/shopify"


@pytest.fixture
async def hooks(shopcare: ShopCare, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    set_webhook_secret(shopcare.sessions, "shopify", SECRET, now=clock())
    async with client(shopcare) as c:
        yield c


async def send(
    hooks: httpx.AsyncClient, topic: str, body: dict[str, Any] | bytes, webhook_id: str
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await hooks.post(
        URL,
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature(raw, SECRET),
            "X-Shopify-Shop-Domain": "kaffee-laden.myshopify.com",
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": webhook_id,
        },
    )


def stored_order(shopcare: ShopCare) -> ShopOrder:
    with shopcare.sessions() as session:
        return session.exec(select(ShopOrder)).one()


async def test_a_new_order_is_stored_and_confirmed(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await send(hooks, "orders/create", payload("shopify_order.json"), "wh-1")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    order = stored_order(shopcare)
    assert (order.order_number, order.external_id, order.source) == (
        "#1001",
        "5880113578212",
        "shopify",
    )
    assert (order.email, order.ship_name, order.ship_address2) == (
        "anna.schmidt@example.com", "Jonas Schmidt", "Hinterhaus, 3. OG",
    )  # fmt: skip
    assert order.total_minor == 5970
    with shopcare.sessions() as session:
        numbers = [s.tracking_number for s in session.exec(select(Shipment))]
        kinds = [m.kind for m in session.exec(select(OutboxMessage))]
    assert numbers == ["1234567890"]  # the cancelled UPS fulfillment is not followed
    assert kinds == ["order_confirmed"]
    (delivery,) = deliveries(shopcare)
    assert (delivery.topic, delivery.status, delivery.order_number) == (
        "orders/create",
        "applied",
        "#1001",
    )
    assert delivery.delivery_key == "wh-1"


async def test_a_retry_with_the_same_webhook_id_is_applied_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = json.dumps(payload("shopify_order.json")).encode()
    first = await send(hooks, "orders/create", body, "wh-same")
    again = await send(hooks, "orders/create", body, "wh-same")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["duplicate"] is True
    assert count(shopcare, WebhookDelivery) == 1
    assert count(shopcare, ShopOrder) == 1
    assert count(shopcare, Shipment) == 1
    assert count(shopcare, OutboxMessage) == 1


async def test_an_edit_is_taken_over_and_a_stale_copy_changes_nothing(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    created = payload("shopify_order.json")
    await send(hooks, "orders/create", created, "wh-1")
    edited = payload("shopify_order.json")
    edited["email"] = "jonas@example.org"
    edited["shipping_address"]["address1"] = "Skalitzer Straße 80"
    edited["updated_at"] = "2026-11-02T10:05:00+01:00"
    await send(hooks, "orders/updated", edited, "wh-2")
    late = payload("shopify_order.json")  # Shopify retrying an earlier update, hours later
    late["shipping_address"]["address1"] = "Falsche Straße 1"
    late["updated_at"] = "2026-11-02T09:50:00+01:00"
    response = await send(hooks, "orders/updated", late, "wh-0")
    assert response.status_code == 200
    order = stored_order(shopcare)
    assert (order.email, order.ship_address1) == ("jonas@example.org", "Skalitzer Straße 80")
    assert [d.status for d in deliveries(shopcare)] == ["applied", "applied", "stale"]


async def test_a_cancelled_order_stops_its_tracking_and_messages(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await send(hooks, "orders/create", payload("shopify_order.json"), "wh-1")
    cancelled = payload("shopify_order.json")
    cancelled["cancelled_at"] = cancelled["updated_at"] = "2026-11-02T09:55:00+01:00"
    cancelled["cancel_reason"] = "customer"
    await send(hooks, "orders/cancelled", cancelled, "wh-2")
    assert stored_order(shopcare).cancelled_at is not None
    with shopcare.sessions() as session:
        assert all(s.next_poll_at is None for s in session.exec(select(Shipment)))
        assert {m.status for m in session.exec(select(OutboxMessage))} == {"skipped"}
    assert deliveries(shopcare)[-1].status == "applied"


async def test_a_fulfillment_adds_its_parcels_to_the_order(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await send(hooks, "orders/create", payload("shopify_order.json"), "wh-1")
    response = await send(hooks, "fulfillments/create", payload("shopify_fulfillment.json"), "wh-2")
    assert response.status_code == 200
    with shopcare.sessions() as session:
        numbers = sorted(s.tracking_number for s in session.exec(select(Shipment)))
    assert numbers == ["1234567890", "9400111899223197428490", "9400111899223197428506"]
    last = deliveries(shopcare)[-1]
    assert (last.topic, last.status, last.order_number) == (
        "fulfillments/create",
        "applied",
        "#1001",
    )
    await send(hooks, "fulfillments/update", payload("shopify_fulfillment.json"), "wh-3")
    assert count(shopcare, Shipment) == 3


async def test_a_fulfillment_for_an_order_never_seen_is_reported(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await send(hooks, "fulfillments/create", payload("shopify_fulfillment.json"), "wh-9")
    assert response.status_code == 200  # stored: the owner sees why the parcel is missing
    (delivery,) = deliveries(shopcare)
    assert delivery.status == "failed"
    assert "no order" in delivery.error
    assert count(shopcare, Shipment) == 0


async def test_a_topic_not_used_is_kept_as_ignored(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    response = await send(hooks, "customers/create", {"id": 1, "email": "x@example.com"}, "wh-c")
    assert response.status_code == 200
    (delivery,) = deliveries(shopcare)
    assert delivery.status == "ignored"
    assert "customers/create" in delivery.error


async def test_an_order_shopify_sends_broken_is_failed_with_the_reason(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    broken = payload("shopify_order.json")
    broken["total_price"] = "59,70,1"
    await send(hooks, "orders/create", broken, "wh-b")
    (delivery,) = deliveries(shopcare)
    assert delivery.status == "failed"
    assert "total_price" in delivery.error
    assert count(shopcare, ShopOrder) == 0


@pytest.mark.parametrize("header", ["bad", ""])
async def test_a_forged_or_unsigned_delivery_gets_401_and_leaves_no_trace(
    hooks: httpx.AsyncClient, shopcare: ShopCare, header: str
) -> None:
    body = json.dumps(payload("shopify_order.json")).encode()
    headers = {"x-shopify-topic": "orders/create", "x-shopify-webhook-id": "wh-f"}
    if header:
        headers["x-shopify-hmac-sha256"] = signature(body, "someone-elses-secret")
    response = await hooks.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert (count(shopcare, WebhookDelivery), count(shopcare, ShopOrder)) == (0, 0)


async def test_a_tampered_body_gets_401(hooks: httpx.AsyncClient, shopcare: ShopCare) -> None:
    body = json.dumps(payload("shopify_order.json")).encode()
    headers = {"X-Shopify-Hmac-Sha256": signature(body, SECRET), "X-Shopify-Topic": "orders/create"}
    response = await hooks.post(URL, content=body.replace(b"59.70", b"0.01"), headers=headers)
    assert response.status_code == 401
    assert count(shopcare, WebhookDelivery) == 0


@pytest.mark.parametrize(
    ("body", "reason"), [(b'{"id": 1,', "malformed JSON"), (b"[1, 2]", "not an object")]
)
async def test_malformed_json_gets_400_with_a_reason(
    hooks: httpx.AsyncClient, shopcare: ShopCare, body: bytes, reason: str
) -> None:
    response = await send(hooks, "orders/create", body, "wh-m")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert count(shopcare, WebhookDelivery) == 0


async def test_webhooks_not_set_up_get_404(shopcare: ShopCare) -> None:
    async with client(shopcare) as hooks:
        response = await send(hooks, "orders/create", payload("shopify_order.json"), "wh-1")
    assert response.status_code == 404
    assert count(shopcare, WebhookDelivery) == 0


async def test_an_app_webhook_signed_with_the_client_secret_is_taken(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """Webhooks an app subscribes to are signed with its client secret, saved with the
    connection: no separate webhook secret is needed."""
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url="kaffee-laden.myshopify.com",
        values={"client_id": "0f1e2d", "client_secret": SECRET},
        now=clock(),
    )
    async with client(shopcare) as hooks:
        response = await send(hooks, "orders/create", payload("shopify_order.json"), "wh-app")
    assert response.status_code == 200
    assert stored_order(shopcare).order_number == "#1001"


async def test_a_switched_off_connection_takes_no_webhooks(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url="kaffee-laden.myshopify.com",
        values={"access_token": "shpat_x"},
        now=clock(),
    )
    disconnect(shopcare.sessions, "shopify", now=clock())
    response = await send(hooks, "orders/create", payload("shopify_order.json"), "wh-off")
    assert response.status_code == 404
    assert count(shopcare, WebhookDelivery) == 0


async def test_the_site_serves_both_platform_endpoints(
    hooks: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    """Wired where the carrier webhooks are: on the site app in front of the admin."""
    site = httpx.ASGITransport(site_app(shopcare))
    async with httpx.AsyncClient(transport=site, base_url="http://shop.test") as web:
        body = json.dumps(payload("shopify_order.json")).encode()
        headers = {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature(body, SECRET),
        }
        shopify = await web.post(URL, content=body, headers=headers)
        woocommerce = await web.post("/webhooks/woocommerce", content=b"webhook_id=3")
    assert shopify.status_code == 200
    assert woocommerce.status_code == 200  # the ping, even before the secret is saved
    assert stored_order(shopcare).order_number == "#1001"


async def test_a_parcel_shipped_on_shopify_is_followed_at_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    """With a DHL account, the number from 'DHL Express' is followed by DHL straight away."""
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": "k"}, now=clock())
    shopcare.reload_carriers()
    order = payload("shopify_order.json")
    order["fulfillments"] = []
    await send(hooks, "orders/create", order, "wh-1")
    assert count(shopcare, Shipment) == 0
    fulfillment = payload("shopify_order.json")["fulfillments"][0]
    await send(hooks, "fulfillments/create", fulfillment, "wh-2")
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment)).one()
    assert (parcel.carrier, parcel.tracking_number) == ("dhl", "1234567890")
    assert parcel.next_poll_at is not None
    assert deliveries(shopcare)[-1].status == "applied"
