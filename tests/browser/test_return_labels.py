"""A prepaid return label, walked in Chromium: the shopper asks for a return, the owner
approves it, the label is bought from a loopback EasyPost, and the shopper's page offers the
slip whose first page is the label: its barcode (the tracking number) and the slip's RMA
decode with zbar from the PDF the browser fetched."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from shopcare.db.engine import transaction
from shopcare.db.models import ReturnRequest, ShopOrder
from shopcare.services.returns.labels.purchase import buy_due_labels
from shopcare.services.returns.labels.settings import save_label_settings
from shopcare.services.returns.workflow import approve_return
from tests.adapters.carrier_server import CarrierServer, serve
from tests.browser.browsing import screenshot
from tests.browser.conftest import PageMaker, Site
from tests.pdf.reading import scan_pages
from tests.services.labels.label_servers import TRACKING, FakeEasyPost


@pytest.fixture
def labels(site: Site) -> Iterator[FakeEasyPost]:
    """EasyPost on loopback for the shop's labels; labels off again afterwards (the site is
    shared by the folder's tests)."""
    server: CarrierServer
    for server in serve():
        easypost = FakeEasyPost(server).install()
        save_label_settings(
            site.app.sessions, api_key="EZTKbrowser", provider="easypost",
            base_url=easypost.url, labels_for="reasons", reasons=["changed_mind"],
            street1="417 Montgomery Street", city="San Francisco", zip="94104", country="US",
        )  # fmt: skip
        yield easypost
        save_label_settings(site.app.sessions, labels_for="never")


def test_the_shopper_prints_a_slip_whose_first_page_is_the_prepaid_label(
    new_page: PageMaker, site: Site, labels: FakeEasyPost, tmp_path: Path
) -> None:
    order = site.order("report")
    with transaction(site.app.sessions) as session:
        row = session.exec(select(ShopOrder).where(ShopOrder.order_number == order.number)).one()
        row.ship_city, row.ship_country = "Cambridge", "US"
        session.add(row)
    page = new_page(width=800)
    page.goto(f"{site.url}/t/{order.token}/return")
    form = page.locator(f"form[action$='/t/{order.token}/return']")
    form.locator("select[name^=qty_]").first.select_option("1")
    form.locator("select[name^=reason_]").first.select_option("changed_mind")
    form.get_by_role("button", name="Request the return").click()
    expect(page).to_have_url(re.compile(r"/r/[\w-]+$"))
    token = page.url.rsplit("/", 1)[-1]

    with site.app.sessions() as session:
        return_id = session.exec(
            select(ReturnRequest.id).where(ReturnRequest.public_token == token)
        ).one()
    approve_return(site.app.sessions, return_id or 0, now=site.app.clock())

    async def buy() -> int:
        async with httpx.AsyncClient(timeout=10) as http:
            return await buy_due_labels(site.app.sessions, http, now=site.app.clock())

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        assert pool.submit(asyncio.run, buy()).result(timeout=60) == 1
    page.reload()
    label_link = page.get_by_role("link", name="Prepaid return label")
    expect(label_link).to_be_visible()
    screenshot(page, "return-status-prepaid-label")
    slip_href = page.get_by_role("link", name="Return slip (PDF)").get_attribute("href")
    assert slip_href is not None
    slip = page.request.get(site.url + slip_href if slip_href.startswith("/") else slip_href)
    assert slip.ok and slip.headers["content-type"] == "application/pdf"
    scanned = scan_pages(slip.body(), tmp_path)
    assert ("CODE-128", TRACKING) in scanned[0]
    with site.app.sessions() as session:
        rma = session.exec(select(ReturnRequest.rma).where(ReturnRequest.id == return_id)).one()
    assert ("CODE-128", rma) in scanned[1]
    label = page.request.get(f"{site.url}/r/{token}/label")
    assert label.ok and label.body() == labels.label
