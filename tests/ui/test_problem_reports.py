"""A shopper reports a problem from the tracking page; the owner sees it under Problems and
marks it resolved."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import ProblemReport, Shipment, ShopOrder
from shopcare.services.insight.dashboard import count_open_problems
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.shop.profile import update_profile
from shopcare.services.shopper_site.problem_reports import report_problem
from shopcare.ui.public.reports import REPORT_LIMIT
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.ui.admin_support import sign_in
from tests.ui.forms import signed

HOSTILE = "<img src=x onerror=alert(1)> & <b>bold</b>"


def reports(shopcare: ShopCare) -> list[tuple[str, str, int | None, str]]:
    with shopcare.sessions() as session:
        rows = session.exec(select(ProblemReport).order_by(col(ProblemReport.id))).all()
    return [(r.kind, r.message, r.shipment_id, r.status) for r in rows]


def two_parcels(shopcare: ShopCare, clock: FakeClock) -> ShopOrder:
    return create_order(
        shopcare.sessions,
        OrderIn(
            order_number="1500", email="bo@example.com", customer_name="Bo", placed_at=clock(),
            lines=[LineIn(title="Chair", quantity=2, unit_price_minor=9900)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number=n)
                       for n in ("SIMOK150001", "SIMOK150002")],
        ),
        now=clock(), carriers=shopcare.carrier_names,
    )  # fmt: skip


async def test_the_tracking_page_has_the_report_form(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    one = make_order(shopcare)
    several = two_parcels(shopcare, clock)

    single = (await client.get(f"/t/{one.public_token}")).text
    double = (await client.get(f"/t/{several.public_token}")).text

    assert f'action="/t/{one.public_token}/problem" id="report-problem"' in single
    assert '<option value="not_arrived" selected>' in single  # on its way: the likeliest
    for kind in ("damaged", "wrong_item", "other"):
        assert f'<option value="{kind}">' in single
    assert '<textarea id="problem-message" name="message"' in single
    assert 'name="shipment"' not in single  # one parcel: nothing to choose
    assert 'name="shipment"' in double
    assert double.count("SIMOK15000") >= 4  # both parcels, on the page and in the choice


async def test_a_delivered_order_does_not_start_on_has_not_arrived(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    with transaction(shopcare.sessions) as session:
        session.execute(sa.update(Shipment).values(status="delivered"))

    page = (await client.get(f"/t/{order.public_token}")).text

    assert '<option value="damaged" selected>' in page
    assert '<option value="not_arrived">' in page  # still there to choose


async def test_a_report_is_stored_and_the_shopper_returns_to_the_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    order = two_parcels(shopcare, clock)
    with shopcare.sessions() as session:
        second = session.exec(
            select(Shipment).where(Shipment.tracking_number == "SIMOK150002")
        ).one()

    sent = await client.post(
        f"/t/{order.public_token}/problem",
        data=signed(shopcare, {"kind": "damaged", "message": HOSTILE, "shipment": str(second.id)}),
    )

    assert sent.status_code == 303
    assert sent.headers["location"] == f"/t/{order.public_token}?reported=1#problem"
    assert reports(shopcare) == [("damaged", HOSTILE, second.id, "open")]
    assert count_open_problems(shopcare.sessions) == 1


async def test_the_tracking_page_thanks_the_shopper_after_a_report(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)

    page = await client.get(f"/t/{order.public_token}?reported=1")

    assert '<p class="notice" role="status"' in page.text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": "other", "message": "   "}, "Please describe the problem."),
        ({"kind": "lost", "message": "x"}, "Please choose what the problem is."),
        ({"kind": "damaged", "message": "x" * 2001}, "under 2000 characters"),
        ({"kind": "damaged", "shipment": "999"}, "one of this order"),
    ],
)
async def test_a_bad_report_says_what_to_fix_and_stores_nothing(
    shopcare: ShopCare, client: httpx.AsyncClient, fields: dict[str, str], reason: str
) -> None:
    order = make_order(shopcare)

    answer = await client.post(f"/t/{order.public_token}/problem", data=signed(shopcare, fields))

    assert answer.status_code == 400
    assert reason in answer.text
    assert f'href="/t/{order.public_token}#problem"' in answer.text
    assert reports(shopcare) == []


async def test_other_with_a_message_and_not_arrived_without_one_are_fine(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    token = make_order(shopcare).public_token
    for fields in ({"kind": "other", "message": "x" * 2000}, {"kind": "not_arrived"}):
        sent = await client.post(f"/t/{token}/problem", data=signed(shopcare, fields))
        assert sent.status_code == 303
    assert [r[0] for r in reports(shopcare)] == ["other", "not_arrived"]


async def test_reports_need_the_browsers_token_and_a_real_order(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    token = make_order(shopcare).public_token

    forged = await client.post(f"/t/{token}/problem", data={"kind": "damaged"})
    unknown = await client.post(
        "/t/no-such-order/problem", data=signed(shopcare, {"kind": "damaged"})
    )

    assert forged.status_code == 403
    assert unknown.status_code == 404
    assert reports(shopcare) == []


async def test_reports_are_limited_per_order(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    flooded = make_order(shopcare).public_token
    other = two_parcels(shopcare, clock).public_token
    report = signed(shopcare, {"kind": "not_arrived"})
    for _ in range(REPORT_LIMIT):
        assert (await client.post(f"/t/{flooded}/problem", data=report)).status_code == 303

    assert (await client.post(f"/t/{flooded}/problem", data=report)).status_code == 429
    assert (await client.post(f"/t/{other}/problem", data=report)).status_code == 303
    clock.advance(minutes=61)
    assert (await client.post(f"/t/{flooded}/problem", data=report)).status_code == 303
    assert len(reports(shopcare)) == REPORT_LIMIT + 2


# The owner's side, in the admin GUI (NiceGUI's simulated user, demo shop).


def file_demo_report(message: str) -> tuple[int, int]:
    """Demo order 1001's shopper reports a problem at 09:00 UTC: (order id, report id)."""
    app = build(load_settings())
    update_profile(app.sessions, timezone="America/New_York")
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
    report_problem(
        app.sessions, order.public_token, kind="wrong_item", message=message, shipment_id=None,
        now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    with app.sessions() as session:
        report = session.exec(select(ProblemReport)).one()
    app.engine.dispose()
    return order.id or 0, report.id or 0


def stored_status(report_id: int) -> tuple[str, int]:
    app = build(load_settings())
    with app.sessions() as session:
        report = session.get(ProblemReport, report_id)
        assert report is not None
        status = report.status
    count = count_open_problems(app.sessions)
    app.engine.dispose()
    return status, count


@pytest.mark.usefixtures("admin_data_dir")
async def test_the_owner_sees_open_problems_and_marks_one_resolved(user: User) -> None:
    order_id, report_id = file_demo_report(HOSTILE)
    await sign_in(user)

    await user.open("/admin/problems")

    await user.should_see("Order 1001")
    await user.should_see("Wrong item")
    await user.should_see("2026-11-02 04:00")  # 09:00 UTC in New York
    await user.should_see(HOSTILE)  # as text: a label never renders HTML
    links = [el for el in user.find(ui.link).elements if getattr(el, "text", "") == "Order 1001"]
    assert [link.props["href"] for link in links] == [f"/admin/orders/{order_id}"]
    user.find(marker=f"resolve-{report_id}").click()
    assert stored_status(report_id) == ("resolved", 0)
    await user.should_see("No open problems")


@pytest.mark.usefixtures("admin_data_dir")
async def test_the_owner_sees_a_right_to_left_report_isolated_and_without_overrides(
    user: User,
) -> None:
    """Stored without the NUL and the override (services clean it), shown in a first-strong
    isolate so the Hebrew cannot reorder the label around it."""
    file_demo_report("\u202eשלום\x00, the box is empty")
    await sign_in(user)

    await user.open("/admin/problems")

    label = user.find(marker="problem-message").elements.pop()
    assert label.text == "\u2068שלום, the box is empty\u2069"


@pytest.mark.usefixtures("admin_data_dir")
async def test_problems_come_a_page_at_a_time_and_resolved_ones_have_their_tab(
    user: User,
) -> None:
    app = build(load_settings())
    with transaction(app.sessions) as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        for n in range(30):
            session.add(
                ProblemReport(
                    order_id=order.id or 0, kind="other", message=f"report {n:02d}",
                    status="open", created_at=datetime(2026, 11, 2, 9, n, tzinfo=UTC),
                )
            )  # fmt: skip
    with app.sessions() as session:
        first = session.exec(select(ProblemReport).order_by(col(ProblemReport.id))).first()
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/problems")
    await user.should_see("30 open · page 1 of 2")
    await user.should_see("report 00")  # oldest first
    await user.should_not_see("report 29")
    await user.open("/admin/problems?status=open&page=2")
    await user.should_see("report 29")
    assert first is not None
    await user.open("/admin/problems?status=open&page=1")
    user.find(marker="resolve-" + str(first.id)).click()
    await user.open("/admin/problems?status=resolved")
    await user.should_see("1 resolved · page 1 of 1")
    await user.should_see("report 00")
    await user.should_not_see(marker=f"resolve-{first.id}")
