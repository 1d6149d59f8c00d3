"""A shopper answers the feedback email in Chromium with JavaScript off: a score link, the
one-tap confirmation, ratings and a comment, the thank-you page with the review link and
the code. Each step's page is then checked by axe (in a context that may inject it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from shopcare.db.models import Feedback
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.shop.profile import get_profile, update_profile
from shopcare.services.shopper_site.feedback import feedback_token_after_delivery
from tests.browser.browsing import BLOCKING, axe_summary, run_axe, screenshot
from tests.browser.conftest import PageMaker, Site

REVIEW = "https://www.trustpilot.com/evaluate/demo-coffee.example"


@pytest.fixture
def feedback_link(site: Site) -> Iterator[str]:
    """A fresh order's feedback link (the shared orders keep their own state), with the
    owner's review page and thank-you code set for the test."""
    app = site.app
    order = create_order(
        app.sessions,
        OrderIn(
            order_number="FB-1", email="kim@example.com", customer_name="Kim",
            placed_at=app.clock(), ship_postcode="10115",
            lines=[LineIn(title="Espresso cups", quantity=2, unit_price_minor=1400)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK900001")],
        ),
        now=app.clock(), carriers=app.carrier_names,
    )  # fmt: skip
    assert order.id is not None
    token = feedback_token_after_delivery(app.sessions, order.id, now=app.clock())
    before = get_profile(app.sessions)
    update_profile(app.sessions, review_url=REVIEW, feedback_discount_code="THANKYOU-5")
    yield f"{site.url}/feedback/{token}"
    update_profile(
        app.sessions,
        review_url=before.review_url,
        feedback_discount_code=before.feedback_discount_code,
    )


def stored(site: Site, link: str) -> Feedback:
    with site.app.sessions() as session:
        return session.exec(
            select(Feedback).where(Feedback.public_token == link.rsplit("/", 1)[1])
        ).one()


def test_a_shopper_answers_without_javascript_and_every_step_passes_axe(
    new_page: PageMaker, site: Site, feedback_link: str
) -> None:
    page = new_page(javascript=False)
    page.goto(f"{feedback_link}?score=10")
    expect(page.get_by_role("radio", name="10")).to_be_checked()
    assert stored(site, feedback_link).score is None  # opening the link records nothing
    screenshot(page, "feedback-confirm-360")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my score").click()
    assert stored(site, feedback_link).score == 10

    expect(page.get_by_role("status")).to_contain_text("your score is saved")
    page.get_by_role("group", name="How satisfied are you").get_by_role("radio", name="5").check()
    page.get_by_role("group", name="Packaging").get_by_role("radio", name="4").check()
    page.get_by_label("Anything you would like to tell us?").fill("Beautiful cups, well packed")
    screenshot(page, "feedback-details-360")
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()

    answer = stored(site, feedback_link)
    assert (answer.score, answer.csat, answer.rating_packaging) == (10, 5, 4)
    assert (answer.rating_product, answer.comment) == (None, "Beautiful cups, well packed")
    expect(page.get_by_role("link", name="Write a review")).to_have_attribute("href", REVIEW)
    expect(page.locator("#thank-you-code")).to_contain_text("THANKYOU-5")
    screenshot(page, "feedback-thanks-360")

    checked = new_page(width=1280, bypass_csp=True)
    for name, address in (
        ("feedback-confirm", f"{feedback_link}?score=3"),
        ("feedback-details", feedback_link),
        ("feedback-details-ar", f"{feedback_link}?lang=ar"),
        ("feedback-thanks", f"{feedback_link}/thanks"),
    ):
        response = checked.goto(address)
        assert response is not None and response.status == 200, name
        blocking = [v for v in run_axe(checked, name) if v["impact"] in BLOCKING]
        assert not blocking, (name, axe_summary(blocking))
    assert stored(site, feedback_link).score == 10  # the checks' visits changed nothing
