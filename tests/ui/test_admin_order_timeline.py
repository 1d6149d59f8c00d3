"""The order page's timeline and the owner's notes, through NiceGUI's user simulation on
the demo shop."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import ShopOrder
from shopcare.domain.intake import LineIn, OrderIn
from shopcare.services.intake.by_hand import create_order
from tests.ui.admin_support import OWNER, only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def demo_order_id(number: str) -> int:
    app = build(load_settings())
    try:
        with app.sessions() as session:
            order = session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()
            assert order.id is not None
            return order.id
    finally:
        app.engine.dispose()


def quiet_order() -> int:
    """An order no message can go to, so nothing the dispatcher sends while the test runs
    lands in its timeline after the note."""
    app = build(load_settings())
    try:
        order = OrderIn(order_number="3001", email="", placed_at=app.clock(), lines=[LineIn("Mug")])
        created = create_order(app.sessions, order, now=app.clock(), carriers=app.carrier_names)
        assert created.id is not None
        return created.id
    finally:
        app.engine.dispose()


def timeline_titles(user: User) -> list[str]:
    """The entries' titles, newest first (each is marked with its place)."""
    places = {}
    for label in user.find(kind=ui.label).elements:
        for marker in label._markers:
            if marker.removeprefix("timeline-").isdigit():
                places[int(marker.removeprefix("timeline-"))] = label.text
    return [places[i] for i in sorted(places)]


async def test_the_order_page_shows_what_happened_newest_first(user: User) -> None:
    order_id = demo_order_id("1001")
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id}")
    await user.should_see("Timeline")
    await user.should_see("Shipping address")
    titles = timeline_titles(user)
    assert titles[-1] == "Order placed"  # the oldest comes last
    assert len(titles) > 2, titles  # the demo parcel's scans and messages are there too


async def test_a_note_shows_at_the_top_with_its_author(user: User) -> None:
    order_id = quiet_order()
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id}")
    user.find(marker="add-note").click()
    user.find(marker="note-text").type("Called her: <b>left at the neighbour's</b>")
    user.find(marker="save-note").click()
    await user.should_see("Note added")
    for _ in range(50):  # the page redraws right after saying so
        if timeline_titles(user) == ["Note", "Order placed"]:
            break
        await asyncio.sleep(0.1)
    assert timeline_titles(user) == ["Note", "Order placed"]
    detail = only(user, ui.label, "timeline-detail-0")
    assert detail.text == "Called her: <b>left at the neighbour's</b>"  # shown as text
    entry = only(user, ui.timeline_entry, "timeline-entry-0")
    assert entry.props["subtitle"].endswith(f"by {OWNER}")


async def test_an_empty_note_is_refused(user: User) -> None:
    order_id = demo_order_id("1002")
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id}")
    user.find(marker="add-note").click()
    user.find(marker="save-note").click()
    await user.should_see("Not saved: the note is empty")
