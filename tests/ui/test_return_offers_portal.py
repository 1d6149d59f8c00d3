"""The returns portal at the moment of choice: the figures of a refund (less the handling
fee) and of store credit (with its bonus), for every item or for the ones chosen, in the
shopper's language; the choice recorded on the return; other products in the exchange
picker."""

from __future__ import annotations

import html

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OrderLine, ReturnLine, ReturnRequest
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.orders.catalogue_editor import add_product
from shopcare.services.returns.offers import update_offers
from shopcare.services.returns.policy import update_policy
from tests.conftest import FakeClock
from tests.ui.forms import signed


def place(shopcare: ShopCare, clock: FakeClock, *, locale: str = "en") -> tuple[str, int, int]:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="6001",
            email="ines@example.com",
            placed_at=clock(),
            locale=locale,
            lines=[
                LineIn(title="Linen shirt", quantity=1, unit_price_minor=4000, sku="SHIRT"),
                LineIn(title="Canvas tote", quantity=1, unit_price_minor=2000, sku="TOTE"),
            ],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    with shopcare.sessions() as session:
        lines = {
            li.sku: li.id or 0
            for li in session.exec(select(OrderLine).where(OrderLine.order_id == order.id))
        }
    return order.public_token, lines["SHIRT"], lines["TOTE"]


def text(page: httpx.Response) -> str:
    return html.unescape(page.text)


@pytest.fixture
def bonus(shopcare: ShopCare) -> None:
    update_offers(shopcare.sessions, bonus_percent=10)


@pytest.mark.usefixtures("bonus")
async def test_the_form_shows_refund_or_credit_with_the_bonus_for_every_item(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, _shirt, _tote = place(shopcare, clock)
    page = await client.get(f"/t/{token}/return")
    assert page.status_code == 200
    body = text(page)
    assert "If you return every item:" in body
    assert "Refund 60.00 EUR or 66.00 EUR in store credit" in body
    assert "66.00 EUR in store credit, including a 6.00 EUR bonus" in body
    assert "plus a 6.00 EUR bonus in store credit" in body
    assert 'value="store_credit" aria-describedby="figure-store_credit"' in body


@pytest.mark.usefixtures("bonus")
async def test_update_the_amounts_shows_the_chosen_items_and_sends_nothing(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_policy(shopcare.sessions, restocking_percent=10)
    token, shirt, _tote = place(shopcare, clock)
    page = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {f"qty_{shirt}": "1", "resolution": "store_credit", "preview": "1"}),
    )
    assert page.status_code == 200
    body = text(page)
    assert "For the items you chose:" in body
    assert "Refund 36.00 EUR or 44.00 EUR in store credit" in body
    assert "36.00 EUR back to you, after a 4.00 EUR handling fee" in body
    assert 'value="store_credit" checked' in body  # the choice is kept
    with shopcare.sessions() as session:
        assert session.exec(select(ReturnRequest)).first() is None


@pytest.mark.usefixtures("bonus")
async def test_choosing_credit_records_the_bonus_and_the_status_page_shows_it(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_policy(shopcare.sessions, restocking_percent=10)
    token, shirt, _tote = place(shopcare, clock)
    sent = await client.post(
        f"/t/{token}/return",
        data=signed(
            shopcare,
            {f"qty_{shirt}": "1", f"reason_{shirt}": "too_small", "resolution": "store_credit"},
        ),
    )
    assert sent.status_code == 303
    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
    assert (request.resolution, request.bonus_minor, request.fee_minor) == (
        "store_credit", 400, 0,
    )  # fmt: skip
    status = text(await client.get(sent.headers["location"]))
    assert "Bonus in store credit</dt><dd>4.00 EUR" in status
    assert "Store credit" in status and "Fees taken off the refund" not in status


async def test_without_a_bonus_the_figures_say_so_plainly(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, _shirt, _tote = place(shopcare, clock)
    body = text(await client.get(f"/t/{token}/return"))
    assert "60.00 EUR back to you" in body and "60.00 EUR in store credit" in body
    assert "Refund 60.00 EUR or" not in body  # nothing to choose between
    assert "bonus" not in body


@pytest.mark.usefixtures("bonus")
async def test_the_figures_speak_german(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, _shirt, _tote = place(shopcare, clock, locale="de")
    body = text(await client.get(f"/t/{token}/return"))
    assert "Erstattung 60.00 EUR oder 66.00 EUR als Guthaben" in body
    assert "66.00 EUR als Guthaben, inklusive 6.00 EUR Bonus" in body


async def test_other_products_are_offered_and_the_choice_recorded(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_offers(shopcare.sessions, other_products=True, difference_limit_minor=1000)
    add_product(shopcare.sessions, sku="MUG", title="Ceramic mug", price_minor=3500, now=clock())
    token, shirt, _tote = place(shopcare, clock)
    body = text(await client.get(f"/t/{token}/return"))
    assert '<optgroup label="Other products">' in body
    assert "Ceramic mug, 35.00 EUR (5.00 EUR back in store credit)" in body
    sent = await client.post(
        f"/t/{token}/return",
        data=signed(
            shopcare,
            {
                f"qty_{shirt}": "1",
                f"reason_{shirt}": "too_small",
                f"exchange_{shirt}": "MUG",
                "resolution": "exchange",
            },
        ),
    )
    assert sent.status_code == 303
    with shopcare.sessions() as session:
        line = session.exec(select(ReturnLine)).one()
    assert (line.exchange_sku, line.exchange_credit_minor) == ("MUG", 500)
    status = text(await client.get(sent.headers["location"]))
    assert "In exchange for: Ceramic mug" in status
