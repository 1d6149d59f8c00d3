"""Repeat views of the tracking page: a strong ETag and Last-Modified, ``304 Not Modified``
while the page would be the same, a full page as soon as anything it shows changes (a carrier
event, the language, the browser's CSRF cookie), and every 304 still counted as a view and
sent with the page's security headers. In-process over HTTP, against a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
from fastapi import FastAPI
from sqlmodel import col, func, select

from shopcare.app import ShopCare
from shopcare.db.models import PageView
from shopcare.services.shop.profile import update_profile
from shopcare.services.shopper_site.page_views import PageKind
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.ui.public import mount_public
from shopcare.ui.public.conditional import Validators, last_modified
from shopcare.ui.public.csrf import COOKIE
from tests.conftest import PUBLIC_URL, FakeClock
from tests.ui.test_tracking_page import add_events, change_shipment, place_order


def tracking_views(shopcare: ShopCare) -> int:
    flush_views(shopcare.sessions)
    with shopcare.sessions() as session:
        return session.exec(
            select(func.count()).where(col(PageView.kind) == PageKind.TRACKING_VIEW)
        ).one()


async def test_a_repeat_view_is_answered_304_with_the_page_headers_and_still_counted(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, logo_url="https://cdn.shop.example/logo.png")
    token = place_order(shopcare, clock)
    first = await client.get(f"/t/{token}")
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "private, no-cache"
    assert first.headers["vary"] == "Accept-Language, Cookie"

    again = await client.get(f"/t/{token}", headers={"If-None-Match": etag})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "private, no-cache"
    for name in ("content-security-policy", "referrer-policy", "x-content-type-options"):
        assert again.headers[name] == first.headers[name]
    assert "https://cdn.shop.example" in again.headers["content-security-policy"]
    assert "set-cookie" not in again.headers
    assert tracking_views(shopcare) == 2
    other = await client.get(f"/t/{token}", headers={"If-None-Match": '"other", W/' + etag})
    assert other.status_code == 304  # a list, and a weak tag compared weakly


async def test_a_new_carrier_event_changes_the_etag_and_brings_the_new_page(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    etag = (await client.get(f"/t/{token}")).headers["etag"]

    add_events(shopcare, clock, "SIMOK100001", 1)
    fresh = await client.get(f"/t/{token}", headers={"If-None-Match": etag})

    assert fresh.status_code == 200
    assert "sorting facility number 0" in fresh.text
    assert fresh.headers["etag"] != etag
    again = await client.get(f"/t/{token}", headers={"If-None-Match": fresh.headers["etag"]})
    assert again.status_code == 304


async def test_polling_that_finds_nothing_new_keeps_the_etag(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    etag = (await client.get(f"/t/{token}")).headers["etag"]

    change_shipment(
        shopcare, "SIMOK100001", last_polled_at=clock(), next_poll_at=clock() + timedelta(hours=1)
    )

    assert (await client.get(f"/t/{token}", headers={"If-None-Match": etag})).status_code == 304
    change_shipment(shopcare, "SIMOK100001", status="in_transit")
    assert (await client.get(f"/t/{token}", headers={"If-None-Match": etag})).status_code == 200


async def test_another_language_has_another_etag(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    english = await client.get(f"/t/{token}")
    etag = english.headers["etag"]

    german = await client.get(f"/t/{token}?lang=de", headers={"If-None-Match": etag})
    french = await client.get(f"/t/{token}?lang=fr", headers={"If-None-Match": etag})

    assert german.status_code == 200 and german.headers["content-language"] == "de"
    assert french.status_code == 200 and french.headers["content-language"] == "fr"
    assert len({etag, german.headers["etag"], french.headers["etag"]}) == 3
    assert (await client.get(f"/t/{token}", headers={"If-None-Match": etag})).status_code == 304
    update_profile(shopcare.sessions, brand_color="#aa3300")  # the branding, too
    assert (await client.get(f"/t/{token}", headers={"If-None-Match": etag})).status_code == 200


async def test_a_copy_made_for_another_csrf_cookie_is_never_revalidated(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """The page's forms carry a token signed for the browser's cookie: a 304 would keep a
    token the form then refuses."""
    token = place_order(shopcare, clock)
    etag = (await client.get(f"/t/{token}")).headers["etag"]

    client.cookies.set(COOKIE, "another-browser-cookie-0123456789")
    other = await client.get(f"/t/{token}", headers={"If-None-Match": etag})
    client.cookies.clear()
    cookieless = await client.get(f"/t/{token}", headers={"If-None-Match": etag})

    assert other.status_code == 200 and other.headers["etag"] != etag
    assert cookieless.status_code == 200 and COOKIE in cookieless.headers["set-cookie"]


async def test_if_modified_since_is_answered_from_when_the_page_last_changed(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    first = await client.get(f"/t/{token}")
    # within the second it was first seen, a page gets no date a later change could share
    assert "last-modified" not in first.headers
    clock.advance(seconds=5)
    dated = await client.get(f"/t/{token}")
    modified = dated.headers["last-modified"]
    assert modified == format_datetime(
        (clock() - timedelta(seconds=5)).replace(microsecond=0) + timedelta(seconds=1),
        usegmt=True,
    )

    clock.advance(minutes=10)
    unchanged = await client.get(f"/t/{token}", headers={"If-Modified-Since": modified})
    add_events(shopcare, clock, "SIMOK100001", 1)
    changed = await client.get(f"/t/{token}", headers={"If-Modified-Since": modified})
    # If-None-Match, when sent, decides alone
    stale_tag = await client.get(
        f"/t/{token}", headers={"If-Modified-Since": modified, "If-None-Match": '"old"'}
    )

    assert unchanged.status_code == 304
    assert changed.status_code == 200 and "sorting facility number 0" in changed.text
    assert stale_tag.status_code == 200


async def test_head_answers_with_the_validators_and_304s_too(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token = place_order(shopcare, clock)
    head = await client.head(f"/t/{token}")
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/html")
    etag = head.headers["etag"]
    assert (await client.get(f"/t/{token}")).headers["etag"] == etag
    assert (await client.head(f"/t/{token}", headers={"If-None-Match": etag})).status_code == 304


async def test_a_copy_from_before_a_restart_is_still_revalidated_with_its_headers(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_profile(shopcare.sessions, favicon_url="https://img.shop.example/icon.png")
    token = place_order(shopcare, clock)
    first = await client.get(f"/t/{token}")

    restarted = FastAPI()
    mount_public(restarted, shopcare)
    transport = httpx.ASGITransport(restarted)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as fresh:
        fresh.cookies = client.cookies
        again = await fresh.get(f"/t/{token}", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]


def test_a_forgotten_or_changed_variant_starts_again_from_now() -> None:
    """Bounded memory can only cost a full answer: a variant forgotten, or shown anew, gets
    a new "since", so an older If-Modified-Since never matches it."""
    start = datetime(2026, 11, 2, 9, 0, 0, 200_000, tzinfo=UTC)
    remembered = Validators(size=2)
    first = remembered.see("a", '"1"', now=start)
    remembered.see("b", '"2"', now=start)
    assert remembered.see("a", '"1"', now=start + timedelta(hours=1)) is first
    remembered.see("c", '"3"', now=start)  # "b" is the oldest now, and goes
    assert remembered.see("b", '"2"', now=start + timedelta(hours=1)).since > start
    changed = remembered.see("a", '"4"', now=start + timedelta(seconds=0.5))
    # a date is the next whole second, sent once it has passed: two versions of one second
    # never carry the same date
    assert last_modified(first, now=start + timedelta(hours=1)) == start.replace(
        microsecond=0
    ) + timedelta(seconds=1)
    assert last_modified(changed, now=start + timedelta(seconds=0.6)) is None
