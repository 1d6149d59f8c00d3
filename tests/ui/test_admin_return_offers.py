"""The return policy page's offers section and the exchange catalogue: every option saved and
shown again, nonsense refused with a reason, products added, repriced and hidden."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import OrderLine, ReturnRequest
from shopcare.domain.return_policy import RequestedLine
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.orders.catalogue_editor import CatalogueRow, catalogue_rows
from shopcare.services.returns.offers import (
    ReturnOffersSettings,
    get_offers_settings,
    update_offers,
)
from shopcare.services.returns.requests import ReturnAsk, request_return
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def stored() -> ReturnOffersSettings:
    app = build(load_settings())
    try:
        return get_offers_settings(app.sessions)
    finally:
        app.engine.dispose()


def products() -> list[CatalogueRow]:
    app = build(load_settings(), clock=lambda: datetime(2026, 12, 5, tzinfo=UTC))
    try:
        return catalogue_rows(app.sessions)
    finally:
        app.engine.dispose()


async def test_the_owner_sets_the_bonus_and_exchange_options(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy")
    await user.should_see("Store credit and exchanges instead of refunds")
    user.find(marker="bonus-pct").clear().type("10")
    user.find(marker="bonus-fixed").clear().type("250")
    user.find(marker="other-products").click()
    user.find(marker="difference-limit").clear().type("1000")
    user.find(marker="instant-exchange").click()
    user.find(marker="instant-min-delivered-orders").clear().type("2")
    user.find(marker="watch-days").clear().type("10")
    user.find(marker="bonus-on-exchange").click()
    user.find(marker="save-return-offers").click()
    assert user.notify.contains("Return offers saved")

    assert stored() == ReturnOffersSettings(
        bonus_percent=10, bonus_fixed_minor=250, bonus_on_exchange=False, other_products=True,
        difference_limit_minor=1000, instant_exchange=True, instant_min_delivered_orders=2,
        watch_days=10,
    )  # fmt: skip
    await user.open("/admin/return-policy")
    assert only(user, ui.number, "bonus-pct").value == 10
    assert only(user, ui.switch, "instant-exchange").value is True


async def test_the_offers_refuse_nonsense_with_a_reason(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy")
    user.find(marker="bonus-pct").clear().type("150")
    user.find(marker="save-return-offers").click()
    assert user.notify.contains("the bonus must be between 0 and 100 %")
    user.find(marker="bonus-pct").clear().type("5")
    user.find(marker="watch-days").clear().type("0")
    user.find(marker="save-return-offers").click()
    assert user.notify.contains("the days to wait for the return parcel must be 1 to 365")
    assert stored() == ReturnOffersSettings()


async def test_the_handling_fee_is_the_restocking_fee_and_its_section_says_so(
    user: User,
) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy")
    await user.should_see("the restocking fee above is the handling fee, taken off refunds only")


async def test_the_owner_adds_reprices_and_hides_a_product(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy/catalogue")
    await user.should_see("Exchange catalogue")
    user.find(marker="new-sku").type("MUG")
    user.find(marker="new-title").type("Ceramic mug")
    user.find(marker="new-price").clear().type("3500")
    user.find(marker="add-product").click()
    assert user.notify.contains("Product added")
    mug = next(p for p in products() if p.sku == "MUG")
    assert (mug.title, mug.price_minor, mug.available) == ("Ceramic mug", 3500, True)

    await user.should_see(marker="price-MUG")  # the list refreshes in the background
    user.find(marker="price-MUG").clear().type("3900")
    user.find(marker="save-price-MUG").click()
    await user.should_see("Catalogue saved")
    await user.should_see(marker="toggle-MUG")
    user.find(marker="toggle-MUG").click()
    await user.should_see(marker="toggle-MUG", content="Show")
    mug = next(p for p in products() if p.sku == "MUG")
    assert (mug.price_minor, mug.available) == (3900, False)

    user.find(marker="add-product").click()
    assert user.notify.contains("the catalogue has MUG already")


async def test_the_policy_page_links_to_the_catalogue(user: User) -> None:
    """Under the policy's address, so it is the owner's (staff see returns, not the policy)."""
    await sign_in(user)
    await user.open("/admin/return-policy")
    link = only(user, ui.link, "catalogue-link")
    assert link.props["href"] == "/admin/return-policy/catalogue"


def credit_return_with_bonus() -> int:
    """A shopper's return for store credit under a 10 % bonus, as the portal records it."""
    app = build(load_settings())
    try:
        update_offers(app.sessions, bonus_percent=10)
        order = create_order(
            app.sessions,
            OrderIn(
                order_number="8001",
                email="owner-test@example.com",
                placed_at=app.clock(),
                lines=[LineIn(title="Wool scarf", quantity=1, unit_price_minor=4000, sku="SCARF")],
            ),
            now=app.clock(),
            carriers=app.carrier_names,
        )
        with app.sessions() as session:
            line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        ask = ReturnAsk(
            order.public_token, (RequestedLine(line.id or 0, 1, "too_small"),), "store_credit"
        )
        token = request_return(app.sessions, ask, now=app.clock(), photo_dir=None)
        with app.sessions() as session:
            found = session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token))
            return found.one().id or 0
    finally:
        app.engine.dispose()


async def test_the_return_page_shows_the_owner_the_promised_bonus(user: User) -> None:
    return_id = credit_return_with_bonus()
    await sign_in(user)
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see("Bonus promised for choosing store credit: 4.00 EUR")
