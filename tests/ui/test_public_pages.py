"""The shopper's tracking page and order lookup, over real HTTP in-process."""

from __future__ import annotations

import httpx
import pytest

from shopcare.app import ShopCare
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.shop.profile import update_profile
from shopcare.ui.public.lookup import LOOKUP_LIMIT
from shopcare.ui.public.words import STATUS_WORDS
from tests.conftest import FakeClock
from tests.ui.forms import signed

HOSTILE = "<script>alert(1)</script>"


def place_order(
    shopcare: ShopCare,
    clock: FakeClock,
    *,
    number: str = "1001",
    name: str = "Ada Lovelace",
    title: str = "Wool socks",
) -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number=number,
            email="ada@example.com",
            placed_at=clock(),
            customer_name=name,
            ship_postcode="10115 AB",
            lines=[LineIn(title=title, quantity=2, unit_price_minor=1500)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100001")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    return order.public_token


async def test_tracking_page_shows_order_items_status_and_timeline(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, name="Sock Shop", timezone="Europe/Berlin")
    token = place_order(shopcare, clock)
    clock.advance(hours=25)
    await shopcare.poll_once()

    page = await client.get(f"/t/{token}")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html
    assert "Sock Shop" in html
    assert "Order 1001" in html
    assert "2 × <bdi>Wool socks</bdi>" in html  # isolated: an English title reads right in Arabic
    assert "On its way" in html  # in_transit in words
    assert "Arrived at sorting centre" in html
    assert "Leipzig, DE" in html
    assert "2 Nov 2026, 10:00" in html  # 09:00 UTC label event, shown in Berlin time
    assert html.index("Arrived at sorting centre") < html.index("Shipping label created")
    assert "help@shop.test" in html
    assert f'href="/t/{token}/return"' not in html  # nothing to send back while on its way


async def test_tracking_page_marks_steps_done_current_and_todo(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    clock.advance(hours=25)
    await shopcare.poll_once()

    html = (await client.get(f"/t/{token}")).text

    assert '<li class="done">Ordered <span class="sr">(done)</span>' in html
    assert '<li class="done">Shipped' in html
    assert '<li class="current" aria-current="step">In transit' in html
    assert '<li class="todo">Out for delivery' in html
    assert '<li class="todo">Delivered' in html


async def test_tracking_page_before_any_carrier_news_says_waiting(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)

    html = (await client.get(f"/t/{token}")).text

    assert "Waiting for the carrier" in html
    assert "The carrier has not reported anything yet." in html


def test_every_status_has_words_for_the_shopper() -> None:
    assert set(STATUS_WORDS) == set(ShipmentStatus)


async def test_unknown_token_gives_a_friendly_404_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/t/no-such-token")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    assert 'href="/track"' in page.text
    assert "Traceback" not in page.text


async def test_hostile_names_and_titles_are_shown_as_text(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock, name=HOSTILE, title=HOSTILE)

    page = await client.get(f"/t/{token}")

    assert page.status_code == 200
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert HOSTILE not in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # no scripts at all


async def test_pages_need_no_external_resources(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)

    for path in (f"/t/{token}", "/track", "/returns", f"/t/{token}/return"):
        html = (await client.get(path)).text
        assert '<meta name="viewport"' in html
        assert "<script" not in html
        assert "http://" not in html and "https://" not in html
        assert len(html) < 12_000


@pytest.mark.parametrize("contact", ["ada@example.com", " ADA@Example.com ", "10115ab"])
async def test_lookup_with_email_or_postcode_redirects_to_the_tracking_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient, contact: str
) -> None:
    token = place_order(shopcare, clock)

    answer = await client.post(
        "/track", data=signed(shopcare, {"order_number": "#1001", "contact": contact})
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/t/{token}"


async def test_lookup_form_has_labelled_fields(client: httpx.AsyncClient) -> None:
    html = (await client.get("/track")).text

    assert '<label for="order_number">' in html
    assert '<label for="contact">' in html
    assert '<form method="post" action="/track" id="lookup">' in html


async def test_wrong_email_and_unknown_order_get_the_same_answer(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    place_order(shopcare, clock)

    wrong_email = await client.post(
        "/track", data=signed(shopcare, {"order_number": "1001", "contact": "eve@example.com"})
    )
    unknown = await client.post(
        "/track", data=signed(shopcare, {"order_number": "9999", "contact": "ada@example.com"})
    )
    empty = await client.post("/track", data=signed(shopcare, {}))

    assert wrong_email.status_code == unknown.status_code == empty.status_code == 200
    assert "We could not find an order with these details." in wrong_email.text
    assert wrong_email.content == unknown.content == empty.content


async def test_lookup_is_refused_after_too_many_attempts(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    def guess(n: int) -> dict[str, str]:  # a different order number each time: the per-IP limit
        return {"order_number": str(1001 + n), "contact": "guess@example.com"}

    for n in range(LOOKUP_LIMIT):
        assert (await client.post("/track", data=signed(shopcare, guess(n)))).status_code == 200

    refused = await client.post("/returns", data=signed(shopcare, guess(LOOKUP_LIMIT)))

    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert "retry-after" in refused.headers
    clock.advance(minutes=11)
    again = await client.post("/track", data=signed(shopcare, guess(LOOKUP_LIMIT + 1)))
    assert again.status_code == 200
