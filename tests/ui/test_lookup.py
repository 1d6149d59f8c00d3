"""Finding an order without its link, over HTTP: by order number and email or postcode (no
enumeration, limits per address and per order number) and by tracking number alone (the
carrier's news, nothing personal)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.carriers.base import TrackingResult
from shopcare.db.models import PageView, Shipment
from shopcare.domain.status import CarrierEvent, ShipmentStatus
from shopcare.services.shopper_site.page_views import PageKind
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.services.tracking.recording import record_tracking
from shopcare.ui.public import mount_public
from shopcare.ui.public.csrf import COOKIE
from shopcare.ui.public.lookup import NUMBER_LOOKUP_LIMIT, ORDER_NUMBER_LIMIT
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.ui.forms import BROWSER_COOKIE, signed

HOSTILE = '<script>alert("x")</script>'
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf" value="[0-9a-f]+">')


@pytest.fixture
def site(shopcare: ShopCare) -> FastAPI:
    """One public site for several visitors: they share its rate limits."""
    app = FastAPI()
    mount_public(app, shopcare)
    return app


@asynccontextmanager
async def visitor(site: FastAPI, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser at client address ``ip``."""
    transport = httpx.ASGITransport(site, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        http.cookies.set(COOKIE, BROWSER_COOKIE)
        yield http


def scan(shopcare: ShopCare, clock: FakeClock, *, text: str, location: str = "Leipzig") -> None:
    """The carrier reports one in-transit scan for the parcel SIMOK100001."""
    with shopcare.sessions() as session:
        shipment = session.exec(
            select(Shipment).where(Shipment.tracking_number == "SIMOK100001")
        ).one()
    event = CarrierEvent(clock() - timedelta(hours=1), ShipmentStatus.IN_TRANSIT, text, location)
    record_tracking(shopcare.sessions, shipment.id, TrackingResult(events=(event,)), now=clock())


def views(shopcare: ShopCare) -> list[tuple[str, int | None]]:
    flush_views(shopcare.sessions)  # views are counted in memory and written in batches
    with shopcare.sessions() as session:
        rows = session.exec(select(PageView).order_by(col(PageView.id))).all()
    return [(row.kind, row.order_id) for row in rows]


async def test_the_lookup_page_offers_both_ways_to_find_a_parcel(client: httpx.AsyncClient) -> None:
    html = (await client.get("/track")).text

    assert re.search(r'<form method="post" action="/track" id="lookup">', html)
    assert re.search(r'<form method="post" action="/track/number" id="number-lookup">', html)
    for name in ("order_number", "contact", "tracking_number"):
        assert f'name="{name}"' in html
        assert f'<label for="{name}">' in html
    assert 'href="/account"' in html


async def test_wrong_email_and_unknown_order_differ_only_in_nothing(
    shopcare: ShopCare, site: FastAPI
) -> None:
    order = make_order(shopcare)
    statements: list[str] = []
    sa.event.listen(shopcare.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    answers, work = [], []
    for number, contact in (("1001", "eve@example.com"), ("4711", "anna@example.com")):
        async with visitor(site, f"10.0.0.{len(answers) + 1}") as browser:
            statements.clear()
            answers.append(
                await browser.post(
                    "/track", data=signed(shopcare, {"order_number": number, "contact": contact})
                )
            )
            work.append(list(statements))

    wrong_email, unknown = answers
    assert wrong_email.status_code == unknown.status_code == 200
    assert CSRF_INPUT.sub("", wrong_email.text) == CSRF_INPUT.sub("", unknown.text)
    assert wrong_email.content == unknown.content  # same browser cookie: even the token
    assert work[0] == work[1]  # the same queries, in the same order: the same work
    assert views(shopcare) == [("lookup_failed", None), ("lookup_failed", None)]
    assert order.public_token not in wrong_email.text


async def test_a_match_redirects_and_is_counted_with_its_order(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare, postcode="SW1A 1AA")

    found = await client.post(
        "/track", data=signed(shopcare, {"order_number": "#1001", "contact": "sw1a1aa"})
    )

    assert found.status_code == 303
    assert found.headers["location"] == f"/t/{order.public_token}"
    assert views(shopcare) == [(PageKind.LOOKUP, order.id)]


async def test_an_order_number_gets_few_tries_whatever_the_address(
    shopcare: ShopCare, clock: FakeClock, site: FastAPI
) -> None:
    make_order(shopcare)
    guess = {"order_number": "1001", "contact": "guess@example.com"}
    for i in range(ORDER_NUMBER_LIMIT):
        async with visitor(site, f"192.0.2.{i + 1}") as guesser:
            assert (await guesser.post("/track", data=signed(shopcare, guess))).status_code == 200

    async with visitor(site, "198.51.100.7") as shopper:
        right = {"order_number": "#1001", "contact": "anna@example.com"}
        refused = await shopper.post("/track", data=signed(shopcare, right))
        assert refused.status_code == 429  # even the right answer: no confirming a guess
        assert "Too many attempts" in refused.text
        other = {"order_number": "1002", "contact": "anna@example.com"}
        assert (await shopper.post("/track", data=signed(shopcare, other))).status_code == 200
        clock.advance(minutes=61)
        assert (await shopper.post("/track", data=signed(shopcare, right))).status_code == 303


async def test_one_address_gets_few_tries_at_any_order(shopcare: ShopCare, site: FastAPI) -> None:
    guess = {"order_number": "3000", "contact": "x@example.com"}
    async with visitor(site, "192.0.2.1") as guesser:
        for n in range(10):
            other = {"order_number": str(2000 + n), "contact": "x@example.com"}
            assert (await guesser.post("/returns", data=signed(shopcare, other))).status_code == 200
        assert (await guesser.post("/track", data=signed(shopcare, guess))).status_code == 429
    async with visitor(site, "203.0.113.9") as elsewhere:
        assert (await elsewhere.post("/track", data=signed(shopcare, guess))).status_code == 200


async def test_a_tracking_number_shows_the_parcel_and_nothing_personal(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    order = make_order(shopcare, name="Anna Schmidt", postcode="10115")
    scan(shopcare, clock, text="Arrived at the sorting hub")

    page = await client.post(
        "/track/number", data=signed(shopcare, {"tracking_number": " simok 100001 "})
    )

    assert page.status_code == 200
    assert "SIMOK100001" in page.text
    assert "Arrived at the sorting hub" in page.text and "Leipzig" in page.text
    assert '<ol class="steps">' in page.text
    assert "On its way" in page.text
    for personal in ("1001", "Anna", "Schmidt", "anna@example.com", "10115", "Ceramic mug",
                     "Tea towel", order.public_token, "/return"):  # fmt: skip
        assert personal not in page.text, personal
    assert 'action="/track/number/watch"' in page.text
    assert views(shopcare) == [(PageKind.NUMBER_LOOKUP, order.id)]


async def test_an_unknown_tracking_number_says_so_and_offers_the_form_again(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    page = await client.post("/track/number", data=signed(shopcare, {"tracking_number": "NOPE1"}))

    assert page.status_code == 200
    assert "We could not find a parcel with this tracking number." in page.text
    assert 'id="number-lookup"' in page.text
    assert views(shopcare) == [(PageKind.NUMBER_LOOKUP, None)]


async def test_the_number_page_has_a_link_form_for_emails(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)

    page = await client.get("/track/number", params={"tracking_number": "SIMOK100001"})
    bare = await client.get("/track/number")

    assert page.status_code == 200 and "SIMOK100001" in page.text
    assert bare.status_code == 303 and bare.headers["location"] == "/track"


async def test_the_number_page_records_the_watch_email_its_link_came_in(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    for kind in ("watch_update", "not_a_kind"):
        params = {"tracking_number": "SIMOK100001", "m": kind}
        assert (await client.get("/track/number", params=params)).status_code == 200
    flush_views(shopcare.sessions)
    with shopcare.sessions() as session:
        came_from = session.exec(select(PageView.message_kind).order_by(col(PageView.id))).all()
    assert came_from == ["watch_update", None]


async def test_tracking_number_lookups_are_limited_per_address(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    for n in range(NUMBER_LOOKUP_LIMIT):
        number = {"tracking_number": f"GUESS{n}"}
        assert (
            await client.post("/track/number", data=signed(shopcare, number))
        ).status_code == 200

    refused = await client.get("/track/number", params={"tracking_number": "GUESS99"})

    assert refused.status_code == 429
    assert "retry-after" in refused.headers


async def test_forms_without_this_browsers_token_are_refused(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    right = {"order_number": "1001", "contact": "anna@example.com"}

    for path, data in (("/track", right), ("/track/number", {"tracking_number": "SIMOK100001"})):
        refused = await client.post(path, data=data)
        assert refused.status_code == 403, path
        assert "SIMOK100001" not in refused.text
    assert views(shopcare) == []


async def test_hostile_input_and_carrier_text_are_shown_as_text(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    scan(shopcare, clock, text=HOSTILE, location='"><img src=x onerror=alert(1)>')

    page = await client.post(
        "/track/number", data=signed(shopcare, {"tracking_number": "SIMOK100001"})
    )
    unknown = await client.post(
        "/track/number", data=signed(shopcare, {"tracking_number": HOSTILE})
    )
    odd = await client.post(
        "/track", data=signed(shopcare, {"order_number": HOSTILE, "contact": "Jürgen@exämple.de"})
    )

    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text
    assert unknown.status_code == 200 and "<script>alert" not in unknown.text
    assert odd.status_code == 200  # not ASCII, not a number: the same answer, no error
    assert "We could not find an order with these details." in odd.text
