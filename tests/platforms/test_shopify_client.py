"""The Shopify client against a loopback GraphQL Admin API: paging, the cost bucket,
THROTTLED, 429 with Retry-After, 5xx, refused tokens, the client-credentials grant."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shopcare.platforms.base import ErrorKind, PlatformError, Since
from shopcare.platforms.shopify import Shopify, shop_domain
from tests.adapters.carrier_server import Reply
from tests.conftest import FakeClock
from tests.platforms.shopify_server import (
    ADMIN_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    ShopifyShop,
    Stopwatch,
    fulfillment,
    order_node,
)

DAY = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 9, 1, tzinfo=UTC)


def shopify(
    shop: ShopifyShop,
    http: httpx.AsyncClient,
    clock: FakeClock,
    watch: Stopwatch,
    **credentials: str,
) -> Shopify:
    creds = credentials or {"access_token": ADMIN_TOKEN}
    return Shopify(
        shop=shop.url, client=http, clock=clock, sleep=watch.sleep, monotonic=watch, **creds
    )


async def read_all(client: Shopify, by: Since = Since.CREATED, since: datetime = SINCE) -> list:
    orders, cursor = [], ""
    while True:
        page = await client.orders(since=since, by=by, cursor=cursor)
        orders += page.orders
        if not (cursor := page.cursor):
            return orders


async def test_it_reads_every_page_of_orders_with_their_parcels(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shipped = fulfillment(91, number="3318810025", created=DAY + timedelta(days=1))
    shopify_shop.add(
        *(order_node(1000 + i, created=DAY + timedelta(hours=i)) for i in range(24)),
        order_node(1100, created=DAY + timedelta(days=2), fulfillments=[shipped]),
        order_node(1, created=SINCE - timedelta(days=1)),  # before the window
    )
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    pages = [await client.orders(since=SINCE, by=Since.CREATED)]
    while pages[-1].cursor:
        pages.append(await client.orders(since=SINCE, by=Since.CREATED, cursor=pages[-1].cursor))
    orders = [o for page in pages for o in page.orders]

    assert [page.total for page in pages] == [25, None, None]
    assert [o.order_number for o in orders] == [f"#{1000 + i}" for i in range(24)] + ["#1100"]
    assert client.calls == 3  # 10 a page
    counted = [r.json()["variables"]["counted"] for r in shopify_shop.server.requests]
    assert counted == [True, False, False]  # the window's size is asked with the first page
    first = orders[0]
    assert first.external_id == "5000001000" and first.source == "shopify"
    assert first.total_minor == 4470 and first.currency == "EUR"
    assert [(li.title, li.unit_price_minor, li.product_key, li.tags) for li in first.lines] == [
        ("Ceramic mug 1", 1990, "shopify:701", "Ceramics,kitchen"),  # the product's tags
        ("Ceramic mug 2", 1990, "shopify:702", ""),
    ]
    assert (first.ship_city, first.ship_country, first.ship_region) == ("Berlin", "DE", "BE")
    (parcel,) = orders[-1].shipments
    assert (parcel.tracking_number, parcel.carrier_code) == ("3318810025", "dhl")
    assert parcel.external_id == "91" and parcel.tracking_url.endswith("3318810025")
    assert not parcel.delivered


async def test_it_waits_for_the_cost_bucket_instead_of_meeting_throttled(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.restore_rate = 50.0
    shopify_shop.add(*(order_node(i, created=DAY + timedelta(minutes=i)) for i in range(60)))
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    assert len(await read_all(client)) == 60

    assert shopify_shop.throttled == 0
    assert stopwatch.slept and all(0 < s < 20 for s in stopwatch.slept)
    assert client.waited == pytest.approx(sum(stopwatch.slept))


async def test_a_throttled_answer_is_waited_out_and_asked_again(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.available = 100.0  # another app emptied the bucket
    shopify_shop.add(order_node(7, created=DAY))
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    page = await client.orders(since=SINCE, by=Since.CREATED)

    assert [o.order_number for o in page.orders] == ["#7"]
    assert shopify_shop.throttled == 1
    assert stopwatch.slept == [pytest.approx((972 - 100) / 100)]


async def test_a_429_is_retried_after_the_seconds_it_asks(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.fail_next = [Reply(429, "{}", headers={"Retry-After": "3"}), Reply(502, "")]
    shopify_shop.add(order_node(7, created=DAY))
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    page = await client.orders(since=SINCE, by=Since.CREATED)

    assert len(page.orders) == 1 and page.calls == 3
    assert stopwatch.slept == [3.0, 2.0]  # Retry-After, then the second back-off step


async def test_a_server_that_stays_down_ends_in_a_passing_error(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.fail_next = [Reply(503, "") for _ in range(10)]
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    with pytest.raises(PlatformError) as failed:
        await client.orders(since=SINCE, by=Since.CREATED)

    assert not failed.value.permanent and failed.value.kind is ErrorKind.UNAVAILABLE
    assert client.calls == 4


async def test_a_refused_token_is_permanent_and_not_retried(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    client = shopify(shopify_shop, http_client, clock, stopwatch, access_token="shpat_wrong")

    with pytest.raises(PlatformError) as failed:
        await client.check()

    assert failed.value.permanent and failed.value.kind is ErrorKind.AUTH
    assert "shpat_wrong" not in str(failed.value)
    assert client.calls == 1


async def test_client_credentials_get_a_token_and_a_new_one_before_it_expires(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    client = shopify(
        shopify_shop,
        http_client,
        clock,
        stopwatch,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert await client.check() == "connected to Test Shop"
    await client.check()
    assert shopify_shop.tokens_issued == ["shpat_cc_1"]
    assert client.token_expires_at == clock() + timedelta(seconds=86399)

    clock.advance(hours=23, minutes=56)  # inside the last five minutes
    await client.check()

    assert shopify_shop.tokens_issued == ["shpat_cc_1", "shpat_cc_2"]
    assert client.token == "shpat_cc_2"


async def test_a_wrong_client_secret_says_so(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    client = shopify(
        shopify_shop, http_client, clock, stopwatch, client_id=CLIENT_ID, client_secret="nope"
    )
    with pytest.raises(PlatformError) as failed:
        await client.check()
    assert failed.value.kind is ErrorKind.AUTH and "refused" in str(failed.value)


async def test_cancelled_orders_dead_fulfillments_and_long_orders_are_read_whole(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    dead = fulfillment(1, number="JJD000390007827", created=DAY, status="CANCELLED")
    arrived = fulfillment(
        2, number="1Z5R89390357567127", company="UPS", created=DAY, delivered=True
    )
    shopify_shop.add(
        order_node(1, created=DAY, cancelled=DAY + timedelta(hours=2)),
        order_node(2, created=DAY, lines=45, fulfillments=[dead, arrived]),
    )
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    cancelled, long = await read_all(client)

    assert cancelled.cancelled_at == DAY + timedelta(hours=2)
    assert len(long.lines) == 45 and long.lines[-1].title == "Ceramic mug 45"
    (parcel,) = long.shipments
    assert (parcel.tracking_number, parcel.carrier_code, parcel.delivered) == (
        "1Z5R89390357567127",
        "ups",
        True,
    )


async def test_a_query_too_costly_is_asked_again_with_smaller_pages(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.add(*(order_node(i, created=DAY + timedelta(minutes=i)) for i in range(15)))
    client = shopify(shopify_shop, http_client, clock, stopwatch)
    client.first = 40

    assert len(await read_all(client)) == 15
    assert client.first == 10


async def test_reconcile_reads_by_update_time(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    old = DAY - timedelta(days=90)
    shopify_shop.add(
        order_node(1, created=old),
        order_node(2, created=old, updated=DAY),
    )
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    orders = await read_all(client, by=Since.UPDATED, since=DAY - timedelta(hours=1))

    assert [o.order_number for o in orders] == ["#2"]


def test_the_shop_domain_is_read_from_what_owners_paste() -> None:
    assert shop_domain("my-shop") == "my-shop.myshopify.com"
    assert shop_domain("https://My-Shop.myshopify.com/admin/orders") == "my-shop.myshopify.com"
    assert shop_domain("http://127.0.0.1:8123/") == "http://127.0.0.1:8123"


async def test_a_token_without_the_read_orders_scope_is_told(
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.read_orders = False
    client = shopify(shopify_shop, http_client, clock, stopwatch)

    with pytest.raises(PlatformError) as failed:
        await client.check()

    assert failed.value.permanent and failed.value.kind is ErrorKind.AUTH
    assert "read_orders" in str(failed.value)
