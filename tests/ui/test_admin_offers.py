"""The owner's Offers page and the dashboard's shopper figures, on the demo shop (which
comes with two offers): list with figures, create with segment controls, edit, reorder,
delete; each step checked in the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import Offer, ShopOrder
from shopcare.services.offers.placement import follow_offer, offer_for_order
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from tests.ui.admin_support import only, open_dashboard, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def offers() -> list[Offer]:
    app = build(load_settings())
    with app.sessions() as session:
        rows = list(session.exec(select(Offer).order_by(col(Offer.position), col(Offer.id))))
    app.engine.dispose()
    return rows


def shopper_activity() -> None:
    """Order 1001 looks twice (banner shown twice, clicked once), one failed lookup."""
    app = build(load_settings())
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
    now = app.clock()
    for _ in range(2):
        record_page_view(app.sessions, PageKind.TRACKING_VIEW, now=now, order_id=order.id)
        view = offer_for_order(app.sessions, order.public_token, now=now)
        assert view is not None
    follow_offer(app.sessions, view.id, order.public_token, now=now)
    record_page_view(app.sessions, PageKind.LOOKUP_FAILED, now=now)
    app.engine.dispose()


async def test_the_offers_page_lists_the_demo_offers_with_their_figures(user: User) -> None:
    shopper_activity()
    await sign_in(user)
    await user.open("/admin/offers")
    await user.should_see("Beans for the pour-over set")
    await user.should_see("For: SKU pour-set")
    await user.should_see("Newsletter for everyone")
    await user.should_see("For: everyone")
    product, banner = offers()
    assert only(user, ui.label, f"offer-{banner.id}-figures").text == (
        "2 views · 1 clicks · CTR 50.0%"
    )
    assert only(user, ui.label, f"offer-{product.id}-figures").text == (
        "0 views · 0 clicks · CTR —"
    )


async def test_the_owner_creates_an_offer_for_a_segment(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/offers/new")
    for marker, text in (
        ("offer-name", "Welcome back"),
        ("offer-title", "Your loyalty gift"),
        ("offer-link-url", "https://demo-coffee.example/gift"),
        ("offer-tags", "Coffee, gift"),
        ("offer-countries", "de, at"),
        ("offer-total-min", "25.00"),
        ("offer-starts-at", "2026-12-01 08:00"),
    ):
        user.find(marker=marker).clear().type(text)
    only(user, ui.select, "offer-customer").value = "repeat"
    only(user, ui.select, "offer-statuses").value = ["delivered"]
    user.find(marker="save-offer").click()
    await user.should_see("Offers")
    created = offers()[-1]
    assert (created.name, created.title, created.position) == (
        "Welcome back",
        "Your loyalty gift",
        2,
    )
    assert json.loads(created.rules) == {
        "countries": ["AT", "DE"],
        "currency": "EUR",
        "customer": "repeat",
        "statuses": ["delivered"],
        "tags": ["coffee", "gift"],
        "total_min": 2500,
    }
    # the demo shop runs on Berlin time: 08:00 there is 07:00 UTC in December
    assert created.starts_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


async def test_the_form_says_what_is_wrong_and_stores_nothing(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/offers/new")
    user.find(marker="offer-name").type("Sneaky")
    user.find(marker="offer-title").type("Click me")
    user.find(marker="offer-link-url").clear().type("javascript:alert(1)")
    user.find(marker="save-offer").click()
    await user.should_see("the link must be a full http:// or https:// address")
    user.find(marker="offer-link-url").clear().type("https://ok.example")
    user.find(marker="offer-total-max").type("12.3.4")
    user.find(marker="save-offer").click()
    await user.should_see("total max: not an amount")
    assert len(offers()) == 2


async def test_the_owner_edits_an_offer(user: User) -> None:
    _, banner = offers()
    await sign_in(user)
    await user.open(f"/admin/offers/{banner.id}")
    assert only(user, ui.input, "offer-title").value == "10% off your next order"
    user.find(marker="offer-title").clear().type("15% off this week")
    only(user, ui.switch, "offer-active").value = False
    user.find(marker="save-offer").click()
    await user.should_see("Offers")
    edited = offers()[1]
    assert (edited.title, edited.active, edited.rules) == ("15% off this week", False, "{}")


async def test_the_owner_moves_an_offer_up_and_deletes_one(user: User) -> None:
    product, banner = offers()
    await sign_in(user)
    await user.open("/admin/offers")
    user.find(marker=f"offer-{banner.id}-up").click()
    assert [o.id for o in offers()] == [banner.id, product.id]
    user.find(marker=f"offer-{product.id}-delete").click()
    user.find(marker="confirm-delete").click()
    await user.should_see("Offer deleted")
    assert [o.id for o in offers()] == [banner.id]


async def test_the_dashboard_shows_what_shoppers_did(user: User) -> None:
    shopper_activity()
    await sign_in(user)
    await open_dashboard(user)
    figures = {
        marker: only(user, ui.label, f"wismo-{marker}-value").text
        for marker in ("views_per_order", "lookups", "lookups_failed")
    }
    assert figures == {"views_per_order": "2", "lookups": "0", "lookups_failed": "1"}
