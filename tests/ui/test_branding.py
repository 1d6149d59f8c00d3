"""The shop's look on the shopper pages: set in the admin, checked before it is stored (readable
colours, a plain font list, https links, CSS that stays inside its style element), shown on
every public page, and never a way to put markup on a page."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Setting
from shopcare.domain.branding import contrast_ratio, parse_faq, parse_links
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.shop.profile import get_profile, update_profile
from shopcare.services.shopper_site.branding import save_branding
from tests.conftest import FakeClock
from tests.ui.admin_support import only, sign_in

HOSTILE = "<script>alert(1)</script>"
ATTRIBUTE = '"onmouseover=alert(1) x="'


def place_order(shopcare: ShopCare, clock: FakeClock) -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="1001",
            email="ada@example.com",
            placed_at=clock(),
            lines=[LineIn(title="Wool socks")],
            shipments=[ShipmentIn("simulated", "SIMOK100001")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    return order.public_token


def branded(shopcare: ShopCare, **overrides: str | bool) -> None:
    form: dict[str, str | bool] = {
        "favicon_url": "https://bean.example/icon.png",
        "brand_color": "#8a4b2d",
        "button_text_color": "#ffffff",
        "text_color": "#222222",
        "background_color": "#fdf8f3",
        "font_stack": 'Georgia, "Times New Roman", serif',
        "header_links": "Shop https://bean.example\nBlog | https://bean.example/blog",
        "social_links": "Instagram https://instagram.com/bean",
        "footer_text": "Bean & Leaf GmbH · Musterstraße 1",
        "faq": "Do you roast to order?\nYes, every Monday.\n\nIs shipping free?\nFrom €40.",
        "custom_css": "h1{letter-spacing:.02em}\n.card{background:linear-gradient(#fff,#f5f5f5)}",
    }
    save_branding(shopcare.sessions, **{**form, **overrides})  # type: ignore[arg-type]


async def test_the_look_shows_on_every_public_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, logo_url="https://bean.example/logo.svg", name="Bean & Leaf")
    branded(shopcare)
    token = place_order(shopcare, clock)

    for path in (f"/t/{token}", "/track", "/returns", "/t/no-such-token"):
        response = await client.get(path)
        html = response.text
        # images from the logo's and the icon's site only, not from any https site
        policy = response.headers["content-security-policy"]
        assert "img-src 'self' data: https://bean.example;" in policy, path
        assert "--brand:#8a4b2d;--on-brand:#ffffff;--text:#222222;--bg:#fdf8f3" in html, path
        assert '--font:Georgia, "Times New Roman", serif' in html  # quotes kept inside <style>
        assert "h1{letter-spacing:.02em}" in html
        assert '<link rel="icon" href="https://bean.example/icon.png">' in html
        assert '<img src="https://bean.example/logo.svg" alt="Bean &amp; Leaf"' in html
        assert '<a href="https://bean.example/blog">Blog</a>' in html
        assert '<a href="https://instagram.com/bean" rel="me noopener">Instagram</a>' in html
        assert "Bean &amp; Leaf GmbH · Musterstraße 1" in html

    tracking = (await client.get(f"/t/{token}")).text
    assert "<details><summary>Do you roast to order?</summary>" in tracking
    assert "When will my order arrive?" not in tracking  # the owner's questions replace ours
    save_branding(shopcare.sessions, show_faq=False)
    assert "<details>" not in (await client.get(f"/t/{token}")).text


async def test_without_branding_the_page_asks_for_no_icon(client: httpx.AsyncClient) -> None:
    html = (await client.get("/track")).text
    assert '<link rel="icon" href="data:,">' in html
    assert "--brand:#2563eb" in html


async def test_a_brand_colour_too_light_for_text_leaves_links_in_the_text_colour(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    branded(shopcare, brand_color="#facc15", button_text_color="#111827")
    html = (await client.get("/track")).text
    assert "--brand:#facc15;--on-brand:#111827;--text:#222222;--bg:#fdf8f3;--link:#222222" in html


async def test_hostile_owner_texts_are_shown_as_text(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, name=HOSTILE)
    branded(
        shopcare,
        footer_text=HOSTILE + ATTRIBUTE,
        header_links=f"{HOSTILE} https://bean.example/a\n{ATTRIBUTE} https://bean.example/b",
        social_links=f"{ATTRIBUTE} https://bean.example/c",
        faq=f"{HOSTILE}?\n{ATTRIBUTE}",
    )
    token = place_order(shopcare, clock)

    html = (await client.get(f"/t/{token}")).text

    assert "<script" not in html
    assert "onmouseover=alert(1) x=" not in html.replace("&#34;onmouseover=alert(1) x=&#34;", "")
    assert (
        html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    )  # title, header, link, footer, FAQ


def test_a_link_address_with_a_quote_is_refused(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="must be a full https:// address"):
        branded(shopcare, social_links='X https://bean.example/"onmouseover=alert(1)')


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"button_text_color": "#ffffff", "brand_color": "#facc15"}, "contrast of 1.5:1"),
        ({"text_color": "#999999", "background_color": "#ffffff"}, "needs at least 4.5:1"),
        ({"brand_color": "red; background: url(x)"}, "must be a colour like #2563eb"),
        ({"font_stack": "Arial; } body { display:none"}, "only letters, digits, spaces"),
        ({"custom_css": "</style><script>alert(1)</script>"}, "may not contain </style"),
        ({"custom_css": "</STYLE >"}, "may not contain </style"),
        ({"custom_css": "@import 'https://evil.example/x.css';"}, "may not use @import"),
        ({"custom_css": "body{background:url(https://evil.example/x.png)}"}, "may not load"),
        ({"custom_css": "body{background:u\\72l( '//evil.example/x.png')}"}, "a backslash"),
        ({"custom_css": "input[value^=a]{color:red}"}, "may not use attribute selectors"),
        ({"custom_css": "a{b:expression(alert(1))}"}, "may not contain expression("),
        ({"custom_css": "a{}" * 7000}, "at most 20 KB"),
        ({"header_links": "Shop http://bean.example"}, "must be a full https:// address"),
        ({"header_links": "https://bean.example"}, "as a label, a space and the address"),
        ({"social_links": "\n".join(f"L{i} https://x.example/{i}" for i in range(9))}, "At most 8"),
        ({"favicon_url": "javascript:alert(1)"}, "icon address must be a full https://"),
        ({"faq": "A question without an answer"}, "has no answer below it"),
        ({"footer_text": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_unusable_branding_is_refused_with_what_to_change(
    shopcare: ShopCare, change: dict[str, str], message: str
) -> None:
    branded(shopcare)
    before = get_profile(shopcare.sessions)
    with pytest.raises(InputError, match=re.escape(message)):
        branded(shopcare, **change)
    assert get_profile(shopcare.sessions) == before


def test_the_shop_page_cannot_set_an_unreadable_brand_colour(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="Button text on the brand colour"):
        update_profile(shopcare.sessions, brand_color="#ffff00")
    update_profile(shopcare.sessions, name="Renamed")  # other fields save as before


async def test_css_stored_around_the_checks_still_cannot_leave_the_style_element(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    with transaction(shopcare.sessions) as session:
        session.merge(  # over the profile the fixture stored
            Setting(
                key="shop_profile",
                value=json.dumps(
                    {
                        "custom_css": "a{}</style><script>alert(1)</script>",
                        "font_stack": "x</style><script>alert(2)</script>",
                        "brand_color": "#fff;}</style><script>alert(3)</script>",
                    }
                ),
            )
        )
    html = (await client.get("/track")).text
    assert "<script" not in html
    assert html.count("</style>") == 2  # ours only
    assert "--brand:#2563eb" in html and "--font:system-ui" in html


def test_contrast_follows_wcag() -> None:
    assert round(contrast_ratio("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast_ratio("#2563eb", "#fff"), 2) == 5.17
    assert contrast_ratio("#777", "#fff") < 4.5 < contrast_ratio("#767676", "#fff")


def test_links_and_questions_are_read_from_plain_text() -> None:
    assert parse_links("Our blog | https://x.example/blog\n\nShop https://x.example", "links") == (
        ("Our blog", "https://x.example/blog"),
        ("Shop", "https://x.example"),
    )
    assert parse_faq("Q1?\nA1\nmore\n\n\nQ2?\r\nA2") == (("Q1?", "A1\nmore"), ("Q2?", "A2"))
    assert parse_faq("  ") == ()


@pytest.mark.usefixtures("admin_data_dir")
async def test_the_owner_sets_the_look_on_the_shop_page(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/shop")
    await user.should_see("Tracking page look")
    only(user, ui.color_input, "site-text-color").value = "#202020"
    user.find(marker="site-footer-text").type("Roasted in Berlin")
    user.find(marker="site-social-links").type("Instagram https://instagram.com/demo")
    user.find(marker="site-faq").type("Do you ship abroad?\nYes, across the EU.")
    user.find(marker="save-site-look").click()
    assert user.notify.contains("Look saved")

    only(user, ui.color_input, "site-background-color").value = "#303030"
    user.find(marker="save-site-look").click()
    assert user.notify.contains("Text on the background: #202020 on #303030")

    app = build(load_settings())
    profile = get_profile(app.sessions)
    app.engine.dispose()
    assert (profile.text_color, profile.background_color) == ("#202020", "#ffffff")
    assert profile.footer_text == "Roasted in Berlin"
    assert profile.social_links == (("Instagram", "https://instagram.com/demo"),)
    assert profile.faq == (("Do you ship abroad?", "Yes, across the EU."),)
