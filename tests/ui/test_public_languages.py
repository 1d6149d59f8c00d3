"""The shopper pages in the shopper's language: the switcher, the order's language, the
browser's ``Accept-Language``, English otherwise; and a translation for every text."""

from __future__ import annotations

import re

import httpx
from babel.messages.extract import extract

from shopcare.app import ShopCare
from shopcare.catalogs import read_catalog
from shopcare.notify.render import SUPPORTED_LOCALES
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.returns.requests import REASONS
from shopcare.services.shop.profile import update_profile
from shopcare.ui.public.templating import (
    LANGUAGE_NAMES,
    TEMPLATES,
    accept_language,
    environment,
)
from tests.conftest import FakeClock

PUBLIC_CODE = TEMPLATES.parent


def place_order(shopcare: ShopCare, clock: FakeClock, *, locale: str = "en") -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="2001",
            email="saskia@example.com",
            placed_at=clock(),
            customer_name="Saskia",
            ship_postcode="1012 AB",
            lines=[LineIn(title="Wool socks", quantity=1, unit_price_minor=1500)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100002")],
            locale=locale,
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    return order.public_token


async def test_the_browser_language_picks_german(client: httpx.AsyncClient) -> None:
    page = await client.get("/track", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert "Bestellnummer" in page.text
    assert "Meine Bestellung anzeigen" in page.text
    assert "Show my order" not in page.text
    assert page.headers["content-language"] == "de"


async def test_the_switcher_overrides_the_browser(client: httpx.AsyncClient) -> None:
    page = await client.get("/track?lang=fr", headers={"Accept-Language": "de"})
    assert '<html lang="fr">' in page.text
    assert "Numéro de commande" in page.text
    assert "Bestellnummer" not in page.text


def test_the_pages_offer_the_languages_of_the_emails() -> None:
    assert tuple(LANGUAGE_NAMES) == SUPPORTED_LOCALES


async def test_q_values_rank_the_browser_languages() -> None:
    assert accept_language("pt-BR, pt;q=0.9, es;q=0.4, nl;q=0.7") == "nl"
    assert accept_language("de;q=0, fr") == "fr"
    assert accept_language("*") is None
    assert accept_language("NL-be") == "nl"


async def test_an_unsupported_browser_language_gets_english(client: httpx.AsyncClient) -> None:
    page = await client.get("/track", headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Show my order" in page.text


async def test_the_order_page_speaks_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock, locale="nl")
    page = await client.get(f"/t/{token}")
    assert '<html lang="nl">' in page.text
    assert "Bestelling 2001" in page.text
    assert "Hallo Saskia, hier zie je waar je bestelling is." in page.text
    assert "Een probleem melden" in page.text
    # the switcher still wins over the order's language
    english = await client.get(f"/t/{token}?lang=en", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in english.text
    assert "Report a problem" in english.text


async def test_the_switcher_links_to_the_same_page_in_every_language(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/returns?lang=es")).text
    for code in SUPPORTED_LOCALES:
        assert f'href="/returns?lang={code}"' in html
    assert re.search(r'href="/returns\?lang=es"[^>]*aria-current="true"', html)
    assert html.count('aria-current="true"') == 1
    assert "<script" not in html


async def test_dates_are_written_the_german_way(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, name="Sock Shop", timezone="Europe/Berlin")
    token = place_order(shopcare, clock, locale="de")
    clock.advance(hours=25)
    await shopcare.poll_once()

    html = (await client.get(f"/t/{token}")).text
    assert "Bestellt am 2. Nov. 2026" in html
    assert "2. Nov. 2026, 10:00" in html  # 09:00 UTC, in Berlin time
    march = environment("de").from_string("{{ d|date }}").render(d=clock().replace(month=3))
    assert march == "3. März 2026"


def public_msgids() -> set[str]:
    """Every text the shopper pages pass through ``_()``: the templates' literals, the
    ``N_()`` words of the Python code, and the return reasons shown with ``_(label)``."""
    env = environment("en")
    wanted: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        for _line, _function, message in env.extract_translations(  # type: ignore[attr-defined]
            path.read_text("utf-8")
        ):
            first = message if isinstance(message, str) else message[0] if message else None
            if isinstance(first, str):  # None for _(title) and the like: N_() words below
                wanted.add(first)
    for path in PUBLIC_CODE.glob("*.py"):
        with path.open("rb") as code:
            for _line, message, _comments, _context in extract(
                "python", code, keywords={"N_": None}
            ):
                if isinstance(message, str):
                    wanted.add(message)
    return wanted | set(REASONS.values())


def test_every_public_page_text_is_translated_in_every_catalog() -> None:
    wanted = public_msgids()
    assert {"Track your order", "Start a return", "Waiting for the carrier", "Language"} <= wanted
    for locale in SUPPORTED_LOCALES[1:]:
        catalog = read_catalog(locale)
        missing = sorted(m for m in wanted if m not in catalog or not catalog[m].string)
        assert missing == [], locale
        for msgid in wanted:
            placeholders = sorted(re.findall(r"%\((\w+)\)s", msgid))
            assert sorted(re.findall(r"%\((\w+)\)s", str(catalog[msgid].string))) == placeholders


async def test_the_return_page_speaks_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    from shopcare.services.returns.requests import open_return, returnable_lines

    token = place_order(shopcare, clock, locale="nl")
    line = next(iter(returnable_lines(shopcare.sessions, token) or {}))
    return_token = open_return(
        shopcare.sessions, order_token=token, quantities={line: 1}, reason="too_small", now=clock()
    )
    page = await client.get(f"/r/{return_token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text


async def test_an_arabic_browser_gets_the_site_right_to_left(client: httpx.AsyncClient) -> None:
    page = await client.get("/track", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "رقم الطلب" in page.text and "Order number" not in page.text
    assert "text-align:start" in page.text
