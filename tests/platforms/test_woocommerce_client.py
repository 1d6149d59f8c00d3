"""The WooCommerce client against a loopback wc/v3: paging by X-WP-TotalPages, the
query-string fallback on hosts that strip Authorization, tracking from the meta or AST's
route, refused keys, 429 and 5xx."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shopcare.platforms.base import ErrorKind, PlatformError, Since
from shopcare.platforms.woocommerce import WooCommerce
from tests.adapters.carrier_server import Reply
from tests.platforms.shopify_server import Stopwatch
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop, tracking_item, woo_order

DAY = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 9, 1, tzinfo=UTC)


def woo(shop: WooShop, http: httpx.AsyncClient, watch: Stopwatch, **kw: str) -> WooCommerce:
    creds = {"consumer_key": KEY, "consumer_secret": SECRET} | kw
    return WooCommerce(site=shop.url, client=http, sleep=watch.sleep, **creds)


async def read_all(client: WooCommerce, by: Since = Since.CREATED) -> list:
    orders, cursor = [], ""
    while True:
        page = await client.orders(since=SINCE, by=by, cursor=cursor)
        orders += page.orders
        if not (cursor := page.cursor):
            return orders


async def test_it_reads_every_page_with_the_tracking_meta(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    shipped = [tracking_item("3SABCD0123456", shipped=DAY + timedelta(days=1))]
    woo_shop.add(*(woo_order(100 + i, created=DAY + timedelta(minutes=i)) for i in range(230)))
    woo_shop.add(woo_order(400, created=DAY + timedelta(days=3), tracking=shipped))
    woo_shop.add(woo_order(1, created=SINCE - timedelta(days=2)))
    client = woo(woo_shop, http_client, stopwatch)

    first = await client.orders(since=SINCE, by=Since.CREATED)
    orders = [*first.orders, *await read_rest(client, first.cursor)]

    assert first.total == 231 and first.cursor == "2"
    assert len(orders) == 231 and orders[0].order_number == "100"
    assert orders[0].source == "woocommerce" and orders[0].external_id == "100"
    (parcel,) = orders[-1].shipments
    assert parcel.tracking_number == "3SABCD0123456"
    assert client.calls == 3 and not client.key_in_query


async def read_rest(client: WooCommerce, cursor: str) -> list:
    orders = []
    while cursor:
        page = await client.orders(since=SINCE, by=Since.CREATED, cursor=cursor)
        orders += page.orders
        cursor = page.cursor
    return orders


async def test_a_host_that_strips_authorization_gets_the_key_in_the_query_from_then_on(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.strips_auth = True
    woo_shop.add(woo_order(5, created=DAY))
    client = woo(woo_shop, http_client, stopwatch)

    assert "(1 orders; key sent in the address" in await client.check()
    page = await client.orders(since=SINCE, by=Since.CREATED)

    assert client.key_in_query and len(page.orders) == 1
    sent = woo_shop.server.requests
    assert [("authorization" in r.headers, "consumer_key" in r.query) for r in sent] == [
        (True, False),  # refused: the header never reached WooCommerce
        (False, True),
        (False, True),  # remembered
    ]


async def test_a_wrong_secret_is_refused_once_without_the_fallback(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    client = woo(woo_shop, http_client, stopwatch, consumer_secret="cs_wrong")

    with pytest.raises(PlatformError) as failed:
        await client.check()

    assert failed.value.permanent and failed.value.kind is ErrorKind.AUTH
    assert "cs_wrong" not in str(failed.value)
    assert len(woo_shop.server.requests) == 1


async def test_shipped_orders_without_the_meta_ask_the_tracking_route(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.add(
        woo_order(7, created=DAY, status="completed"),
        woo_order(8, created=DAY, status="processing"),
    )
    woo_shop.trackings[7] = [
        {
            "tracking_id": "a1",
            "tracking_provider": "DHL",
            "tracking_link": "https://www.dhl.de/track?n=JJD000390007827",
            "tracking_number": "JJD000390007827",
            "date_shipped": "1759320000",
        }
    ]
    client = woo(woo_shop, http_client, stopwatch)

    shipped, waiting = await read_all(client)

    (parcel,) = shipped.shipments
    assert (parcel.tracking_number, parcel.carrier_code) == ("JJD000390007827", "dhl")
    assert waiting.shipments == ()
    assert client.tracking_route == "wc-shipment-tracking/v3"
    assert client.calls == 2  # the list, and one look-up for the completed order


async def test_a_store_without_the_tracking_route_is_not_asked_again(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.ast_route = False
    woo_shop.add(*(woo_order(10 + i, created=DAY, status="completed") for i in range(3)))
    client = woo(woo_shop, http_client, stopwatch)
    client.tracking_route = ""  # learnt on an earlier page

    assert len(await read_all(client)) == 3
    assert client.calls == 1


async def test_busy_and_failing_answers_are_retried(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.fail_next = [Reply(429, "{}", headers={"Retry-After": "7"}), Reply(500, "oops")]
    woo_shop.add(woo_order(5, created=DAY))
    client = woo(woo_shop, http_client, stopwatch)

    assert len(await read_all(client)) == 1
    assert stopwatch.slept == [7.0, 2.0]


async def test_reconcile_reads_by_modification_time(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    old = SINCE - timedelta(days=30)
    woo_shop.add(woo_order(1, created=old), woo_order(2, created=old, modified=DAY))
    client = woo(woo_shop, http_client, stopwatch)

    assert [o.order_number for o in await read_all(client, by=Since.UPDATED)] == ["2"]


async def test_a_tracking_route_that_refuses_the_key_does_not_stop_the_import(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.ast_refuses = True
    woo_shop.add(*(woo_order(10 + i, created=DAY, status="completed") for i in range(3)))
    client = woo(woo_shop, http_client, stopwatch)

    orders = await read_all(client)

    assert len(orders) == 3 and client.tracking_route == ""


async def test_an_answer_that_is_not_json_is_asked_again_then_reported(
    woo_shop: WooShop, http_client: httpx.AsyncClient, stopwatch: Stopwatch
) -> None:
    woo_shop.fail_next = [Reply(200, "<html>maintenance</html>", content_type="text/html")] * 4
    client = woo(woo_shop, http_client, stopwatch)

    with pytest.raises(PlatformError) as failed:
        await client.orders(since=SINCE, by=Since.CREATED)

    assert failed.value.kind is ErrorKind.BAD_RESPONSE and not failed.value.permanent
    assert client.calls == 4 and stopwatch.slept == [1.0, 2.0, 4.0]
