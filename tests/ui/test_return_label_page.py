"""The shopper's return page links the prepaid label and serves it; the German page says so in
German."""

from __future__ import annotations

import httpx
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, ReturnRequest
from shopcare.services.returns.labels.purchase import buy_due_labels
from shopcare.services.returns.workflow import reject_return
from tests.adapters.carrier_server import CarrierServer
from tests.conftest import FakeClock
from tests.services.labels.label_servers import FakeEasyPost
from tests.services.labels.test_label_purchase import approved_return, set_up_labels


async def test_the_return_page_links_the_prepaid_label_until_the_return_is_cancelled(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, client: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    with transaction(shopcare.sessions) as session:
        request = session.get(ReturnRequest, return_id)
        assert request is not None
        token = request.public_token
        for customer in session.exec(select(Customer)).all():
            customer.locale = "de"
            session.add(customer)
    page = await client.get(f"/r/{token}")
    assert f"/r/{token}/label" not in page.text  # not bought yet
    async with httpx.AsyncClient(timeout=5) as http:
        await buy_due_labels(shopcare.sessions, http, now=clock())
    page = await client.get(f"/r/{token}")
    assert f"/r/{token}/label" in page.text
    assert "Frankiertes Rücksendeetikett" in page.text
    label = await client.get(f"/r/{token}/label")
    assert label.status_code == 200 and label.headers["content-type"] == "application/pdf"
    assert label.content == easypost.label
    reject_return(shopcare.sessions, return_id, now=clock(), note="Cancelled, as you asked.")
    assert (await client.get(f"/r/{token}/label")).status_code == 404
