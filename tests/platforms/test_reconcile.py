"""The reconcile against a loopback Shopify: orders changed since the last reconcile (with
overlap) are written live, seen twice they change nothing, a failure is told to the owner
and the next reconcile reads the same window again."""

from datetime import timedelta

import httpx
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import ImportRun, OutboxMessage, Shipment, ShopOrder, StoreConnection
from shopcare.jobs import make_scheduler
from shopcare.services.intake.connection import save_connection
from shopcare.services.intake.reconcile import reconcile
from tests.conftest import FakeClock
from tests.platforms.shopify_server import (
    ShopifyShop,
    Stopwatch,
    connect_shopify,
    fulfillment,
    order_node,
)
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop, tracking_item, woo_order


async def reconcile_now(
    app: ShopCare, http: httpx.AsyncClient, clock: FakeClock, watch: Stopwatch
) -> list[ImportRun]:
    return await reconcile(
        app.sessions, http=http, clock=clock, carriers=app.carrier_names, sleep=watch.sleep
    )


def stored(app: ShopCare) -> StoreConnection:
    with app.sessions() as session:
        row = session.get(StoreConnection, "shopify")
        assert row is not None
        return row


async def test_a_reconcile_takes_new_orders_and_new_parcels_live(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    connect_shopify(shopcare, shopify_shop, clock)
    earlier = clock() - timedelta(hours=1)
    shopify_shop.add(order_node(1001, created=earlier))
    (first,) = await reconcile_now(shopcare, http_client, clock, stopwatch)
    assert (first.kind, first.status, first.created) == ("reconcile", "done", 1)
    assert stored(shopcare).last_reconcile_at is not None

    clock.advance(minutes=15)
    shipped = fulfillment(77, number="SIMOK100001", company="Other", created=clock())
    shopify_shop.orders[0] = order_node(
        1001, created=earlier, updated=clock(), fulfillments=[shipped]
    )
    shopify_shop.add(order_node(1002, created=clock()))
    (second,) = await reconcile_now(shopcare, http_client, clock, stopwatch)

    assert (second.done, second.created, second.updated) == (2, 1, 1)
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment)).one()
        kinds = [m.kind for m in session.exec(select(OutboxMessage))]
    assert parcel.tracking_number == "SIMOK100001" and not parcel.silent
    assert kinds.count("order_confirmed") == 2  # both new, recent and live


async def test_an_order_seen_again_in_the_overlap_changes_nothing(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    connect_shopify(shopcare, shopify_shop, clock)
    shopify_shop.add(order_node(1001, created=clock() - timedelta(minutes=5)))
    await reconcile_now(shopcare, http_client, clock, stopwatch)
    clock.advance(minutes=15)

    (again,) = await reconcile_now(shopcare, http_client, clock, stopwatch)

    assert (again.done, again.created, again.updated) == (1, 0, 0)  # read, unchanged
    with shopcare.sessions() as session:
        assert len(session.exec(select(ShopOrder)).all()) == 1
        assert len(session.exec(select(OutboxMessage)).all()) == 1


async def test_a_failed_reconcile_is_told_and_its_window_read_again(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    connect_shopify(shopcare, shopify_shop, clock)
    await reconcile_now(shopcare, http_client, clock, stopwatch)
    last = stored(shopcare).last_reconcile_at
    clock.advance(minutes=15)
    shopify_shop.add(order_node(1001, created=clock()))
    shopify_shop.down_after = shopify_shop.queries

    (failed,) = await reconcile_now(shopcare, http_client, clock, stopwatch)

    assert failed.status == "failed" and "server error (503)" in failed.message
    assert "503" in stored(shopcare).last_error
    assert stored(shopcare).last_reconcile_at == last
    shopify_shop.down_after = None
    clock.advance(minutes=15)
    (ok,) = await reconcile_now(shopcare, http_client, clock, stopwatch)
    assert (ok.status, ok.created) == ("done", 1)
    assert stored(shopcare).last_error == ""


async def test_a_refused_token_stops_the_reconcile_and_says_why(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    save_connection(
        shopcare.sessions,
        "shopify",
        shop_url=shopify_shop.url,
        values={"access_token": "shpat_revoked"},
        now=clock(),
    )

    (run,) = await reconcile_now(shopcare, http_client, clock, stopwatch)

    assert run.status == "failed" and run.api_calls == 1
    assert "refused (401)" in stored(shopcare).last_error
    assert stopwatch.slept == []  # not retried


async def test_a_woocommerce_parcel_added_on_the_platform_arrives_by_reconcile(
    shopcare: ShopCare,
    woo_shop: WooShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    save_connection(
        shopcare.sessions,
        "woocommerce",
        shop_url=woo_shop.url,
        values={"consumer_key": KEY, "consumer_secret": SECRET},
        now=clock(),
    )
    placed = clock() - timedelta(hours=1)
    woo_shop.add(woo_order(501, created=placed))
    (first,) = await reconcile_now(shopcare, http_client, clock, stopwatch)
    assert first.created == 1

    clock.advance(minutes=15)
    shipped = [tracking_item("SIMOK100002", provider="other", shipped=clock())]
    woo_shop.orders[0] = woo_order(
        501, created=placed, modified=clock(), status="completed", tracking=shipped
    )
    (second,) = await reconcile_now(shopcare, http_client, clock, stopwatch)

    assert (second.status, second.updated) == ("done", 1)
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment)).one()
    assert parcel.tracking_number == "SIMOK100002" and not parcel.silent


def test_the_scheduler_reconciles_every_15_minutes() -> None:
    async def nothing() -> None:
        return None

    scheduler = make_scheduler(poll=nothing, dispatch=nothing, reconcile=nothing)
    job = scheduler.get_job("reconcile")
    assert job is not None and job.trigger.interval == timedelta(minutes=15)
