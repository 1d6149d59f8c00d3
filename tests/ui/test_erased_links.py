"""Links to an erased shopper's order, return, feedback and emails (issue 15, §5): each lands
on a translated "no longer available" page (410), never the order and never an error; a link
that never existed is still "not found"."""

from __future__ import annotations

import httpx

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, Feedback, ReturnRequest, ShopOrder
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.privacy.erase import erase_shopper
from shopcare.services.shopper_site.account import sign_account_token
from tests.conftest import FakeClock


def erased_links(shopcare: ShopCare, clock: FakeClock) -> tuple[list[str], int]:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="1001", email="ada@example.com", placed_at=clock(),
            customer_name="Ada Lovelace", lines=[LineIn(title="Socks", quantity=1)],
        ),
        now=clock(), carriers=shopcare.carrier_names,
    )  # fmt: skip
    with transaction(shopcare.sessions) as session:
        stored = session.get(ShopOrder, order.id)
        assert stored is not None
        customer = session.get(Customer, stored.customer_id)
        assert customer is not None
        customer.unsubscribe_token = "unsub-ada"
        session.add(customer)
        session.add(Feedback(order_id=stored.id or 0, public_token="fb-ada", created_at=clock()))
        session.add(
            ReturnRequest(
                order_id=stored.id or 0, rma="R-ADA-1", public_token="ret-ada", created_at=clock()
            )
        )
        customer_id = customer.id or 0
    links = [
        f"/t/{order.public_token}",
        f"/t/{order.public_token}/return",
        "/r/ret-ada",
        "/r/ret-ada/slip.pdf",
        "/feedback/fb-ada",
        "/unsubscribe/unsub-ada",
    ]
    erase_shopper(
        shopcare.sessions, "ada@example.com", data_dir=shopcare.settings.data_dir,
        mailbox_dir=shopcare.settings.mailbox_dir, secret=shopcare.settings.secret,
        actor="owner", now=clock(),
    )  # fmt: skip
    return links, customer_id


async def test_each_old_link_says_no_longer_available_in_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    links, _ = erased_links(shopcare, clock)
    for link in links:
        page = await client.get(link)
        assert page.status_code == 410, link
        assert "No longer available" in page.text and "Ada" not in page.text
        german = await client.get(link, headers={"Accept-Language": "de"})
        assert "Nicht mehr verfügbar" in german.text
    unknown = await client.get("/t/never-a-token")
    assert unknown.status_code == 404 and "Page not found" in unknown.text


async def test_an_open_account_link_of_the_erased_shopper_stops(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    _, customer_id = erased_links(shopcare, clock)
    token = sign_account_token(customer_id, issued_at=clock(), secret=shopcare.settings.secret)
    page = await client.get(f"/account/{token}")
    assert page.status_code == 404 and "Link not valid" in page.text
