"""Backfill from a loopback Shopify and WooCommerce into a real store: the window of days,
progress in ImportRun page by page, nothing sent for history, and a resume after an outage
that goes on from the cursor without importing anything twice."""

import asyncio
import json
from datetime import timedelta

import httpx
from sqlmodel import func, select

from shopcare.app import ShopCare, build
from shopcare.config import Settings
from shopcare.db.models import ImportRun, OutboxMessage, Shipment, ShopOrder
from shopcare.services.intake.backfill import latest_run, run_backfill, start_backfill
from shopcare.services.intake.connection import platform_client, save_connection
from tests.conftest import FakeClock
from tests.platforms.shopify_server import (
    ShopifyShop,
    Stopwatch,
    connect_shopify,
    fulfillment,
    order_node,
)
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop, tracking_item, woo_order


async def backfill(
    app: ShopCare, platform: str, http: httpx.AsyncClient, clock: FakeClock, watch: Stopwatch
) -> ImportRun:
    run_id = start_backfill(app.sessions, platform, days=60, now=clock())
    client = platform_client(
        app.sessions, platform, http=http, clock=clock, sleep=watch.sleep, monotonic=watch
    )
    return await run_backfill(
        app.sessions, run_id, client=client, clock=clock, carriers=app.carrier_names
    )


def count(app: ShopCare, model: type) -> int:
    with app.sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def test_a_shopify_backfill_imports_the_window_quietly_with_its_progress(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    now = clock()
    sent_long_ago = fulfillment(
        11, number="3318810025", created=now - timedelta(days=40), delivered=True
    )
    shopify_shop.add(
        order_node(900, created=now - timedelta(days=90)),  # outside 60 days
        *(order_node(1000 + i, created=now - timedelta(days=50, hours=-i)) for i in range(23)),
        order_node(1100, created=now - timedelta(days=41), fulfillments=[sent_long_ago]),
        order_node(1101, created=now - timedelta(hours=3), cancelled=now - timedelta(hours=1)),
    )
    connect_shopify(shopcare, shopify_shop, clock)

    run = await backfill(shopcare, "shopify", http_client, clock, stopwatch)

    assert (run.status, run.done, run.created, run.rejected) == ("done", 25, 25, 0)
    assert shopify_shop.throttled == 0 and len(stopwatch.slept) == 2  # waits for the bucket
    assert run.api_calls == 3 and run.total == 25
    with shopcare.sessions() as session:
        numbers = set(session.exec(select(ShopOrder.order_number)))
        cancelled = session.exec(select(ShopOrder).where(ShopOrder.order_number == "#1101")).one()
        parcel = session.exec(select(Shipment)).one()
    assert "#900" not in numbers and {"#1000", "#1100", "#1101"} <= numbers
    assert cancelled.cancelled_at is not None
    assert parcel.tracking_number == "3318810025" and parcel.silent
    assert count(shopcare, OutboxMessage) == 0  # history: nothing is sent


async def test_a_backfill_cut_short_resumes_from_its_cursor(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    now = clock()
    shopify_shop.add(
        *(order_node(i, created=now - timedelta(days=10, minutes=-i)) for i in range(35))
    )
    shopify_shop.down_after = 2
    connect_shopify(shopcare, shopify_shop, clock)

    failed = await backfill(shopcare, "shopify", http_client, clock, stopwatch)

    assert failed.status == "failed" and "503" in failed.message
    assert (failed.done, count(shopcare, ShopOrder)) == (20, 20)
    shopify_shop.down_after = None
    clock.advance(minutes=30)
    resumed = await backfill(shopcare, "shopify", http_client, clock, stopwatch)

    assert resumed.id == failed.id
    assert (resumed.status, resumed.done, resumed.created) == ("done", 35, 35)
    assert count(shopcare, ShopOrder) == 35
    with shopcare.sessions() as session:
        assert session.exec(select(func.count()).select_from(ImportRun)).one() == 1


async def test_a_finished_backfill_starts_over_when_asked_again_and_changes_nothing(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    shopify_shop.add(*(order_node(i, created=clock() - timedelta(days=3)) for i in range(5)))
    connect_shopify(shopcare, shopify_shop, clock)
    first = await backfill(shopcare, "shopify", http_client, clock, stopwatch)

    second = await backfill(shopcare, "shopify", http_client, clock, stopwatch)

    assert second.id != first.id
    assert (second.done, second.created, second.updated) == (5, 0, 0)
    assert latest_run(shopcare.sessions, "backfill", "shopify").id == second.id


async def test_a_woocommerce_backfill_imports_orders_and_their_parcels(
    shopcare: ShopCare,
    woo_shop: WooShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    now = clock()
    shipped = [tracking_item("3SABCD0123456", shipped=now - timedelta(days=20))]
    woo_shop.add(
        woo_order(1, created=now - timedelta(days=61)),
        *(woo_order(10 + i, created=now - timedelta(days=30, minutes=-i)) for i in range(120)),
        woo_order(500, created=now - timedelta(days=21), status="completed", tracking=shipped),
        woo_order(501, created=now - timedelta(days=2), status="cancelled"),
    )
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": SECRET},
        now=now,
    )

    run = await backfill(shopcare, "woocommerce", http_client, clock, stopwatch)

    assert (run.status, run.total, run.created, run.api_calls) == ("done", 122, 122, 2)
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment)).one()
        cancelled = session.exec(select(ShopOrder).where(ShopOrder.order_number == "501")).one()
    assert parcel.tracking_number == "3SABCD0123456"
    assert cancelled.cancelled_at is not None
    assert count(shopcare, OutboxMessage) == 0


async def test_a_backfill_running_when_the_process_stopped_goes_on_at_start(
    settings: Settings, clock: FakeClock, shopify_shop: ShopifyShop
) -> None:
    shopify_shop.maximum = shopify_shop.available = 1e9  # the app waits on the real clock
    shopify_shop.add(*(order_node(i, created=clock() - timedelta(days=5)) for i in range(12)))
    before = build(settings, clock=clock)
    connect_shopify(before, shopify_shop, clock)
    run_id = start_backfill(before.sessions, "shopify", days=60, now=clock())
    before.engine.dispose()  # stopped before the backfill read anything

    app = build(settings, clock=clock)
    app.resume_backfills()
    run = await app.backfills[run_id]
    await app.stop()

    assert (run.id, run.status, run.created) == (run_id, "done", 12)


async def test_progress_is_in_the_store_while_the_backfill_runs(
    shopcare: ShopCare,
    woo_shop: WooShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    woo_shop.add(*(woo_order(10 + i, created=clock() - timedelta(days=9)) for i in range(250)))
    woo_shop.slow_pages = {3: 1.0}
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": SECRET},
        now=clock(),
    )
    running = asyncio.create_task(backfill(shopcare, "woocommerce", http_client, clock, stopwatch))

    seen = None
    for _ in range(100):  # what the page's progress bar reads, while page 3 is on its way
        await asyncio.sleep(0.02)
        seen = latest_run(shopcare.sessions, "backfill", "woocommerce")
        if seen is not None and seen.done:
            break
    run = await running

    assert seen is not None and (seen.status, seen.total) == ("running", 250)
    assert seen.done in (100, 200) and json.loads(seen.cursor)["page"] in ("2", "3")
    assert (run.status, run.done) == ("done", 250)
