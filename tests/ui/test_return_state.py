"""A return's page and its slip follow the return's real state (issue 12, §3): while the shop
has not decided, the shopper reads that the request is being reviewed and gets no slip;
once approved (by the owner or at once by the policy) the slip and the way back appear."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OrderLine, ReturnRequest
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.returns.policy import update_policy
from shopcare.services.returns.requests import open_return
from shopcare.services.returns.workflow import approve_return, reject_return
from tests.conftest import FakeClock
from tests.ui.forms import signed


def place_order(shopcare: ShopCare, clock: FakeClock, *, locale: str = "en") -> tuple[str, int]:
    """An order of one tote; its token and the tote's line id."""
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="3003",
            email="ada@example.com",
            placed_at=clock(),
            customer_name="Ada Lovelace",
            ship_postcode="10115",
            lines=[LineIn(title="Canvas tote", quantity=1, unit_price_minor=1900)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100003")],
            locale=locale,
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    with shopcare.sessions() as session:
        line_id = session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id)).one()
    assert line_id is not None
    return order.public_token, line_id


@pytest.fixture
def requested(shopcare: ShopCare, clock: FakeClock) -> str:
    """The status page of a return the owner has not decided on yet."""
    token, line = place_order(shopcare, clock)
    return_token = open_return(
        shopcare.sessions, order_token=token, quantities={line: 1}, reason="too_small", now=clock()
    )
    return f"/r/{return_token}"


def return_id(shopcare: ShopCare, status_url: str) -> int:
    token = status_url.removeprefix("/r/")
    with shopcare.sessions() as session:
        found = session.exec(select(ReturnRequest.id).where(ReturnRequest.public_token == token))
        number = found.one()
    assert number is not None
    return number


def current_step(html: str) -> str:
    found = re.findall(r'<li class="current" aria-current="step">([^<]+?) <span', html)
    assert len(found) == 1, found
    return str(found[0])


async def test_a_requested_return_is_under_review_and_offers_no_slip(
    requested: str, client: httpx.AsyncClient
) -> None:
    page = await client.get(requested)

    assert page.status_code == 200
    assert current_step(page.text) == "Under review"
    assert "We will review your request and let you know by email." in page.text
    assert "Approved" not in page.text
    assert "slip.pdf" not in page.text
    assert "Print the return slip" not in page.text
    assert "send the items back" not in page.text.lower()
    assert f'action="{requested}/tracking"' not in page.text


async def test_an_approved_return_offers_the_slip_and_the_way_back(
    shopcare: ShopCare, clock: FakeClock, requested: str, client: httpx.AsyncClient
) -> None:
    approve_return(shopcare.sessions, return_id(shopcare, requested), now=clock())

    page = await client.get(requested)

    assert re.search(r'<li class="done">Approved <span class="sr">', page.text)
    assert current_step(page.text) == "Send the items back"
    assert "Approved: please send the items back with the return slip." in page.text
    assert f'href="{requested}/slip.pdf"' in page.text
    assert f'action="{requested}/tracking"' in page.text
    slip = await client.get(f"{requested}/slip.pdf")
    assert slip.status_code == 200
    assert slip.headers["content-type"] == "application/pdf"


async def test_the_slip_of_a_return_not_yet_approved_is_a_friendly_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, line = place_order(shopcare, clock, locale="de")
    return_token = open_return(
        shopcare.sessions, order_token=token, quantities={line: 1}, reason="too_small", now=clock()
    )

    slip = await client.get(f"/r/{return_token}/slip.pdf")

    assert slip.status_code == 409
    assert slip.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in slip.text
    assert "Der Rücksendeschein ist noch nicht bereit" in slip.text
    assert f'href="/r/{return_token}"' in slip.text
    assert "%PDF" not in slip.text


async def test_a_rejected_return_has_no_slip(
    shopcare: ShopCare, clock: FakeClock, requested: str, client: httpx.AsyncClient
) -> None:
    reject_return(
        shopcare.sessions, return_id(shopcare, requested), now=clock(), note="Worn items."
    )

    page = await client.get(requested)
    slip = await client.get(f"{requested}/slip.pdf")

    assert re.search(r'<li class="problem" aria-current="step">Not accepted <span', page.text)
    assert "slip.pdf" not in page.text
    assert slip.status_code == 409
    assert "This return was not accepted, so there is nothing to send back." in slip.text


async def test_an_auto_approved_return_shows_the_slip_on_its_first_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_policy(shopcare.sessions, auto_approve=True)
    token, line = place_order(shopcare, clock)
    clock.advance(hours=50)
    await shopcare.poll_once()  # delivered, so the return window is open

    sent = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {f"qty_{line}": "1", f"reason_{line}": "too_small"}),
    )
    assert sent.status_code == 303
    status_url = sent.headers["location"]
    page = await client.get(status_url)

    assert current_step(page.text) == "Send the items back"
    assert f'href="{status_url}/slip.pdf"' in page.text
    slip = await client.get(f"{status_url}/slip.pdf")
    assert slip.status_code == 200
    assert slip.content.startswith(b"%PDF")
