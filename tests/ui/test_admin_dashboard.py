"""The dashboard on the demo shop plus hand-made history: every panel for the chosen days
beside the days before, the "needs action" links into the order list, following new data
without a reload, and each table as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, PageView, Shipment, ShopOrder
from shopcare.services.insight.panels import PANELS
from shopcare.services.shopper_site.problem_reports import report_problem
from shopcare.ui.admin.layout import REFRESH_S
from tests.ui.admin_support import arrive_at, only, open_dashboard, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
MARCH = "from=2025-03-01&to=2025-03-31"
SHIPPED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # a Monday
PROMISED = datetime(2025, 3, 6, 0, 0, tzinfo=UTC)  # the end of Wednesday


def march_deliveries() -> None:
    """Ten DHL parcels long before the demo's orders: seven on Tuesday (one business day),
    three on Friday, after the promised Wednesday; each late one's page viewed twice."""
    app = build(load_settings())
    with transaction(app.sessions) as session:
        for n in range(10):
            late = n >= 7
            customer = Customer(email=f"m{n}@example.com", name=f"M {n}", created_at=SHIPPED)
            session.add(customer)
            session.flush()
            assert customer.id is not None
            order = ShopOrder(
                order_number=f"M{n}", customer_id=customer.id, email=customer.email or "",
                placed_at=SHIPPED, public_token=f"march-{n}", created_at=SHIPPED,
            )  # fmt: skip
            session.add(order)
            session.flush()
            arrived = SHIPPED + timedelta(days=4 if late else 1, hours=2)
            session.add(
                Shipment(
                    order_id=order.id or 0, carrier="dhl", tracking_number=f"M{n:08d}",
                    status="delivered", shipped_at=SHIPPED, delivered_at=arrived,
                    first_estimate=PROMISED, estimated_delivery=PROMISED, created_at=SHIPPED,
                )
            )  # fmt: skip
            if late:
                for hours in (30, 50):
                    at = SHIPPED + timedelta(hours=hours)
                    session.add(PageView(at=at, kind="tracking_view", order_id=order.id))
    app.engine.dispose()


def value(user: User, marker: str) -> str:
    return only(user, ui.label, f"{marker}-value").text


async def test_the_dashboard_draws_every_panel_for_the_chosen_days(user: User) -> None:
    march_deliveries()
    await sign_in(user)
    await open_dashboard(user, f"/admin?{MARCH}")
    for key in PANELS:
        await user.should_see(marker=f"panel-{key}")
    assert "compared with the 31 days before" in only(user, ui.label, "range-shown").text
    assert value(user, "delivery-parcels") == "10"
    assert value(user, "delivery-on_time") == "70.0 %"
    assert (value(user, "delivery-p50"), value(user, "delivery-p90")) == ("1 days", "4 days")
    assert only(user, ui.label, "delivery-parcels-previous").text == "before: 0"
    assert only(user, ui.label, "delivery-parcels-change").text == "+10"
    assert value(user, "wismo-viewed") == "30.0 %"
    assert value(user, "wismo-viewed_late") == "100.0 %"
    assert value(user, "wismo-viewed_on_time") == "0.0 %"
    transit = only(user, ui.echart, "chart-delivery-transit")
    assert transit.options["series"] == [
        {"name": "DHL", "type": "bar", "data": [0, 7, 0, 0, 3], "connectNulls": True}
    ]
    link = only(user, ui.link, "csv-delivery-carriers")
    assert link.props["href"] == f"/admin/insight/delivery/carriers.csv?{MARCH}"


async def test_a_range_is_chosen_in_the_address(user: User) -> None:
    await sign_in(user)
    await open_dashboard(user, "/admin?days=7")
    assert "compared with the 7 days before" in only(user, ui.label, "range-shown").text
    await open_dashboard(user, "/admin?days=13")  # not offered: the default
    assert "compared with the 30 days before" in only(user, ui.label, "range-shown").text
    user.find(marker="range-from").clear().type("2025-03-01")
    user.find(marker="range-to").clear().type("2025-03-31")
    user.find(marker="range-apply").click()
    await arrive_at(user, f"/admin?{MARCH}")  # the range is in the address
    await user.should_see("01 Mar 2025 – 31 Mar 2025, compared with the 31 days before")


