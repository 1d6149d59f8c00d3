"""How deliveries are taken: a body over the cap is refused without being read, a delivery
stored but not applied (the process stopped) is applied later, old ones are pruned."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import uvicorn
from fastapi import FastAPI
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import ShopOrder, WebhookDelivery
from shopcare.services.intake.webhooks import (
    KEEP,
    apply_delivery,
    apply_pending,
    receive_delivery,
    recent_deliveries,
    set_webhook_secret,
)
from shopcare.ui.bodies import WEBHOOK_BODY as MAX_BODY
from shopcare.ui.platform_webhooks import platform_webhooks_router
from tests.conftest import FakeClock, free_port
from tests.intake.webhook_helpers import client, count, deliveries, payload, signature
from tests.store import sqlite_only

SECRET = "shpss_cap"


@pytest.fixture
def configured(shopcare: ShopCare, clock: FakeClock) -> ShopCare:
    set_webhook_secret(shopcare.sessions, "shopify", SECRET, now=clock())
    return shopcare


def shopify_headers(body: bytes, webhook_id: str, topic: str = "orders/create") -> dict[str, str]:
    return {
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": signature(body, SECRET),
        "x-shopify-webhook-id": webhook_id,
    }


async def test_a_body_declared_over_the_cap_gets_413(configured: ShopCare) -> None:
    body = b" " * (MAX_BODY + 1)
    async with client(configured) as hooks:
        response = await hooks.post(
            "/webhooks/shopify", content=body, headers=shopify_headers(body, "big")
        )
    assert response.status_code == 413
    assert count(configured, WebhookDelivery) == 0


@pytest.fixture
def server(configured: ShopCare) -> Iterator[int]:
    """The routes on a real socket: only there does a body arrive in pieces."""
    app = FastAPI()
    app.include_router(platform_webhooks_router(configured))
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    uv.should_exit = True
    thread.join(timeout=10)


def test_a_streamed_body_over_the_cap_is_refused_before_it_ends(
    server: int, configured: ShopCare
) -> None:
    """A chunked body with no length: the answer comes once the cap is passed, while the
    client has not even finished sending (it never sends the last chunk)."""
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            b"POST /webhooks/shopify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\nX-Shopify-Topic: orders/create\r\n"
            b"X-Shopify-Hmac-Sha256: AAAA\r\n\r\n"
        )
        chunk = b"x" * 65536
        sent = 0
        while sent <= MAX_BODY:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert count(configured, WebhookDelivery) == 0


def test_a_delivery_left_unapplied_is_applied_later(configured: ShopCare, clock: FakeClock) -> None:
    body = json.dumps(payload("shopify_order.json")).encode()
    received = receive_delivery(
        configured.sessions, "shopify", shopify_headers(body, "wh-crash"), body, now=clock()
    )
    assert received.delivery_id is not None
    assert [d.status for d in deliveries(configured)] == ["received"]  # stored before the answer
    assert count(configured, ShopOrder) == 0
    applied = apply_pending(configured.sessions, now=clock(), carriers=configured.carrier_names)
    assert applied == 1
    assert [d.status for d in deliveries(configured)] == ["applied"]
    with configured.sessions() as session:
        assert session.exec(select(ShopOrder.order_number)).one() == "#1001"
    assert apply_pending(configured.sessions, now=clock(), carriers=configured.carrier_names) == 0


def test_only_the_last_deliveries_are_kept_but_never_one_not_applied(
    configured: ShopCare, clock: FakeClock
) -> None:
    with transaction(configured.sessions) as session:
        session.add(
            WebhookDelivery(platform="shopify", delivery_key="pending", received_at=clock())
        )
        for i in range(KEEP + 20):
            session.add(
                WebhookDelivery(
                    platform="shopify",
                    delivery_key=f"old-{i}",
                    topic="orders/updated",
                    received_at=clock() + timedelta(seconds=i),
                    status="applied",
                )
            )
    body = b'{"id": 1}'
    receive_delivery(
        configured.sessions,
        "shopify",
        shopify_headers(body, "new", "shop/update"),
        body,
        now=clock(),
    )
    keys = {d.delivery_key for d in deliveries(configured)}
    assert len(keys) == KEEP + 1
    assert {"pending", "new", f"old-{KEEP + 19}"} <= keys
    assert "old-0" not in keys


def test_the_owner_sees_the_latest_deliveries_first(configured: ShopCare, clock: FakeClock) -> None:
    for n in range(3):
        body = json.dumps({"id": n}).encode()
        receive_delivery(
            configured.sessions, "shopify", shopify_headers(body, f"w{n}", "carts/update"), body,
            now=clock.advance(minutes=1),
        )  # fmt: skip
    apply_pending(configured.sessions, now=clock(), carriers=configured.carrier_names)
    views = recent_deliveries(configured.sessions, limit=2)
    assert [(v.topic, v.status) for v in views] == [("carts/update", "ignored")] * 2
    assert views[0].received_at > views[1].received_at


def test_deliveries_about_one_order_applied_at_once_make_one_order(
    configured: ShopCare, clock: FakeClock
) -> None:
    """orders/create and orders/updated arrive together for a new order; each is applied in
    its own thread right after its answer."""
    created = payload("shopify_order.json")
    updated = payload("shopify_order.json") | {"updated_at": "2026-11-02T09:41:00+01:00"}
    ids = []
    for n, (topic, body) in enumerate([("orders/create", created), ("orders/updated", updated)]):
        raw = json.dumps(body).encode()
        received = receive_delivery(
            configured.sessions, "shopify", shopify_headers(raw, f"w{n}", topic), raw, now=clock()
        )
        ids.append(received.delivery_id)
    threads = [
        threading.Thread(
            target=apply_delivery,
            args=(configured.sessions, i),
            kwargs={"now": clock(), "carriers": configured.carrier_names},
        )
        for i in ids
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(d.status for d in deliveries(configured)) in (
        ["applied", "applied"],
        ["applied", "stale"],
    )
    assert count(configured, ShopOrder) == 1


@sqlite_only  # SQLite's single writer; PostgreSQL locks rows, not the store
def test_a_delivery_that_meets_a_locked_store_waits_for_the_next_try(
    configured: ShopCare, clock: FakeClock
) -> None:
    """Another writer holds the store longer than the busy timeout (a big import): the
    delivery stays received, and the next apply_pending (start-up, reconcile) applies it."""
    body = json.dumps(payload("shopify_order.json")).encode()
    received = receive_delivery(
        configured.sessions, "shopify", shopify_headers(body, "wh-lock"), body, now=clock()
    )
    assert received.delivery_id is not None
    database = configured.settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(database, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        status = apply_delivery(
            configured.sessions,
            received.delivery_id,
            now=clock(),
            carriers=configured.carrier_names,
        )
    finally:
        holder.rollback()
        holder.close()
    assert status == "received"
    assert [d.status for d in deliveries(configured)] == ["received"]
    assert apply_pending(configured.sessions, now=clock(), carriers=configured.carrier_names) == 1
    assert [d.status for d in deliveries(configured)] == ["applied"]
