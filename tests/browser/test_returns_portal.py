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
    reason = form.locator("select[name^=reason_]").first
    reasons = reason.locator("option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    reason.select_option("changed_mind" if "changed_mind" in reasons else reasons[0])
    form.locator("textarea[name=comment]").fill("Bought two by mistake")
    form.get_by_role("button", name="Request the return").click()  # not "Update the amounts"

    expect(page).to_have_url(re.compile(r"/r/[\w-]+$"))
    body = page.locator("body").inner_text()
    assert RMA.search(body), body
    screenshot(page, "return-status-360")
    scroll = page_width(page)
    assert scroll <= PHONE, f"{scroll} px wide: {wider_than_viewport(page)}"


def test_the_variant_picker_shows_only_for_an_exchange_and_one_reason_can_go_for_all(
    new_page: PageMaker, site: Site
) -> None:
    """Without a script (the CSP allows none): CSS shows a line's reason once it is chosen,
    the variant pickers only once "Exchange" is, and with "same reason" only the first
    line's reason; the server then applies that reason to both lines."""
    order = site.order("exchange")
    page = new_page(width=PHONE)
    page.goto(f"{site.url}/t/{order.token}/return")
    form = page.locator(f"form[action$='/t/{order.token}/return']")
    apron = form.locator("fieldset.line", has_text="Linen apron")
    napkins = form.locator("fieldset.line", has_text="Cotton napkins")
    pickers = [line.get_by_label("Variant you want in exchange") for line in (apron, napkins)]

    expect(form.get_by_label("Refund")).to_be_checked()
    expect(apron.get_by_label("Reason for this item")).to_be_hidden()  # none chosen yet
    for line in (apron, napkins):
        line.get_by_label("Quantity").select_option("1")
    expect(apron.get_by_label("Reason for this item")).to_be_visible()
    for picker in pickers:
        expect(picker).to_be_hidden()

    form.get_by_label("Exchange for another variant").check()
    for picker, colour in zip(pickers, ("Moss", "Rust"), strict=True):
        expect(picker).to_be_visible()
        picker.select_option(label=colour)
    apron.get_by_label("Reason for this item").select_option("changed_mind")
    form.get_by_label("Same reason for all items").check()
    expect(napkins.get_by_label("Reason for this item")).to_be_hidden()
    screenshot(page, "return-form-exchange-360")
    form.get_by_role("button", name="Request the return").click()

    expect(page).to_have_url(re.compile(r"/r/[\w-]+$"))
    body = page.locator("body").inner_text()
    assert RMA.search(body), body
    assert "In exchange for: Moss" in body and "In exchange for: Rust" in body, body
    assert body.count("Changed my mind") == 3, body  # the return's, then each line's
