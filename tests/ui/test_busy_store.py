"""A write into a store another process holds: the shopper gets a page in their language
asking them to try again in a minute, a webhook sender gets JSON to retry on, both 503 with
``Retry-After``; never a bare "Internal Server Error". In-process site app, a real second
process holding the lock (``BEGIN IMMEDIATE``) until the test lets go."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shopcare.app import ShopCare
from shopcare.services.intake.webhooks import set_webhook_secret
from shopcare.ui.site import site_app
from tests.conftest import PUBLIC_URL, FakeClock
from tests.intake.webhook_helpers import payload, signature
from tests.lock_holder import LockHolder
from tests.services.helpers import make_order
from tests.store import sqlite_only

SECRET = "shpss_0123456789abcdef"
pytestmark = sqlite_only  # SQLite's single writer held by another process; PostgreSQL locks rows


@pytest.fixture
async def site(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(site_app(shopcare), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http


def store_file(shopcare: ShopCare) -> Path:
    database = shopcare.engine.url.database
    assert database
    return Path(database)


async def test_a_shopper_write_into_a_held_store_gets_the_busy_page_in_their_language(
    site: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    token = make_order(shopcare).public_token
    with LockHolder(store_file(shopcare)) as holder:
        answer = await site.get(
            f"/t/{token}/feedback", headers={"Accept-Language": "de"}, follow_redirects=False
        )
        assert not holder.released
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "60"
    assert answer.headers["content-language"] == "de"
    assert "Gerade ist viel los – bitte versuchen Sie es in einer Minute noch einmal." in (
        answer.text
    )
    assert 'class="card"' in answer.text  # the site's own page, not a bare error
    assert "Internal Server Error" not in answer.text
    again = await site.get(f"/t/{token}/feedback", follow_redirects=False)
    assert again.status_code == 303  # the lock is gone: the same write goes through


async def test_a_platform_webhook_into_a_held_store_gets_json_to_retry_on(
    site: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    set_webhook_secret(shopcare.sessions, "shopify", SECRET, now=clock())
    raw = json.dumps(payload("shopify_order.json")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": signature(raw, SECRET),
        "X-Shopify-Shop-Domain": "kaffee-laden.myshopify.com",
        "X-Shopify-Webhook-Id": "wh-locked",
    }
    with LockHolder(store_file(shopcare)):
        answer = await site.post("/webhooks/shopify", content=raw, headers=headers)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "60"
    assert answer.json() == {"detail": "the store is busy; retry later", "retry_after": 60}
    retried = await site.post("/webhooks/shopify", content=raw, headers=headers)
    assert retried.status_code == 200  # Shopify's retry after the lock is stored
