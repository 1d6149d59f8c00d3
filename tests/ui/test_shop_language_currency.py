"""The shop's own languages and currency: shopper pages speak only the languages the shop
offers, fall back to the shop's language (not English) when nothing else names one of them,
and orders added by hand start in its currency."""

from __future__ import annotations

import re

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.domain.languages import SHIPPED
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile, update_profile
from tests.ui.admin_support import only, sign_in


async def test_the_lookup_page_speaks_the_shops_language_when_the_browser_names_none(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    plain = await client.get("/track", headers={"Accept-Language": ""})
    assert plain.headers["content-language"] == "en"
    update_profile(shopcare.sessions, default_language="de")
    german = await client.get("/track", headers={"Accept-Language": ""})
    assert german.headers["content-language"] == "de"
    french = await client.get("/track", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.headers["content-language"] == "fr"  # the shopper's own still wins
    japanese = await client.get("/track", headers={"Accept-Language": "ja"})
    assert japanese.headers["content-language"] == "de"  # not spoken: the shop's


async def test_a_shop_page_speaks_only_the_languages_the_shop_offers(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, languages=("en", "nl"), default_language="nl")
    page = await client.get("/track", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert page.headers["content-language"] == "nl"  # German is shipped, not offered
    assert '<html lang="nl">' in page.text
    assert "Bestelnummer" in page.text and "Bestellnummer" not in page.text
    switcher = re.findall(r'href="/track\?lang=(\w+)"', page.text)
    assert switcher == ["en", "nl"]
    english = await client.get("/track", headers={"Accept-Language": "de;q=0.9, en;q=0.5"})
    assert english.headers["content-language"] == "en"  # the next one the browser names
    asked = await client.get("/track?lang=de", headers={"Accept-Language": "fr"})
    assert asked.headers["content-language"] == "nl"  # an old switcher link: the fallback


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "EURO"}, "the currency must be a code such as EUR"),
        ({"default_language": "ja"}, "no shopper pages in 'ja'"),
        ({"languages": ()}, "at least one language"),
        ({"languages": ("de", "xx")}, "no shopper pages in 'xx'"),
        ({"languages": ("de", "nl")}, "fallback language 'en' must be one the shop offers"),
    ],
)
def test_a_currency_or_language_shopcare_cannot_use_is_refused(
    shopcare: ShopCare, change: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        update_profile(shopcare.sessions, **change)


@pytest.mark.usefixtures("admin_data_dir")
async def test_an_order_added_by_hand_starts_in_the_shops_currency(user: User) -> None:
    app = build(load_settings())
    update_profile(app.sessions, currency="CHF")
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/orders/new")
    assert only(user, ui.select, "currency").value == "CHF"


@pytest.mark.usefixtures("admin_data_dir")
@pytest.mark.parametrize("page", ["/admin/shop", "/admin/start"])  # settings, setup's Shop step
async def test_the_owner_chooses_the_languages_the_shop_offers(user: User, page: str) -> None:
    await sign_in(user)
    await user.open(page)
    boxes = {code: only(user, ui.checkbox, f"shop-offers-{code}") for code in SHIPPED}
    assert all(box.value for box in boxes.values())  # every shipped language, at first
    for code in ("de", "fr", "es", "ar"):
        boxes[code].set_value(False)
    only(user, ui.select, "shop-language").set_value("nl")
    user.find(marker="save-shop").click()
    assert user.notify.contains("Shop details saved")
    assert stored_languages() == (("en", "nl"), "nl")

    boxes["nl"].set_value(False)  # the fallback itself
    user.find(marker="save-shop").click()
    assert user.notify.contains("the fallback language 'nl' must be one the shop offers")
    boxes["en"].set_value(False)
    user.find(marker="save-shop").click()
    assert user.notify.contains("offer shoppers at least one language")
    assert stored_languages() == (("en", "nl"), "nl")
    await user.open(page)
    ticked = [code for code in SHIPPED if only(user, ui.checkbox, f"shop-offers-{code}").value]
    assert ticked == ["en", "nl"]


def stored_languages() -> tuple[tuple[str, ...], str]:
    app = build(load_settings())
    try:
        profile = get_profile(app.sessions)
    finally:
        app.engine.dispose()
    return profile.languages, profile.default_language
