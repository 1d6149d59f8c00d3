"""The returns portal: verify, choose items, get an RMA and a printable slip."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import ReturnRequest
from shopcare.services.orders import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.views import order_view_by_token
from tests.conftest import FakeClock
from tests.ui.forms import signed

RMA = re.compile(r"R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture
async def order_token(shopcare: ShopCare, clock: FakeClock) -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="2002",
            email="grace@example.com",
            placed_at=clock(),
            customer_name="Grace Hopper",
            ship_postcode="94105",
            lines=[
                LineIn(title="Linen shirt", quantity=2, unit_price_minor=4900),
                LineIn(title="Canvas tote", quantity=1, unit_price_minor=1900),
            ],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100001")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    clock.advance(hours=50)
    await shopcare.poll_once()
    return order.public_token


def line_ids(shopcare: ShopCare, token: str) -> dict[str, int]:
    order = order_view_by_token(shopcare.sessions, token)
    assert order is not None
    return {line.title: line.id for line in order.lines}


def return_count(shopcare: ShopCare) -> int:
    with shopcare.sessions() as session:
        return len(session.exec(select(ReturnRequest)).all())


async def test_a_shopper_returns_items_and_prints_the_slip(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    verified = await client.post(
        "/returns", data=signed(shopcare, {"order_number": "2002", "contact": "94105"})
    )
    assert verified.status_code == 303
    form_url = verified.headers["location"]
    assert form_url == f"/t/{order_token}/return"

    form = await client.get(form_url)
    assert form.status_code == 200
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    assert f'<label for="qty_{shirt}">Linen shirt</label>' in form.text
    assert '<option value="2">2</option>' in form.text
    assert "Arrived damaged" in form.text

    sent = await client.post(
        form_url,
        data=signed(
            shopcare,
            {f"qty_{shirt}": "1", f"qty_{tote}": "1", "reason": "too_small", "comment": "Snug"},
        ),
    )
    assert sent.status_code == 303
    status_url = sent.headers["location"]
    assert status_url.startswith("/r/")

    status = await client.get(status_url)
    assert status.status_code == 200
    match = RMA.search(status.text)
    assert match is not None
    rma = match.group()
    assert "1 × Linen shirt" in status.text
    assert "1 × Canvas tote" in status.text
    assert "Too small" in status.text
    assert "4 Nov 2026" in status.text  # created after the parcel arrived
    assert f'href="{status_url}/slip.pdf"' in status.text

    slip = await client.get(f"{status_url}/slip.pdf")
    assert slip.status_code == 200
    assert slip.headers["content-type"] == "application/pdf"
    assert slip.headers["content-disposition"] == f'inline; filename="return-{rma}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(slip.content)).pages)
    assert rma in text
    assert "Linen shirt" in text
    assert "Canvas tote" in text


async def test_returns_lookup_with_wrong_details_gives_the_neutral_message(
    order_token: str, client: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    answer = await client.post(
        "/returns", data=signed(shopcare, {"order_number": "2002", "contact": "00000"})
    )

    assert answer.status_code == 200
    assert "We could not find an order with these details." in answer.text
    assert '<form method="post" action="/returns">' in answer.text


async def test_returning_more_than_ordered_is_refused_and_creates_nothing(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    shirt = line_ids(shopcare, order_token)["Linen shirt"]

    answer = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{shirt}": "3", "reason": "too_small"}),
    )

    assert answer.status_code == 400
    assert "At most 2 of one item can be returned." in answer.text
    assert 'role="alert"' in answer.text
    assert return_count(shopcare) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "too_small"}, "Choose at least one item to return."),
        ({"qty_{shirt}": "1"}, "Choose a reason for the return."),
        ({"qty_{shirt}": "lots", "reason": "too_small"}, "Choose the quantities from the lists."),
    ],
)
async def test_an_incomplete_return_request_is_shown_again_with_the_reason(
    shopcare: ShopCare,
    order_token: str,
    client: httpx.AsyncClient,
    fields: dict[str, str],
    message: str,
) -> None:
    shirt = line_ids(shopcare, order_token)["Linen shirt"]
    data = {name.format(shirt=shirt): value for name, value in fields.items()}

    answer = await client.post(f"/t/{order_token}/return", data=signed(shopcare, data))

    assert answer.status_code == 400
    assert message in answer.text
    assert return_count(shopcare) == 0


async def test_returned_lines_are_not_offered_again(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    first = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", "reason": "changed_mind"}),
    )
    assert first.status_code == 303

    form = await client.get(f"/t/{order_token}/return")
    assert f'name="qty_{tote}"' not in form.text
    assert f'name="qty_{shirt}"' in form.text

    again = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", "reason": "changed_mind"}),
    )
    assert again.status_code == 400
    assert "One of the items cannot be returned any more." in again.text
    assert return_count(shopcare) == 1


async def test_a_fully_returned_order_offers_nothing_more(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    everything = {
        f"qty_{line}": str(qty) for line, qty in ((ids["Linen shirt"], 2), (ids["Canvas tote"], 1))
    }
    await client.post(
        f"/t/{order_token}/return", data=signed(shopcare, {**everything, "reason": "too_large"})
    )

    form = await client.get(f"/t/{order_token}/return")

    assert "All items of this order have been returned already." in form.text
    assert "<select" not in form.text
    tracking = await client.get(f"/t/{order_token}")
    assert RMA.search(tracking.text)


@pytest.mark.parametrize("path", ["/r/nope", "/r/nope/slip.pdf", "/t/nope/return"])
async def test_unknown_return_links_give_a_friendly_404(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Page not found" in answer.text


async def test_posting_a_return_for_an_unknown_order_gives_404(
    client: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    answer = await client.post(
        "/t/nope/return", data=signed(shopcare, {"qty_1": "1", "reason": "too_small"})
    )

    assert answer.status_code == 404
