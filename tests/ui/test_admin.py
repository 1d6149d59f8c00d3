"""The admin GUI through NiceGUI's user simulation: sign-in, pages, the add-order form.

Every test gets its own data dir with the demo shop and a known owner account, created
before the ``user`` fixture runs ``admin_main.py`` (``admin_data_dir``, a module-wide
``usefixtures``, so it comes first).
"""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlmodel import delete, select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import AdminUser, OrderLine, ShopOrder
from shopcare.services.returns.requests import open_return
from shopcare.services.shopper_site.problem_reports import report_problem
from tests.ui.admin_support import only, open_dashboard, sign_in

DEMO_ORDERS = {"1001", "1002", "1003", "1004", "1005", "1006"}
pytestmark = pytest.mark.usefixtures("admin_data_dir")


async def test_an_anonymous_visit_ends_on_the_sign_in_page(user: User) -> None:
    await user.open("/")
    await user.should_see("Sign in to ShopCare")
    response = await user.http_client.get("/admin/orders")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")


async def test_a_wrong_password_is_refused(user: User) -> None:
    response = await sign_in(user, password="not the password")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")
    await user.open("/admin/orders")
    await user.should_see("Wrong user name or password.")
    await user.should_see("Sign in to ShopCare")


async def test_guessing_passwords_is_stopped_even_for_the_right_one(user: User) -> None:
    for _ in range(10):
        await sign_in(user, password="a wrong guess")
    response = await sign_in(user)
    assert response.headers["location"].startswith("/admin/login")
    await user.open("/admin/login")
    await user.should_see("Too many attempts: try again in")
    assert (await user.http_client.get("/admin")).status_code == 303


async def test_a_sign_in_from_another_site_is_refused(user: User) -> None:
    response = await sign_in(user, origin="https://evil.example")
    assert response.status_code == 403
    assert (await user.http_client.get("/admin")).status_code == 303


async def test_signing_in_leads_to_the_dashboard_and_signing_out_ends_it(user: User) -> None:
    response = await sign_in(user)
    assert (response.status_code, response.headers["location"]) == (303, "/admin")
    await user.open("/admin")
    await user.should_see("Needs action now")
    await user.http_client.post("/admin/logout")
    await user.open("/admin")
    await user.should_see("Sign in to ShopCare")


async def test_the_orders_page_lists_the_demo_orders(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders")
    table = only(user, ui.table)
    assert {row["number"] for row in table.rows} == DEMO_ORDERS
    row = next(r for r in table.rows if r["number"] == "1001")
    assert row["customer"] == "Anna Schmidt"
    assert row["tracking"] == "SIMOK100001"
    user.find(ui.table).trigger("rowClick", [{}, row, 0])
    await user.should_see("Order 1001")
    await user.should_see("Simulated carrier SIMOK100001")
    await user.should_see("Shopper's tracking page:")


async def test_the_dashboard_shows_what_waits_for_the_owner(user: User) -> None:
    other = build(load_settings())
    with other.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).first()
    assert line is not None and line.id is not None
    open_return(
        other.sessions,
        order_token=order.public_token,
        quantities={line.id: 1},
        reason="changed_mind",
        now=other.clock(),
    )
    report_problem(
        other.sessions,
        order.public_token,
        kind="damaged",
        message="Box crushed",
        shipment_id=None,
        now=other.clock(),
    )
    other.engine.dispose()
    await sign_in(user)
    await open_dashboard(user)
    assert only(user, ui.label, "action-returns-value").text == "1"
    assert only(user, ui.label, "action-problems-value").text == "1"


async def test_an_unknown_order_gets_a_friendly_page(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/999")
    await user.should_see("There is no order '999'")
    for odd in ("²", "9" * 30):  # str.isdigit() took "²" as a number: int() raised, 500
        await user.open(f"/admin/orders/{odd}")
        await user.should_see(f"There is no order {odd!r}")


async def test_an_order_added_by_hand_is_stored_and_shown(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/new")
    fields = {
        "order-number": "2001",
        "customer-name": "Mia Keller",
        "email": "mia@example.com",
        "postcode": "8001",
        "city": "Zürich",
        "item-1-title": "Espresso cups",
        "item-1-price": "12.50",
        "tracking": "SIMOK200001",
    }
    for marker, text in fields.items():
        user.find(marker=marker).type(text)
    user.find(marker="country").click()
    user.find("Switzerland").click()
    user.find(marker="carrier").click()
    user.find("Simulated carrier").click()
    user.find(marker="create-order").click()
    await user.should_see("Order 2001")
    await user.should_see("total 12.50 EUR")
    await user.should_see("Simulated carrier SIMOK200001")
    await user.open("/admin/orders")
    assert "2001" in {row["number"] for row in only(user, ui.table).rows}


async def test_the_add_order_form_shows_what_is_wrong(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/new")
    user.find(marker="order-number").type("2002")
    user.find(marker="email").type("not an address")
    user.find(marker="item-1-title").type("Mug")
    user.find(marker="item-1-price").type("1.234")
    user.find(marker="create-order").click()
    assert user.notify.contains("'1.234' is ambiguous")
    await user.should_see("Add order")
    user.find(marker="item-1-price").clear().type("4")
    user.find(marker="create-order").click()  # kept, with a warning: no email can reach them
    await user.should_see("Order 2002")
    await user.should_see("no message can reach this shopper")


async def test_the_mailbox_shows_the_confirmation_email(user: User) -> None:
    sender = build(load_settings())
    report = await sender.dispatch_once()
    sender.engine.dispose()
    assert report.sent == len(DEMO_ORDERS)
    await sign_in(user)
    await user.open("/admin/mailbox")
    await user.should_see("Your order 1001 is confirmed")
    label = only(user, ui.item_label, content="Your order 1001 is confirmed")
    item = next(i for i in user.find(ui.item).elements if label in i.descendants())
    UserInteraction(user, {item}, None).click()
    await user.should_see("To anna@example.com")
    frame = _iframe(user)
    assert "1001" in frame.props["srcdoc"]
    assert frame.props["sandbox"].split() == ["allow-popups", "allow-popups-to-escape-sandbox"]


async def test_the_first_run_asks_for_an_owner_account(user: User) -> None:
    app = build(load_settings())
    with transaction(app.sessions) as session:
        session.exec(delete(AdminUser))
    app.engine.dispose()
    await user.open("/admin")
    await user.should_see("Welcome to ShopCare")
    form = {"username": "shop", "password": "short", "repeat": "short"}
    assert (await user.http_client.post("/admin/setup", data=form)).status_code == 303
    await user.open("/admin/setup")
    await user.should_see("at least 10 characters")
    form = {"username": "shop", "password": "a long passphrase", "repeat": "a long passphrase"}
    response = await user.http_client.post("/admin/setup", data=form)
    assert response.headers["location"] == "/admin"
    await user.open("/admin")
    await user.should_see("Needs action now")
    await user.open("/admin/setup")
    await user.should_see("Needs action now")


def _iframe(user: User) -> ui.element:
    found = [e for e in user.find(kind=ui.element).elements if e.tag == "iframe"]
    assert len(found) == 1, found
    return found[0]
