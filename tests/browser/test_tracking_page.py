"""The tracking page in a real browser: phone and desktop widths, languages, page weight."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from shopcare.services.shop.profile import get_profile, update_profile
from tests.browser.browsing import (
    page_width,
    screenshot,
    transferred_bytes,
    wider_than_viewport,
    write_json,
)
from tests.browser.conftest import Outside, PageMaker, Site
from tests.browser.shop_data import LATE, VIA_DHL

PHONE = 360
WEIGHT_LIMIT = 100 * 1024


def open_tracking(page: Page, site: Site, key: str, query: str = "") -> None:
    response = page.goto(site.tracking_url(key, query))
    assert response is not None and response.status == 200, response and response.status


def assert_fits(page: Page, width: int) -> None:
    scroll = page_width(page)
    assert scroll <= width, f"{scroll} px wide at {width} px: {wider_than_viewport(page)}"


@pytest.mark.parametrize("width", [PHONE, 1280])
def test_the_tracking_page_shows_every_parcel_with_its_steps(
    new_page: PageMaker, site: Site, outside: Outside, width: int
) -> None:
    page = new_page(width=width)
    open_tracking(page, site, "two_parcels")
    screenshot(page, f"tracking-en-{width}")

    order = site.order("two_parcels")
    expect(page.locator("h1")).to_contain_text(order.number)
    parcels = page.locator("section.parcel")
    expect(parcels).to_have_count(2)
    for number in order.tracking_numbers:
        expect(parcels.filter(has_text=number)).to_have_count(1)
        expect(parcels.filter(has_text=number).locator("ol.steps")).to_have_count(1)
    expect(page.get_by_text("Arrived at the sorting hub").first).to_be_visible()
    late = parcels.filter(has_text=LATE)
    expect(late.locator("p.late")).to_be_visible()
    expect(parcels.filter(has_text=VIA_DHL).locator("p.late")).to_have_count(0)
    expect(parcels.filter(has_text=VIA_DHL).locator("p.estimate")).to_be_visible()
    carrier = parcels.filter(has_text=VIA_DHL).locator("a.carrier-link")
    expect(carrier).to_have_attribute("href", re.compile(rf"^https://www\.dhl\.com/.*{VIA_DHL}"))
    assert outside.refused == [], "the page asked third parties for something"


def test_nothing_scrolls_sideways_on_a_phone(new_page: PageMaker, site: Site) -> None:
    page = new_page(width=PHONE)
    open_tracking(page, site, "two_parcels")
    assert_fits(page, PHONE)


def test_a_german_shopper_gets_german_and_can_switch_to_english(
    new_page: PageMaker, site: Site
) -> None:
    page = new_page(width=PHONE, locale="en-GB")  # the browser says English; the order says de
    open_tracking(page, site, "german")
    screenshot(page, "tracking-de-360")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    german = page.locator("h2").all_inner_texts()

    page.locator("nav.languages a[hreflang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.locator("h2").all_inner_texts()
    assert "Items" in english
    assert german != english and "Items" not in german
    assert_fits(page, PHONE)


def test_the_switcher_turns_the_page_german(new_page: PageMaker, site: Site) -> None:
    page = new_page(width=PHONE)
    open_tracking(page, site, "two_parcels")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.locator("h1, h2, h3").all_inner_texts()

    page.locator("nav.languages a[hreflang=de]").click()

    expect(page.locator("html")).to_have_attribute("lang", "de")
    german = page.locator("h1, h2, h3").all_inner_texts()
    assert german != english, "the headings stayed the same"
    expect(page.locator("nav.languages a[hreflang=de]")).to_have_attribute("aria-current", "true")


def test_arabic_reads_right_to_left_and_still_fits_a_phone(new_page: PageMaker, site: Site) -> None:
    page = new_page(width=PHONE)
    open_tracking(page, site, "two_parcels")
    page.locator("nav.languages a[hreflang=ar]").click()

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    screenshot(page, "tracking-ar-360")
    assert_fits(page, PHONE)
    direction = page.evaluate("getComputedStyle(document.querySelector('main')).direction")
    assert direction == "rtl"


def test_the_tracking_page_weighs_less_than_100_kb(new_page: PageMaker, site: Site) -> None:
    page = new_page(width=PHONE)
    open_tracking(page, site, "two_parcels")
    page.wait_for_load_state("load")
    measured = transferred_bytes(page)
    counted = [e for e in measured["entries"] if "logo" not in e["url"].lower()]
    total = sum(int(e["transfer"]) for e in counted)
    document = next(e for e in counted if e["type"] == "navigation")
    figure = {
        "page": "/t/{token} (two parcels, three items, one banner)",
        "transferred_bytes": total,
        "document_bytes": int(document["transfer"]),
        "document_decoded_bytes": int(document["decoded"]),
        "subresources": len(counted) - 1,
        "limit_bytes": WEIGHT_LIMIT,
        "excluded": [e["url"] for e in measured["entries"] if "logo" in e["url"].lower()],
        "entries": measured["entries"],
    }
    write_json("page-weight.json", figure)
    print(f"tracking page: {total} bytes transferred ({len(counted) - 1} subresources)")
    assert document["transfer"] > 0, "the browser reported no transfer size for the page"
    assert total < WEIGHT_LIMIT, figure


def test_images_load_only_from_the_logos_site(
    new_page: PageMaker, site: Site, outside: Outside
) -> None:
    """Issue 11, §7: the policy allowed images from any https site, so CSS slipped into a
    page could send what it read anywhere. Now the logo's site is asked, another is not."""
    before = get_profile(site.app.sessions).logo_url
    update_profile(site.app.sessions, logo_url="https://logo.example/logo.png")
    try:
        page = new_page(width=1280)
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        open_tracking(page, site, "two_parcels")
        page.wait_for_load_state("networkidle")
        page.evaluate(
            """() => new Promise(resolve => {
                document.addEventListener('securitypolicyviolation', () => resolve(), {once: true});
                setTimeout(resolve, 10000);  // only so that a page without a policy fails
                document.body.style.backgroundImage = 'url(https://evil.example/x.png)';
            })"""
        )
    finally:
        update_profile(site.app.sessions, logo_url=before)
    assert "https://logo.example/logo.png" in outside.refused  # asked for (and refused offline)
    assert not [url for url in outside.refused if "evil.example" in url]
    assert any("evil.example" in text and "img-src" in text for text in refusals), refusals
