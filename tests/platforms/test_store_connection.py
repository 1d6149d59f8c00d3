"""The store connection service: secrets kept and never shown back or logged, a Shopify
token kept between runs until it nears its expiry, a host that strips Authorization
remembered, Test saying exactly what failed."""

import json
import logging
from datetime import timedelta

import httpx
import pytest

from shopcare.app import ShopCare
from shopcare.db.models import StoreConnection
from shopcare.services.errors import InputError
from shopcare.services.intake.connection import (
    connection_view,
    disconnect,
    enabled_platforms,
    platform_client,
    save_connection,
)
from shopcare.services.intake.connection import test_connection as check
from shopcare.services.secrets_at_rest.box import box_of
from tests.conftest import FakeClock
from tests.platforms.shopify_server import CLIENT_ID, CLIENT_SECRET, ShopifyShop
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop


def stored(app: ShopCare, platform: str) -> StoreConnection:
    with app.sessions() as session:
        row = session.get(StoreConnection, platform)
        assert row is not None
        return row


def opened(app: ShopCare, sealed: str) -> str:
    """A value as the store keeps it (sealed), opened with the app's box."""
    assert sealed.startswith("enc:v1:")
    with app.sessions() as session:
        return box_of(session).open(sealed)


def test_secrets_are_kept_but_never_shown_back(shopcare: ShopCare, clock: FakeClock) -> None:
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url="https://my-shop.myshopify.com/admin",
        values={"client_id": "cid", "client_secret": "very-secret"},
        webhook_secret="whsec-1",
        backfill_days=30,
        now=clock(),
    )
    save_connection(  # the form comes back with the secret fields empty
        shopcare.sessions,
        "shopify",
        shop_url="my-shop",
        values={"client_id": "cid", "client_secret": ""},
        backfill_days=30,
        now=clock(),
    )

    view = connection_view(shopcare.sessions, "shopify")
    assert view.shop_url == "my-shop.myshopify.com" and view.backfill_days == 30
    assert view.values == {"access_token": "", "client_id": "cid", "client_secret": ""}
    assert view.secrets_set == {"client_secret"} and view.webhook_secret_set
    assert "very-secret" not in repr(view)
    sealed = json.loads(stored(shopcare, "shopify").credentials)["client_secret"]
    assert opened(shopcare, sealed) == "very-secret"
    assert opened(shopcare, stored(shopcare, "shopify").webhook_secret) == "whsec-1"
    assert enabled_platforms(shopcare.sessions) == ["shopify"]


def test_a_connection_without_credentials_is_refused(shopcare: ShopCare, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="consumer key and the consumer secret"):
        save_connection(
            shopcare.sessions,
            "woocommerce",
            shop_url="shop.example.com",
            values={"consumer_key": "ck_1"},
            now=clock(),
        )
    with pytest.raises(InputError, match="between 1 and"):
        save_connection(
            shopcare.sessions,
            "shopify",
            shop_url="s",
            values={"access_token": "t"},
            backfill_days=0,
            now=clock(),
        )


async def test_a_client_credentials_token_is_kept_between_runs(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url=shopify_shop.url,
        values={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        now=clock(),
    )

    assert await check(shopcare.sessions, "shopify", http=http_client, clock=clock) == (
        "connected to Test Shop"
    )
    clock.advance(hours=12)
    await check(shopcare.sessions, "shopify", http=http_client, clock=clock)

    assert shopify_shop.tokens_issued == ["shpat_cc_1"]  # the second run used the kept one
    row = stored(shopcare, "shopify")
    assert opened(shopcare, row.access_token) == "shpat_cc_1"
    assert row.token_expires_at is not None
    clock.advance(hours=12)
    await check(shopcare.sessions, "shopify", http=http_client, clock=clock)
    assert shopify_shop.tokens_issued == ["shpat_cc_1", "shpat_cc_2"]


async def test_a_failed_test_says_why_without_the_secret_in_text_or_log(
    shopcare: ShopCare,
    woo_shop: WooShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": "cs_not_this_one"},
        now=clock(),
    )

    text = await check(shopcare.sessions, "woocommerce", http=http_client, clock=clock)

    assert text.startswith("failed: woocommerce: the consumer key or secret was refused (401)")
    assert stored(shopcare, "woocommerce").last_error in text
    assert "cs_not_this_one" not in text + caplog.text


async def test_a_host_that_strips_authorization_is_remembered(
    shopcare: ShopCare, woo_shop: WooShop, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    woo_shop.strips_auth = True
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": SECRET},
        now=clock(),
    )
    assert (
        await check(shopcare.sessions, "woocommerce", http=http_client, clock=clock)
    ).startswith("connected")

    client = platform_client(shopcare.sessions, "woocommerce", http=http_client, clock=clock)
    await client.check()

    last = woo_shop.server.requests[-1]
    assert "authorization" not in last.headers and last.query["consumer_key"] == [KEY]
    assert len(woo_shop.server.requests) == 3  # refused, fallback, then straight away
    assert connection_view(shopcare.sessions, "woocommerce").values == {
        "consumer_key": "",
        "consumer_secret": "",
    }


def test_disconnecting_stops_the_reconcile(shopcare: ShopCare, clock: FakeClock) -> None:
    save_connection(
        shopcare.sessions, "shopify", shop_url="s", values={"access_token": "t"}, now=clock()
    )
    disconnect(shopcare.sessions, "shopify", now=clock() + timedelta(minutes=1))
    assert enabled_platforms(shopcare.sessions) == []
    assert not connection_view(shopcare.sessions, "shopify").enabled


async def test_a_key_sent_in_the_address_stays_out_of_the_log(
    shopcare: ShopCare,
    woo_shop: WooShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    woo_shop.strips_auth = True
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": SECRET},
        now=clock(),
    )

    assert (
        await check(shopcare.sessions, "woocommerce", http=http_client, clock=clock)
    ).startswith("connected")

    assert "consumer_key=" in caplog.text  # the calls were logged...
    assert SECRET not in caplog.text and KEY not in caplog.text  # ...without the key


def test_a_new_app_secret_replaces_a_saved_access_token(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    save_connection(
        shopcare.sessions, "shopify", shop_url="s", values={"access_token": "shpat_1"}, now=clock()
    )
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url="s",
        values={"client_id": "cid", "client_secret": "sec"},
        now=clock(),
    )
    assert connection_view(shopcare.sessions, "shopify").secrets_set == {"client_secret"}
