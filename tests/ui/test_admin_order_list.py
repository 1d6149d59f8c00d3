"""The order list as the owner uses it: the header's search from any page, filters and views
in the address, pages, bulk refresh and export, and what an empty list says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import OutboxMessage, ReturnRequest
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.orders.listing import OrderQuery, find_orders, return_ids
from tests.ui.admin_support import only, sign_in

DEMO = "admin_data_dir"


def shown(user: User) -> list[str]:
    return [row["number"] for row in only(user, ui.table, "orders-table").rows]


@pytest.mark.usefixtures(DEMO)
async def test_the_header_search_finds_an_order_from_any_page(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/returns")
    user.find(marker="header-search").type("anna schmidt").trigger("keydown.enter")
    await user.should_see(marker="orders-table")
    assert shown(user) == ["1001"]


@pytest.mark.usefixtures(DEMO)
async def test_filters_and_views_live_in_the_address(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders?q=SIMOK100001")
    assert shown(user) == ["1001"]
    await user.open("/admin/orders?status=delivered&view=nothing-known&page=x")
    app = build(load_settings())
    expected = find_orders(app.sessions, OrderQuery(status="delivered"), now=datetime.now(UTC))
    app.engine.dispose()
    if expected.total:
        assert shown(user) == [r.order_number for r in expected.rows]
    else:
        await user.should_see("No order matches this search and these filters.")
    await user.open("/admin/orders?q=no-such-order")
    await user.should_see("No order matches this search and these filters.")
    await user.should_see("Show all orders")


@pytest.mark.usefixtures("new_shop")
async def test_a_shop_without_orders_is_told_how_to_bring_them_in(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders")
    await user.should_see("No orders yet. Bring them in:")
    await user.should_see("Connect Shopify or WooCommerce")
    await user.should_see("Import a CSV export")


@pytest.mark.usefixtures("new_shop")
async def test_pages_move_through_every_order(user: User) -> None:
    app = build(load_settings())
    seed_many_orders(app.sessions, 60, now=app.clock())
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/orders")
    await user.should_see("1–25 of 60 orders · page 1 of 3")
    first = shown(user)
    await user.open("/admin/orders?page=3")
    await user.should_see("51–60 of 60 orders · page 3 of 3")
    assert shown(user)[-1] == "B0000001" and first[0] == "B0000060"
    await user.open("/admin/orders?per_page=100")
    await user.should_see("1–60 of 60 orders · page 1 of 1")


@pytest.mark.usefixtures("new_shop")
async def test_ticked_orders_refresh_in_the_background_and_export(user: User) -> None:
    app = build(load_settings())
    seed_many_orders(app.sessions, 30, now=app.clock())
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/orders?status=in_transit")
    table = only(user, ui.table, "orders-table")
    table.selected = table.rows[:2]
    user.find(marker="bulk-refresh").click()
    await user.should_see("Refreshing")
    user.find(marker="bulk-export").click()
    csv = (await user.download.next()).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "order,placed,customer,email,status,carriers,tracking"
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == [
        row["number"] for row in table.rows[:2]
    ]


@pytest.mark.usefixtures("new_shop")
async def test_ticked_orders_send_their_failed_messages_again_and_print_their_slips(
    user: User,
) -> None:
    app = build(load_settings())
    seed_many_orders(app.sessions, 300, now=app.clock())
    with app.sessions() as session:
        failed = session.exec(
            select(OutboxMessage.order_id).where(OutboxMessage.status == "failed")
        ).all()
        returned = session.exec(select(ReturnRequest.order_id, ReturnRequest.id)).all()
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/orders?message_failed=1&per_page=100")
    table = only(user, ui.table, "orders-table")
    table.selected = list(table.rows)
    user.find(marker="bulk-resend").click()
    await user.should_see(f"{len(failed)} failed messages queued again")
    app = build(load_settings())
    with app.sessions() as session:
        statuses = {
            m.status
            for m in session.exec(
                select(OutboxMessage).where(col(OutboxMessage.order_id).in_(failed))
            )
        }
    app.engine.dispose()
    assert statuses == {"queued"}
    await user.open("/admin/orders?has_return=1&per_page=100")
    table = only(user, ui.table, "orders-table")
    table.selected = list(table.rows)
    assert len(returned) == len(table.rows) > 0
    user.find(marker="bulk-slips").click()  # the slips open in a new tab
    assert not user.notify.contains("Tick orders that have returns to print their slips")
    app = build(load_settings())
    ids = [int(row["id"]) for row in table.rows]
    assert sorted(return_ids(app.sessions, ids)) == sorted(r for _, r in returned)
    app.engine.dispose()
