"""The admin GUI through NiceGUI's user simulation: sign-in, pages, the add-order form.

Every test gets its own data dir with the demo shop and a known owner account, created
before the ``user`` fixture runs ``admin_main.py`` (``data_dir`` is autouse, so it comes first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlmodel import delete

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import AdminUser
from shopcare.domain.status import ShipmentStatus
from shopcare.services.auth import set_password
from shopcare.services.orders import LineIn, OrderIn, create_order
from shopcare.ui.admin.layout import REFRESH_S

OWNER, PASSWORD = "owner", "correct horse battery"
E = TypeVar("E", bound=ui.element)
DEMO_ORDERS = {"1001", "1002", "1003", "1004", "1005", "1006"}


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SHOPCARE_DATA_DIR", str(tmp_path))
    for name in ("SHOPCARE_DATABASE_URL", "SHOPCARE_SMTP_URL", "SHOPCARE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    app = build(load_settings(), demo=True)
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=app.clock())
    app.engine.dispose()
    yield tmp_path


async def sign_in(user: User, password: str = PASSWORD, **extra: str) -> httpx.Response:
    form = {"username": OWNER, "password": password, "next": "/admin"}
    return await user.http_client.post("/admin/login", data=form, headers=extra)


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
    await user.should_see("Too many sign-in attempts. Wait a few minutes.")
    assert (await user.http_client.get("/admin")).status_code == 303


async def test_a_sign_in_from_another_site_is_refused(user: User) -> None:
    response = await sign_in(user, origin="https://evil.example")
    assert response.status_code == 403
    assert (await user.http_client.get("/admin")).status_code == 303


async def test_signing_in_leads_to_the_dashboard_and_signing_out_ends_it(user: User) -> None:
    response = await sign_in(user)
    assert (response.status_code, response.headers["location"]) == (303, "/admin")
    await user.open("/admin")
    await user.should_see("Parcels by status")
    await user.http_client.post("/admin/logout")
    await user.open("/admin")
    await user.should_see("Sign in to ShopCare")


async def test_the_orders_page_lists_the_demo_orders(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders")
    table = _only(user, ui.table)
    assert {row["number"] for row in table.rows} == DEMO_ORDERS
    row = next(r for r in table.rows if r["number"] == "1001")
    assert row["customer"] == "Anna Schmidt"
    assert row["tracking"] == "SIMOK100001"
    user.find(ui.table).trigger("rowClick", [{}, row, 0])
    await user.should_see("Order 1001")
    await user.should_see("Simulated carrier SIMOK100001")
    await user.should_see("Shopper's tracking page:")


async def test_the_dashboard_counts_parcels_by_status(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    for status in ShipmentStatus:
        await user.should_see(marker=f"status-{status}")
    counts = [int(_only(user, ui.label, f"status-{s}-count").text) for s in ShipmentStatus]
    assert sum(counts) == len(DEMO_ORDERS)
    assert _only(user, ui.label, "orders-count").text == "6"
    await user.should_see("Messages queued")


async def test_the_dashboard_follows_changes_without_a_reload(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    count = _only(user, ui.label, "orders-count")
    assert count.text == "6"
    other = build(load_settings())
    order = OrderIn(
        order_number="3001",
        email="ben@example.com",
        placed_at=other.clock(),
        lines=[LineIn(title="Mug")],
    )
    create_order(other.sessions, order, now=other.clock(), carriers=other.carrier_names)
    other.engine.dispose()
    for _ in range(int(REFRESH_S * 10) + 10):
        await asyncio.sleep(0.1)
        if _only(user, ui.label, "orders-count").text == "7":
            break
    assert _only(user, ui.label, "orders-count").text == "7"


async def test_an_unknown_order_gets_a_friendly_page(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/999")
    await user.should_see("There is no order '999'")


async def test_an_order_added_by_hand_is_stored_and_shown(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/new")
    fields = {
        "order-number": "2001",
        "customer-name": "Mia Keller",
        "email": "mia@example.com",
        "postcode": "8001",
        "city": "Zürich",
        "country": "CH",
        "item-1-title": "Espresso cups",
        "item-1-price": "12.50",
        "tracking": "SIMOK200001",
    }
    for marker, text in fields.items():
        user.find(marker=marker).type(text)
    user.find(marker="create-order").click()
    await user.should_see("Order 2001")
    await user.should_see("total 12.50 EUR")
    await user.should_see("Simulated carrier SIMOK200001")
    await user.open("/admin/orders")
    assert "2001" in {row["number"] for row in _only(user, ui.table).rows}


async def test_the_add_order_form_shows_what_is_wrong(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/new")
    user.find(marker="order-number").type("2002")
    user.find(marker="email").type("not an address")
    user.find(marker="item-1-title").type("Mug")
    user.find(marker="item-1-price").type("1.234")
    user.find(marker="create-order").click()
    assert user.notify.contains("too many decimals")
    user.find(marker="item-1-price").clear().type("4")
    user.find(marker="create-order").click()
    assert user.notify.contains("is not an email address")
    await user.should_see("Add order")


async def test_the_mailbox_shows_the_confirmation_email(user: User) -> None:
    sender = build(load_settings())
    report = await sender.dispatch_once()
    sender.engine.dispose()
    assert report.sent == len(DEMO_ORDERS)
    await sign_in(user)
    await user.open("/admin/mailbox")
    await user.should_see("Your order 1001 is confirmed")
    label = _only(user, ui.item_label, content="Your order 1001 is confirmed")
    item = next(i for i in user.find(ui.item).elements if label in i.descendants())
    UserInteraction(user, {item}, None).click()
    await user.should_see("To anna@example.com")
    frame = _iframe(user)
    assert "1001" in frame.props["srcdoc"]
    assert frame.props["sandbox"].split() == ["allow-popups", "allow-popups-to-escape-sandbox"]


async def test_the_first_run_asks_for_an_owner_account(user: User, data_dir: Path) -> None:
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
    await user.should_see("Parcels by status")
    await user.open("/admin/setup")
    await user.should_see("Parcels by status")


def _only(user: User, kind: type[E], marker: str | None = None, *, content: str | None = None) -> E:
    found = list(user.find(kind=kind, marker=marker, content=content).elements)
    assert len(found) == 1, found
    return found[0]


def _iframe(user: User) -> ui.element:
    found = [e for e in user.find(kind=ui.element).elements if e.tag == "iframe"]
    assert len(found) == 1, found
    return found[0]
