"""Offers on the shopper's pages over HTTP: the banner and the product card, the counted click
(never an open redirect), and the thank-you page."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from markupsafe import escape
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import PageView
from shopcare.domain.segments import segment_from_rules
from shopcare.services.offers.admin import OfferIn, create_offer, get_offer
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.ui.public import mount_public
from tests.conftest import PUBLIC_URL
from tests.services.helpers import make_order

HOSTILE = '<script>alert("x")</script> & "quotes"'


def add(shopcare: ShopCare, **values: Any) -> int:
    rules = values.pop("rules", {})
    data = OfferIn(
        name=values.pop("name", "Autumn"),
        title=values.pop("title", "Autumn sale"),
        link_url=values.pop("link_url", "https://shop.example/sale"),
        segment=segment_from_rules(rules),
        **values,
    )
    return create_offer(shopcare.sessions, data, now=shopcare.clock())


def kinds(shopcare: ShopCare) -> list[str]:
    flush_views(shopcare.sessions)  # views are counted in memory and written in batches
    with shopcare.sessions() as session:
        return [v.kind for v in session.exec(select(PageView))]


def offer_links(page: str) -> list[str]:
    return re.findall(r'<a class="button offer-link" href="([^"]+)"', page)


async def test_the_tracking_page_shows_the_banner_with_a_counted_link(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare, body="Ten percent off\nuntil Sunday", button="Shop the sale")
    page = await client.get(f"/t/{order.public_token}")
    assert page.status_code == 200
    assert '<h2 id="offer-title" dir="auto">Autumn sale</h2>' in page.text
    assert "Ten percent off\nuntil Sunday" in page.text
    assert offer_links(page.text) == [f"/o/{offer_id}/{order.public_token}"]
    assert ">Shop the sale</a>" in page.text
    assert kinds(shopcare) == ["tracking_view", "offer_view"]


async def test_no_offer_no_banner(shopcare: ShopCare, client: httpx.AsyncClient) -> None:
    order = make_order(shopcare)
    add(shopcare, rules={"countries": ["FR"]})
    page = await client.get(f"/t/{order.public_token}")
    assert page.status_code == 200
    assert "offer-link" not in page.text
    assert kinds(shopcare) == ["tracking_view"]


async def test_the_owners_words_are_escaped(shopcare: ShopCare, client: httpx.AsyncClient) -> None:
    order = make_order(shopcare)
    add(shopcare, title=HOSTILE, body=HOSTILE, button=HOSTILE)
    page = await client.get(f"/t/{order.public_token}")
    assert "<script>" not in page.text
    assert page.text.count(str(escape(HOSTILE))) == 3


async def test_a_product_card_shows_image_price_and_button(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    add(
        shopcare,
        kind="product",
        title="Pour-over set",
        body="49.00 EUR",
        image_url="https://cdn.shop.example/pour.jpg",
        rules={"skus": ["MUG"]},
    )
    page = (await client.get(f"/t/{order.public_token}?lang=de")).text
    assert "Empfehlung für Sie" in page
    assert '<img src="https://cdn.shop.example/pour.jpg" alt="Pour-over set"' in page
    assert '<p class="offer-price"' in page and "49.00 EUR" in page
    assert ">Produkt ansehen</a>" in page  # no button text given: ours, translated


async def test_a_click_is_counted_and_redirects_to_the_stored_link(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare, link_url="https://shop.example/sale?utm=tracking")
    answer = await client.get(f"/o/{offer_id}/{order.public_token}?next=https://evil.example")
    assert answer.status_code == 303
    assert answer.headers["location"] == "https://shop.example/sale?utm=tracking"
    assert answer.headers["referrer-policy"] == "no-referrer"
    row = get_offer(shopcare.sessions, offer_id)
    assert row is not None and row.clicks == 1
    assert kinds(shopcare) == ["offer_click"]


async def test_a_click_on_something_unknown_is_the_404_page(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare)
    for path in (
        f"/o/{offer_id}/not-a-token",
        f"/o/{offer_id + 1}/{order.public_token}",
        f"/o/x1/{order.public_token}",
        f"/o/99999999999999999999/{order.public_token}",
        f"/o/-1/{order.public_token}",
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert "Page not found" in answer.text
        assert "location" not in answer.headers
    assert kinds(shopcare) == []


async def test_the_thank_you_page(shopcare: ShopCare, client: httpx.AsyncClient) -> None:
    order = make_order(shopcare, name='Anna <b>"Schmidt"</b>')
    offer_id = add(shopcare, title="Your next coffee")
    page = await client.get(f"/thanks/{order.public_token}")
    assert page.status_code == 200
    assert "Thank you, Anna &lt;b&gt;&#34;Schmidt&#34;&lt;/b&gt;!" in page.text
    assert "We have received your order 1001." in page.text
    assert "A confirmation email is on its way to you." in page.text
    assert f'href="/t/{order.public_token}"' in page.text
    assert "Ceramic mug" in page.text and "48.50 EUR" in page.text
    assert offer_links(page.text) == [f"/o/{offer_id}/{order.public_token}"]
    assert kinds(shopcare) == ["thanks_view", "offer_view"]
    assert "<script" not in page.text


async def test_the_thank_you_page_in_the_shoppers_language(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    page = await client.get(f"/thanks/{order.public_token}?lang=fr")
    assert "Merci, Anna Schmidt !" in page.text
    assert "Nous avons bien reçu votre commande 1001." in page.text
    assert "Et ensuite ?" in page.text


async def test_an_unknown_thank_you_token_is_the_404_page(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    answer = await client.get("/thanks/not-a-token")
    assert answer.status_code == 404
    assert "Page not found" in answer.text
    assert kinds(shopcare) == []


async def test_links_keep_the_sites_path_prefix(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare)
    app = FastAPI()
    mount_public(app, shopcare)
    transport = httpx.ASGITransport(app, root_path="/shop")
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        page = (await http.get(f"/thanks/{order.public_token}")).text
    assert offer_links(page) == [f"/shop/o/{offer_id}/{order.public_token}"]
    assert f'href="/shop/t/{order.public_token}"' in page
