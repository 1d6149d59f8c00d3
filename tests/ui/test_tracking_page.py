"""The shopper's tracking page, ``/t/{token}``: parcels, carrier links, estimate and lateness,
items with images, returns and feedback, Arabic right to left, a path prefix and https behind
a reverse proxy, and the page's weight. Over HTTP in-process, against a real SQLite store."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shopcare.app import ShopCare
from shopcare.config import ConfigError, load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Feedback, PageView, Shipment, TrackingEvent
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.returns.requests import open_return, returnable_lines
from shopcare.services.shop.profile import update_profile
from shopcare.services.shopper_site.feedback import record_feedback
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.ui.public import mount_public
from shopcare.ui.public.csrf import COOKIE
from tests.conftest import PUBLIC_URL, FakeClock

CARRIERS = ["simulated", "ups", "aftership", "dhl"]


def place_order(
    shopcare: ShopCare,
    clock: FakeClock,
    *,
    shipments: Sequence[ShipmentIn] = (ShipmentIn("simulated", "SIMOK100001"),),
    lines: Sequence[LineIn] = (LineIn(title="Wool socks", quantity=2, unit_price_minor=1500),),
    locale: str = "en",
    number: str = "1001",
) -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number=number,
            email="ada@example.com",
            placed_at=clock(),
            customer_name="Ada",
            lines=lines,
            shipments=shipments,
            locale=locale,
        ),
        now=clock(),
        carriers=CARRIERS,
    )
    return order.public_token


def change_shipment(shopcare: ShopCare, number: str, **values: Any) -> None:
    """What the tracking engine would have stored after polling."""
    with transaction(shopcare.sessions) as session:
        shipment = session.exec(select(Shipment).where(Shipment.tracking_number == number)).one()
        for name, value in values.items():
            setattr(shipment, name, value)
        session.add(shipment)


def add_events(shopcare: ShopCare, clock: FakeClock, number: str, count: int) -> None:
    with transaction(shopcare.sessions) as session:
        shipment = session.exec(select(Shipment).where(Shipment.tracking_number == number)).one()
        assert shipment.id is not None
        session.add_all(
            TrackingEvent(
                shipment_id=shipment.id,
                event_key=f"e{i}",
                occurred_at=clock() + timedelta(hours=i),
                status="in_transit",
                description=f"Departed from the sorting facility number {i} on its way to you",
                location="Frankfurt am Main, Hessen, DE",
                recorded_at=clock(),
            )
            for i in range(count)
        )


def parcels(html: str) -> list[str]:
    return re.findall(r'<section class="card parcel".*?</section>', html, flags=re.S)


async def test_every_parcel_has_its_own_section_with_its_carrier_and_link(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(
        shopcare,
        clock,
        shipments=[
            ShipmentIn("ups", "1Z999AA10123456784"),
            ShipmentIn("aftership", "JJD000390007827", carrier_code="dhl-express"),
            ShipmentIn("simulated", "SIMOK100001"),
        ],
    )

    html = (await client.get(f"/t/{token}")).text

    ups, dhl, simulated = parcels(html)
    assert "Parcel 1 of 3" in ups and "Parcel 3 of 3" in simulated
    assert (
        '<a class="carrier-link" href="https://www.ups.com/track?tracknum=1Z999AA10123456784"'
        in ups
    )
    assert "Follow it on the UPS website" in ups
    # tracked through an aggregator: the link and the name are those of the carrier behind it
    assert "DHL ·" in dhl and "AfterShip" not in dhl
    assert (
        'href="https://www.dhl.com/global-en/home/tracking.html?tracking-id=JJD000390007827"' in dhl
    )
    assert "carrier-link" not in simulated
    assert "Simulated carrier" in simulated


async def test_one_parcel_is_not_numbered(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    html = (await client.get(f"/t/{token}")).text
    assert len(parcels(html)) == 1
    assert "Parcel 1 of 1" not in html


async def test_the_estimate_is_shown_and_a_late_parcel_says_so_plainly(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, timezone="Europe/Berlin")
    token = place_order(shopcare, clock)
    # stored as the moment the estimate passes: the end of 5 November in Berlin
    end_of_day = clock().replace(day=5, hour=23, minute=0)
    change_shipment(shopcare, "SIMOK100001", status="in_transit", estimated_delivery=end_of_day)

    on_time = (await client.get(f"/t/{token}")).text
    assert '<p class="estimate">Expected by 5 Nov 2026</p>' in on_time
    assert 'class="late"' not in on_time

    change_shipment(shopcare, "SIMOK100001", delayed=True, stall_reason="estimate_passed")
    late = (await client.get(f"/t/{token}")).text
    assert re.search(r'<p class="late">Your parcel is later than expected, sorry', late)

    change_shipment(shopcare, "SIMOK100001", stall_reason="no_movement")
    quiet = (await client.get(f"/t/{token}")).text
    assert "has not reported any progress for a few days" in quiet

    change_shipment(shopcare, "SIMOK100001", status="delivered")
    delivered = (await client.get(f"/t/{token}")).text
    assert 'class="late"' not in delivered and 'class="estimate"' not in delivered


async def test_a_failed_attempt_and_a_pickup_are_named_on_the_step_where_they_happened(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    change_shipment(shopcare, "SIMOK100001", status="failed_attempt")
    html = (await client.get(f"/t/{token}")).text
    assert (
        '<li class="problem" aria-current="step">Out for delivery <span class="sr">(problem)</span>'
        '<span class="note">Delivery attempt failed</span></li>'
    ) in html

    change_shipment(shopcare, "SIMOK100001", status="available_for_pickup")
    html = (await client.get(f"/t/{token}")).text
    assert re.search(
        r'<li class="current"[^>]*>Out for delivery .*?<span class="note">Ready for pickup', html
    )

    change_shipment(shopcare, "SIMOK100001", status="exception")
    html = (await client.get(f"/t/{token}")).text
    assert re.search(
        r'<li class="problem"[^>]*>In transit .*?There is a problem with the delivery</span>', html
    )

    change_shipment(shopcare, "SIMOK100001", status="in_transit")
    assert 'class="note"' not in (await client.get(f"/t/{token}")).text


async def test_items_show_their_image_variant_and_alt_text(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(
        shopcare,
        clock,
        lines=[
            LineIn(
                title="Mug", variant="Sand / 300 ml", image_url="https://cdn.shop.example/mug.jpg"
            ),
            LineIn(title="Towel", image_url="http://cdn.shop.example/towel.jpg"),
            LineIn(title="Spoon", image_url="javascript:alert(1)"),
            LineIn(title="Fork", image_url="data:image/svg+xml,%3Csvg%3E%3C/svg%3E"),
        ],
    )

    page = await client.get(f"/t/{token}")

    assert (
        '<img src="https://cdn.shop.example/mug.jpg" alt="Mug" width="56" height="56"' in page.text
    )
    assert "Sand / 300 ml" in page.text
    assert '<img src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E" alt="Fork"' in page.text
    assert page.text.count("<img") == 2  # plain http (blocked) and script addresses are left out
    assert "javascript:" not in page.text
    # the product images' site is allowed, no other (issue 11, §7: there was a bare https:)
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' data: https://cdn.shop.example;" in policy
    assert "https:;" not in policy and "https: " not in policy


async def test_start_a_return_shows_only_while_something_can_be_returned(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    assert "Start a return" not in (await client.get(f"/t/{token}")).text  # still on its way
    change_shipment(shopcare, "SIMOK100001", status="delivered")
    assert f'href="/t/{token}/return"' in (await client.get(f"/t/{token}")).text

    quantities = returnable_lines(shopcare.sessions, token) or {}
    open_return(
        shopcare.sessions, order_token=token, quantities=quantities, reason="too_small", now=clock()
    )
    html = (await client.get(f"/t/{token}")).text
    assert "Start a return" not in html
    assert "/return" not in html.replace("/r/", "")


async def test_after_delivery_the_page_asks_for_feedback_until_it_is_given(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(
        shopcare,
        clock,
        shipments=[ShipmentIn("simulated", "SIMOK100001"), ShipmentIn("simulated", "SIMOK100002")],
    )
    change_shipment(shopcare, "SIMOK100001", status="delivered")
    assert "/feedback/" not in (await client.get(f"/t/{token}")).text  # one parcel still on its way
    with shopcare.sessions() as session:
        assert session.exec(select(Feedback)).all() == []

    change_shipment(shopcare, "SIMOK100002", status="delivered")
    html = (await client.get(f"/t/{token}")).text
    assert "How did we do?" in html
    assert f'href="/t/{token}/feedback"' in html  # viewing the page made no form yet
    with shopcare.sessions() as session:
        assert session.exec(select(Feedback)).all() == []
    prompt = await client.get(f"/t/{token}/feedback")
    with shopcare.sessions() as session:
        feedback = session.exec(select(Feedback)).one()
    assert prompt.status_code == 303
    assert prompt.headers["location"] == f"/feedback/{feedback.public_token}"
    assert (await client.get(f"/feedback/{feedback.public_token}")).status_code == 200
    again = (await client.get(f"/t/{token}")).text
    assert f'href="/feedback/{feedback.public_token}"' in again  # the same form, not a second one
    assert (await client.get("/t/no-such-order/feedback")).status_code == 404

    record_feedback(shopcare.sessions, feedback.public_token, score=9, now=clock())
    assert "/feedback/" not in (await client.get(f"/t/{token}")).text
    with shopcare.sessions() as session:
        assert len(session.exec(select(Feedback)).all()) == 1


async def test_the_page_shows_the_support_contact_and_default_questions(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    html = (await client.get(f"/t/{token}?lang=de")).text
    assert 'href="mailto:help@shop.test"' in html
    assert html.count("help@shop.test") == 2  # the link and its text, once
    assert "<details><summary>Wann kommt meine Bestellung an?</summary>" in html


async def test_an_arabic_shopper_reads_the_page_right_to_left(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock, locale="ar")

    page = await client.get(f"/t/{token}")

    assert '<html lang="ar" dir="rtl">' in page.text
    assert page.headers["content-language"] == "ar"
    assert "الطلب 1001" in page.text
    assert "مرحبًا Ada، إليك مكان طلبك الآن." in page.text
    assert "نوفمبر" in page.text  # the order date in Arabic month names
    assert 'hreflang="ar" lang="ar" aria-current="true">العربية</a>' in page.text
    assert "border-inline-start" in page.text and "border-left" not in page.text
    english = (await client.get(f"/t/{token}?lang=en")).text
    assert '<html lang="en">' in english and 'dir="rtl"' not in english


async def test_under_a_path_prefix_every_link_and_form_stays_under_it(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    token = place_order(shopcare, clock)
    change_shipment(shopcare, "SIMOK100001", status="delivered")
    app = FastAPI()
    mount_public(app, shopcare)
    transport = httpx.ASGITransport(app, root_path="/shop")
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        for path in (f"/shop/t/{token}", "/shop/track", "/shop/t/unknown-token"):
            page = await http.get(path)
            assert page.status_code in (200, 404), path
            targets = re.findall(r'(?:href|action)="([^"]*)"', page.text)
            local = [t for t in targets if not t.startswith(("https://", "mailto:", "data:"))]
            assert local, path
            assert all(t.startswith("/shop/") for t in local), (path, local)
        # the form cookie is sent back only under the prefix
        assert [c.path for c in http.cookies.jar if c.name == COOKIE] == ["/shop"]
        assert f'href="/shop/t/{token}/return"' in (await http.get(f"/shop/t/{token}")).text


async def proxied_cookie(shopcare: ShopCare, client_ip: str) -> str:
    """The CSRF cookie a first visit behind a TLS-terminating proxy gets (no cookie yet)."""
    app = FastAPI()
    mount_public(app, shopcare)
    trusted = shopcare.settings.proxy_options()["forwarded_allow_ips"]
    wrapped = ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    transport = httpx.ASGITransport(wrapped, client=(client_ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        page = await http.get("/track", headers={"X-Forwarded-Proto": "https"})
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    return cookie.lower()


async def test_https_at_a_trusted_proxy_makes_the_form_cookie_secure(
    shopcare: ShopCare,
) -> None:
    assert shopcare.settings.proxy_options()["proxy_headers"] is True
    assert "; secure" in await proxied_cookie(shopcare, "127.0.0.1")
    # anyone else claiming https is not believed
    assert "; secure" not in await proxied_cookie(shopcare, "203.0.113.9")


async def test_a_big_order_stays_under_100_kb(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    numbers = ["SIMOK100001", "SIMOK100002", "SIMOK100003"]
    token = place_order(
        shopcare,
        clock,
        shipments=[ShipmentIn("simulated", n) for n in numbers],
        lines=[
            LineIn(
                title=f"Hand-thrown stoneware coffee mug with speckled glaze, model {i}",
                variant="Colour: sand / Size: 350 ml",
                image_url=f"https://cdn.shop.example/products/mug-{i}-large-2048x2048.jpg",
                quantity=1 + i % 3,
                unit_price_minor=2400,
            )
            for i in range(10)
        ],
    )
    for number, count in zip(numbers, (14, 13, 13), strict=True):
        add_events(shopcare, clock, number, count)

    page = await client.get(f"/t/{token}")

    size = len(page.content)
    assert page.text.count("<time") == 40 and page.text.count("<img") == 10
    assert len(parcels(page.text)) == 3
    assert size < 100_000, size


def test_the_proxy_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {"SHOPCARE_ROOT_PATH": "track-app/", "SHOPCARE_FORWARDED_ALLOW_IPS": "10.0.0.1, ::1"}
    options = load_settings(env, data_dir=str(tmp_path)).proxy_options()
    assert options == {
        "root_path": "/track-app",
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.1,::1",
    }
    assert load_settings({}, data_dir=str(tmp_path)).proxy_options()["root_path"] == ""
    for name, bad in (("SHOPCARE_ROOT_PATH", "/a b"), ("SHOPCARE_FORWARDED_ALLOW_IPS", "proxy")):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: bad}, data_dir=str(tmp_path))


async def test_a_view_records_the_message_its_link_came_in_and_nothing_a_visitor_types(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    for query in ("?m=shipped", "?m=<script>", "?m=" + "x" * 500, "", "?lang=de&m=delayed"):
        assert (await client.get(f"/t/{token}{query}")).status_code == 200
    flush_views(shopcare.sessions)
    with shopcare.sessions() as session:
        came_from = session.exec(select(PageView.message_kind).order_by(col(PageView.id))).all()
    assert came_from == ["shipped", None, None, None, "delayed"]
