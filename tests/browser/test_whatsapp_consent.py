"""WhatsApp updates in a real browser without JavaScript: the shopper types their number,
ticks the box, and the page then offers to stop; stopping brings the offer back."""

from __future__ import annotations

from playwright.sync_api import expect

from shopcare.db.models import Customer
from tests.browser.browsing import screenshot
from tests.browser.conftest import PageMaker, Site


def test_a_shopper_agrees_and_stops_without_javascript(new_page: PageMaker, site: Site) -> None:
    page = new_page(javascript=False)
    page.goto(site.tracking_url("whatsapp"))
    section = page.locator("#whatsapp")
    screenshot(page, "tracking-whatsapp-offer-360")
    section.get_by_label("Mobile number with country code").fill("+1 415 555 0199")
    section.get_by_role("button", name="Get updates on WhatsApp").click()
    expect(page).to_have_url(site.tracking_url("whatsapp"))  # the browser asks for the tick
    section.get_by_role("checkbox").check()
    section.get_by_role("button", name="Get updates on WhatsApp").click()

    expect(section.get_by_role("status")).to_contain_text("You will get updates on WhatsApp")
    expect(section).to_contain_text("Number ending in 199.")
    screenshot(page, "tracking-whatsapp-agreed-360")
    with site.app.sessions() as session:
        customer = session.get(Customer, site.data.customer_ids["whatsapp"])
        assert customer is not None and customer.phone == "+14155550199"
        assert customer.whatsapp_consent_at is not None

    section.get_by_role("button", name="Stop WhatsApp updates").click()
    expect(section.get_by_role("status")).to_contain_text("WhatsApp updates have stopped.")
    expect(section.get_by_role("button", name="Get updates on WhatsApp")).to_be_visible()
