"""The shop's own language and currency: shopper pages fall back to the shop's language
(not English) when nothing else names one, and orders added by hand start in its currency."""

from __future__ import annotations

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import update_profile
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "EURO"}, "the currency must be a code such as EUR"),
        ({"default_language": "ja"}, "no shopper pages in 'ja'"),
    ],
)
def test_a_currency_or_language_shopcare_cannot_use_is_refused(
    shopcare: ShopCare, change: dict[str, str], message: str
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
