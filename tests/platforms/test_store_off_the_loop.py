"""No store work on the event loop: the scheduled jobs and the admin's async actions make
every SQL call from a worker thread, so a store another process holds (up to the five-second
busy timeout per call) stalls that job only, never the pages the same loop serves.

Watched with SQLAlchemy's own ``before_cursor_execute`` event on the app's real engine: a
statement issued from the thread that runs the event loop is recorded. Each job runs against
real parts (the simulated carrier, a loopback Shopify).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from shopcare.app import ShopCare
from shopcare.services.intake.backfill import backfill_in_background, start_backfill
from shopcare.services.intake.connection import test_connection as check_platform
from shopcare.services.intake.reconcile import reconcile
from tests.conftest import FakeClock
from tests.platforms.shopify_server import ShopifyShop, Stopwatch, connect_shopify, order_node
from tests.services.helpers import make_order


@contextmanager
def statements_on_the_loop(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements issued while an event loop runs in the issuing thread."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: no loop runs here
            return
        seen.append(" ".join(statement.split())[:80])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


async def test_a_poll_pass_reads_and_writes_the_store_off_the_loop(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    with statements_on_the_loop(shopcare.engine) as on_loop:
        report = await shopcare.poll_once()
        clock.advance(hours=9)
        again = await shopcare.poll_once()
    assert report.polled == 1 and again.polled == 1  # the reads and writes did happen
    assert on_loop == []


async def test_a_reconcile_reads_and_writes_the_store_off_the_loop(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    stopwatch: Stopwatch,
) -> None:
    connect_shopify(shopcare, shopify_shop, clock)
    shopify_shop.add(order_node(1001, created=clock() - timedelta(minutes=5)))
    with statements_on_the_loop(shopcare.engine) as on_loop:
        (run,) = await reconcile(
            shopcare.sessions,
            http=http_client,
            clock=clock,
            carriers=shopcare.carrier_names,
            sleep=stopwatch.sleep,
        )
    assert (run.status, run.created) == ("done", 1)
    assert on_loop == []


async def test_a_backfill_and_a_connection_test_use_the_store_off_the_loop(
    shopcare: ShopCare,
    shopify_shop: ShopifyShop,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    connect_shopify(shopcare, shopify_shop, clock)
    shopify_shop.add(order_node(1001, created=clock() - timedelta(days=3)))
    run_id = start_backfill(shopcare.sessions, "shopify", days=30, now=clock())
    with statements_on_the_loop(shopcare.engine) as on_loop:
        run = await backfill_in_background(
            shopcare.sessions, run_id, http=http_client, clock=clock, carriers=["simulated"]
        )
        checked = await check_platform(shopcare.sessions, "shopify", http=http_client, clock=clock)
    assert (run.status, run.created) == ("done", 1)
    assert not checked.startswith("failed"), checked
    assert on_loop == []
