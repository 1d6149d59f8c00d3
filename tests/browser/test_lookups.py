"""Finding an order without its link, as a shopper does it: type, press the button, land."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.browsing import screenshot
from tests.browser.conftest import PageMaker, Site


def look_up(page: Page, site: Site, *, number: str, contact: str) -> None:
    page.goto(f"{site.url}/track")
    form = page.locator("form#lookup")
    form.locator("input[name=order_number]").fill(number)
    form.locator("input[name=contact]").fill(contact)
    form.locator("button[type=submit], input[type=submit]").first.click()


def test_order_number_and_postcode_lead_to_the_tracking_page(
    new_page: PageMaker, site: Site
) -> None:
    order = site.order("lookup")
    page = new_page()
    look_up(page, site, number=order.number, contact=order.postcode.lower())

    expect(page).to_have_url(site.tracking_url("lookup"))
    expect(page.locator("h1")).to_contain_text(order.number)
    screenshot(page, "lookup-result-360")


def test_the_lookup_works_with_javascript_off(new_page: PageMaker, site: Site) -> None:
    order = site.order("lookup_nojs")
    page = new_page(javascript=False)
    look_up(page, site, number=order.number, contact=order.email.upper())

    expect(page).to_have_url(site.tracking_url("lookup_nojs"))
    expect(page.locator("h1")).to_contain_text(order.number)


def test_wrong_details_keep_the_shopper_on_the_form(new_page: PageMaker, site: Site) -> None:
    page = new_page()
    look_up(page, site, number=site.order("lookup").number, contact="99999")

    expect(page).to_have_url(re.compile(r"/track$"))
    expect(page.get_by_role("alert")).to_contain_text("could not find an order")
    screenshot(page, "lookup-not-found-360")


def test_a_tracking_number_alone_shows_the_parcel_without_personal_data(
    new_page: PageMaker, site: Site
) -> None:
    order = site.order("by_number")
    page = new_page()
    page.goto(f"{site.url}/track")
    form = page.locator("form#number-lookup")
    form.locator("input[name=tracking_number]").fill(order.tracking_numbers[0].lower())
    form.locator("button[type=submit], input[type=submit]").first.click()

    expect(page.locator("ol.steps")).to_have_count(1)
    expect(page.get_by_text("Arrived at the sorting hub")).to_be_visible()
    screenshot(page, "number-lookup-360")
    text = page.locator("body").inner_text()
    assert order.tracking_numbers[0] in text
    for personal in (order.name, order.email, order.postcode, order.number, "Pour-over"):
        shown = re.search(rf"\b{re.escape(personal)}\b", text)
        assert not shown, f"{personal!r} shown to someone who knows only the number"
    assert order.token not in page.content()