async def test_each_table_downloads_as_csv_for_the_days_shown(user: User) -> None:
    march_deliveries()
    await sign_in(user)
    answer = await user.http_client.get(f"/admin/insight/delivery/carriers.csv?{MARCH}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert (
        'filename="delivery-carriers-2025-03-01-2025-03-31.csv"'
        in (answer.headers["content-disposition"])
    )
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:7] == [
        "carrier", "parcels", "transit p50 (days)", "transit p90 (days)", "on time %",
        "first attempt %", "exception %",
    ]  # fmt: skip
    assert rows[1][:7] == ["DHL", "10", "1", "4", "70.0", "100.0", "0.0"]
    weekly = await user.http_client.get(f"/admin/insight/wismo/weekly.csv?{MARCH}")
    assert list(csv.reader(io.StringIO(weekly.text)))[1][:7] == [
        "2025-03-03", "7", "0.0", "0.0", "3", "100.0", "2.0",
    ]  # fmt: skip
    missing = await user.http_client.get(f"/admin/insight/delivery/nothing.csv?{MARCH}")
    assert missing.status_code == 404
    assert (await user.http_client.get("/admin/insight/nothing/x.csv")).status_code == 404


async def test_reminder_results_show_in_the_messages_panel_with_their_csv(user: User) -> None:
    await sign_in(user)
    await open_dashboard(user, f"/admin?{MARCH}")
    assert value(user, "messages-reminders-sent") == "0"
    assert only(user, ui.label, "messages-reminders-sent-previous").text == "before: 0"
    link = only(user, ui.link, "csv-messages-reminders")
    assert link.props["href"] == f"/admin/insight/messages/reminders.csv?{MARCH}"
    answer = await user.http_client.get(link.props["href"])
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert [row[:3] for row in rows] == [
        ["Reminder", "Sent", "Failed"],
        ["Review request", "0", "0"],
        ["Reorder reminder", "0", "0"],
    ]


async def test_a_csv_needs_a_signed_in_owner(user: User) -> None:
    answer = await user.http_client.get(f"/admin/insight/delivery/carriers.csv?{MARCH}")
    assert answer.status_code in (303, 403)
    assert "DHL" not in answer.text


async def test_needs_action_counts_open_the_orders_they_count(user: User) -> None:
    app = build(load_settings())
    with transaction(app.sessions) as session:
        session.execute(sa.update(Shipment).values(next_poll_at=datetime(2100, 1, 1, tzinfo=UTC)))
        session.execute(sa.update(Shipment).where(Shipment.id == 1).values(status="exception"))
    app.engine.dispose()
    await sign_in(user)
    await open_dashboard(user)
    assert value(user, "action-exception") == "1"
    link = only(user, ui.link, "action-exception-link")
    assert link.props["href"] == "/admin/orders?status=exception"
    await user.open(link.props["href"])
    assert [row["number"] for row in only(user, ui.table).rows] == ["1001"]


async def test_the_dashboard_follows_new_data_without_a_reload(user: User) -> None:
    await sign_in(user)
    await open_dashboard(user)
    before = int(value(user, "action-problems"))
    other = build(load_settings())
    with other.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1002")).one()
    report_problem(
        other.sessions, order.public_token, kind="damaged", message="Box crushed",
        shipment_id=None, now=other.clock(),
    )  # fmt: skip
    other.engine.dispose()
    for _ in range(int(REFRESH_S * 10) + 10):
        await asyncio.sleep(0.1)
        if value(user, "action-problems") == str(before + 1):
            break
    assert value(user, "action-problems") == str(before + 1)
