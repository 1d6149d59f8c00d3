"""In Chromium: the shopper sees "Refund 40.00 EUR or 44.00 EUR in store credit" at the
moment of choice, chooses store credit with its bonus, and the return shows the bonus;
axe finds nothing serious on either page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from shopcare.db.models import ReturnRequest
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.returns.offers import ReturnOffersSettings, update_offers
from tests.browser.browsing import BLOCKING, axe_summary, run_axe, screenshot
from tests.browser.conftest import PageMaker, Site


@pytest.fixture
def bonus(site: Site) -> Iterator[None]:
    """Ten per cent for credit, only for this test: the site is shared by the folder."""
    update_offers(site.app.sessions, bonus_percent=10)
    try:
        yield
    finally:
        update_offers(site.app.sessions, **asdict(ReturnOffersSettings()))


def no_serious_violations(page: object, name: str) -> None:
    violations = run_axe(page, name)  # type: ignore[arg-type]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(axe_summary(blocking))


@pytest.mark.usefixtures("bonus")
def test_the_shopper_chooses_credit_with_the_bonus_and_sees_the_figures(
    new_page: PageMaker, site: Site
) -> None:
    app = site.app
    order = create_order(
        app.sessions,
        OrderIn(
            order_number="7001",
            email="credit@example.com",
            placed_at=app.clock(),
            lines=[LineIn(title="Wool scarf", quantity=1, unit_price_minor=4000, sku="SCARF")],
        ),
        now=app.clock(),
        carriers=app.carrier_names,
    )
    page = new_page(width=1280, bypass_csp=True)  # bypassed for axe only; the page has no script
    page.goto(f"{site.url}/t/{order.public_token}/return")
    form = page.locator(f"form[action$='/t/{order.public_token}/return']")
    expect(form).to_contain_text("Refund 40.00 EUR or 44.00 EUR in store credit")
    credit = form.get_by_label("Store credit")
    expect(credit).to_have_accessible_description(
        "44.00 EUR in store credit, including a 4.00 EUR bonus"
    )
    no_serious_violations(page, "return-form-offers")

    form.get_by_label("Quantity").select_option("1")
    form.get_by_label("Reason for this item").select_option("changed_mind")
    credit.check()
    form.get_by_role("button", name="Update the amounts").click()
    expect(form).to_contain_text("For the items you chose:")
    expect(form.get_by_label("Store credit")).to_be_checked()
    screenshot(page, "return-form-credit-bonus")
    form.get_by_role("button", name="Request the return").click()

    expect(page).to_have_url(re.compile(r"/r/[\w-]+$"))
    body = page.locator("body").inner_text()
    assert "Store credit" in body and "Bonus in store credit" in body, body
    assert "4.00 EUR" in body, body
    no_serious_violations(page, "return-status-offers")
    with app.sessions() as session:
        request = session.exec(
            select(ReturnRequest).where(ReturnRequest.order_id == order.id)
        ).one()
    assert (request.resolution, request.bonus_minor) == ("store_credit", 400)
