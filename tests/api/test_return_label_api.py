"""A return's prepaid label through the API: its state, carrier, tracking number and cost,
and the link to the file that the shopper's site serves behind the return's token (the link
stops working when the return is rejected)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.services.returns.labels.purchase import buy_due_labels
from shopcare.services.returns.workflow import reject_return
from shopcare.ui.api import mount_api
from shopcare.ui.public import mount_public
from tests.adapters.carrier_server import CarrierServer
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.labels.label_servers import TRACKING, FakeEasyPost
from tests.services.labels.test_label_purchase import approved_return, set_up_labels


@pytest.fixture
async def site(shopcare: ShopCare, key: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API and the shopper's site on one app, as ShopCare serves them."""
    app = FastAPI()
    mount_api(app, shopcare)
    mount_public(app, shopcare)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC_URL) as http:
        yield http


async def test_a_returns_label_shows_in_the_api_with_a_link_to_its_file(
    shopcare: ShopCare,
    clock: FakeClock,
    carrier_server: CarrierServer,
    site: httpx.AsyncClient,
    key: str,
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    auth = {"Authorization": f"Bearer {key}"}

    async def label() -> dict:
        found = (await site.get(f"/api/v1/returns/{return_id}", headers=auth)).json()
        listed = (await site.get("/api/v1/returns", headers=auth)).json()["items"]
        assert listed == [found]
        return found["label"]

    due = await label()
    assert (due["status"], due["url"], due["cost_minor"]) == ("due", None, None)
    async with httpx.AsyncClient(timeout=5) as http:
        await buy_due_labels(shopcare.sessions, http, now=clock())
    bought = await label()
    assert {k: bought[k] for k in ("status", "provider", "carrier", "tracking_number")} == {
        "status": "bought", "provider": "easypost", "carrier": "USPS", "tracking_number": TRACKING,
    }  # fmt: skip
    assert (bought["cost_minor"], bought["currency"], bought["media_type"]) == (
        758, "USD", "application/pdf",
    )  # fmt: skip
    assert bought["url"].startswith(f"{PUBLIC_URL}/r/") and bought["url"].endswith("/label")
    file = await site.get(bought["url"])  # the token is the key: no API key sent
    assert (file.status_code, file.content) == (200, easypost.label)

    reject_return(shopcare.sessions, return_id, now=clock(), note="Cancelled, as you asked.")
    assert (await label())["url"] is None
    assert (await site.get(bought["url"])).status_code == 404


async def test_a_return_without_a_label_says_null(
    shopcare: ShopCare, clock: FakeClock, api: httpx.AsyncClient
) -> None:
    return_id = approved_return(shopcare, clock)  # no label account set up
    found = (await api.get(f"/returns/{return_id}")).json()
    assert found["label"] is None
    document = (await api.get("/openapi.json")).json()
    schema = document["components"]["schemas"]
    assert "label" in schema["Return"]["properties"]
    assert {"status", "carrier", "tracking_number", "cost_minor", "url"} <= set(
        schema["ReturnLabel"]["properties"]
    )
