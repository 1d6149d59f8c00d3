"""The returns portal on a phone: verify, choose, send, see the RMA; nothing wider than 360."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.browsing import page_width, screenshot, wider_than_viewport
from tests.browser.conftest import PageMaker, Site

PHONE = 360
RMA = re.compile(r"R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def test_a_shopper_returns_an_item_on_a_phone(new_page: PageMaker, site: Site) -> None:
    order = site.order("delivered")
    page = new_page(width=PHONE)
    page.goto(f"{site.url}/returns")
    verify = page.locator("form:has(input[name=order_number])")
    verify.locator("input[name=order_number]").fill(order.number)
    verify.locator("input[name=contact]").fill(order.email)
    verify.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{site.url}/t/{order.token}/return")
    form = page.locator(f"form[action$='/t/{order.token}/return']")
    screenshot(page, "return-form-360")
    scroll = page_width(page)
    assert scroll <= PHONE, f"{scroll} px wide: {wider_than_viewport(page)}"

    form.locator("select[name^=qty_]").first.select_option("1")
    reasons = form.locator("select[name=reason] option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    form.locator("select[name=reason]").select_option(
        "changed_mind" if "changed_mind" in reasons else reasons[0]
    )
    form.locator("textarea[name=comment]").fill("Bought two by mistake")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/r/[\w-]+$"))
    body = page.locator("body").inner_text()
    assert RMA.search(body), body
    screenshot(page, "return-status-360")
    scroll = page_width(page)
    assert scroll <= PHONE, f"{scroll} px wide: {wider_than_viewport(page)}"
