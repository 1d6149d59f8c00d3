"""What a shopper does on the tracking page besides reading it: clicking the shop's banner
and telling the shop something went wrong; both must reach the owner's store."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from shopcare.db.models import Offer, ProblemReport
from shopcare.services.orders.views import order_view_by_token
from tests.browser.browsing import screenshot
from tests.browser.conftest import PageMaker, Site
from tests.browser.shop_data import OFFER_LINK


def offer_clicks(site: Site) -> int:
    with site.app.sessions() as session:
        offer = session.get(Offer, site.data.offer_id)
        assert offer is not None
        return offer.clicks


def test_a_banner_click_is_counted_and_leads_to_the_shop(new_page: PageMaker, site: Site) -> None:
    before = offer_clicks(site)
    page = new_page()
    page.goto(site.tracking_url("two_parcels"))
    link = page.locator("a.offer-link")
    href = link.get_attribute("href") or ""
    assert href.endswith(f"/o/{site.data.offer_id}/{site.order('two_parcels').token}"), href

    link.click()
    page.wait_for_url(f"{OFFER_LINK}**")

    assert page.url.startswith(OFFER_LINK)
    assert offer_clicks(site) == before + 1


def test_a_problem_report_lands_in_the_store(new_page: PageMaker, site: Site) -> None:
    order = site.order("report")
    page = new_page()
    page.goto(site.tracking_url("report"))
    form = page.locator("form#report-problem")
    kinds = form.locator("select[name=kind] option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    kind = next((k for k in kinds if "damag" in k), kinds[0] if kinds else "")
    assert kind, "the problem form offers no kinds"
    form.locator("select[name=kind]").select_option(kind)
    form.locator("textarea[name=message]").fill("The mug arrived in two pieces <b>sadly</b>")
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()

    with site.app.sessions() as session:
        reports = session.exec(select(ProblemReport)).all()
    mine = [r for r in reports if r.message.startswith("The mug arrived in two pieces")]
    assert len(mine) == 1, [(r.kind, r.message) for r in reports]
    assert mine[0].kind == kind
    assert mine[0].message == "The mug arrived in two pieces <b>sadly</b>"
    view = order_view_by_token(site.app.sessions, order.token)
    assert view is not None and mine[0].order_id == view.id
    expect(page.locator(".notice")).to_be_visible()
    screenshot(page, "problem-reported-360")
