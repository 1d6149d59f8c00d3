""" "Email me updates": someone with only a tracking number watches a parcel and gets its
status changes (and nothing about the order) until they stop; a shopper who unsubscribed
opts back in from the tracking page. Observed at the sender and in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OutboxMessage, ShipmentWatch
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Channel, Outgoing
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.messages.subscriptions import unsubscribe
from shopcare.services.shop.profile import update_profile
from shopcare.ui.public import mount_public
from shopcare.ui.public.csrf import COOKIE
from shopcare.ui.public.updates import WATCH_LIMIT
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder
from tests.ui.forms import BROWSER_COOKIE, signed

WATCHER = "neighbour@example.org"


@pytest.fixture
async def web(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    site = FastAPI()
    mount_public(site, shopcare)
    transport = httpx.ASGITransport(site)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        http.cookies.set(COOKIE, BROWSER_COOKIE)
        yield http


async def watch(web: httpx.AsyncClient, shopcare: ShopCare, **fields: str) -> httpx.Response:
    form = {"tracking_number": "SIMOK100001", "email": WATCHER, **fields}
    return await web.post("/track/number/watch", data=signed(shopcare, form))


async def watch_confirmed(
    web: httpx.AsyncClient, shopcare: ShopCare, **fields: str
) -> httpx.Response:
    """Sign up, then follow the confirmation link as the address's owner would."""
    answer = await watch(web, shopcare, **fields)
    email = fields.get("email", WATCHER).strip().lower()
    (row,) = [w for w in watches(shopcare) if w.email == email]
    confirmed = await web.post(f"/watch/{row.token}/confirm", data=signed(shopcare, {}))
    assert confirmed.status_code == 200
    return answer


async def sent(shopcare: ShopCare, clock: FakeClock) -> list[Outgoing]:
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    return recorder.sent


def watches(shopcare: ShopCare) -> list[ShipmentWatch]:
    with shopcare.sessions() as session:
        return list(session.exec(select(ShipmentWatch)).all())


def watcher_rows(shopcare: ShopCare) -> list[OutboxMessage]:
    with shopcare.sessions() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.kind == MessageKind.WATCH_UPDATE)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


async def test_a_watcher_gets_the_parcels_news_and_nothing_about_the_order(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    # The shop's own address is in every footer: keep it apart from the shopper's postcode.
    update_profile(shopcare.sessions, postal_address="Bean Shop\n1 Harbour Road\n20095 Hamburg")
    make_order(shopcare, name="Anna Schmidt", postcode="10115")
    await shopcare.poll_once()  # label created
    await sent(shopcare, clock)

    answer = await watch_confirmed(web, shopcare, email=" Neighbour@Example.org ")
    await sent(shopcare, clock)  # the confirmation email
    clock.advance(hours=9)
    await shopcare.poll_once()  # picked up: in transit
    mail = await sent(shopcare, clock)

    assert answer.status_code == 200
    assert "We sent a link to confirm" in answer.text
    (update,) = [m for m in mail if m.kind is MessageKind.WATCH_UPDATE]
    assert update.recipient == WATCHER
    assert update.subject == "Parcel SIMOK100001: On its way"
    body = update.subject + update.text + update.html
    for personal in ("1001", "Anna", "anna@example.com", "10115", "Ceramic mug", "Tea towel",
                     "/t/", "/unsubscribe/"):  # fmt: skip
        assert personal not in body, personal
    link = f"{PUBLIC_URL}/track/number?tracking_number=SIMOK100001&m=watch_update"
    assert link in update.text and f'href="{link.replace("&", "&amp;")}"' in update.html
    (row,) = watches(shopcare)
    stop = f"{PUBLIC_URL}/watch/{row.token}/stop"
    assert update.headers["List-Unsubscribe"] == f"<{stop}>"
    assert stop in update.text


async def test_a_watcher_is_not_stopped_by_the_shoppers_unsubscribe(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    await watch_confirmed(web, shopcare)
    with shopcare.sessions() as session:
        token = session.exec(select(Customer)).one().unsubscribe_token or ""
    unsubscribe(shopcare.sessions, token, now=clock())
    await sent(shopcare, clock)

    clock.advance(hours=41)
    await shopcare.poll_once()  # out for delivery
    mail = await sent(shopcare, clock)

    assert [(m.kind, m.recipient) for m in mail] == [(MessageKind.WATCH_UPDATE, WATCHER)]


async def test_stopping_needs_a_post_and_then_nothing_more_is_queued(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    await watch_confirmed(web, shopcare)
    (row,) = watches(shopcare)

    confirm = await web.get(f"/watch/{row.token}/stop")
    assert confirm.status_code == 200 and "Stop updates" in confirm.text
    assert watches(shopcare)[0].unsubscribed_at is None  # a mail scanner's GET changes nothing
    one_click = await web.post(
        f"/watch/{row.token}/stop",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    assert "Updates about this parcel have stopped." in one_click.text
    assert watches(shopcare)[0].unsubscribed_at == clock()
    assert (await web.get("/watch/not-a-token/stop")).status_code == 404

    clock.advance(hours=41)
    await shopcare.poll_once()
    assert watcher_rows(shopcare) == []


async def test_asking_twice_keeps_one_watch_and_asking_again_restarts_it(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    await watch_confirmed(web, shopcare)
    await watch(web, shopcare)
    (row,) = watches(shopcare)
    assert row.unsubscribed_at is None  # asking again keeps an active watch active
    await web.post(f"/watch/{row.token}/stop", data=signed(shopcare, {}))

    await watch_confirmed(web, shopcare)

    (again,) = watches(shopcare)
    assert again.token == row.token and again.unsubscribed_at is None


async def test_each_change_is_queued_once_per_watcher(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    await watch_confirmed(web, shopcare)
    await watch_confirmed(web, shopcare, email="other@example.org")

    clock.advance(hours=9)
    await shopcare.poll_once()
    await shopcare.poll_once()  # nothing new from the carrier: nothing new queued

    assert sorted(r.recipient for r in watcher_rows(shopcare)) == [WATCHER, "other@example.org"]


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"email": "not an address"}, 400, "Please enter a valid email address."),
        ({"tracking_number": "UNKNOWN1"}, 404, "We could not find a parcel"),
    ],
)
async def test_a_bad_watch_request_stores_nothing(
    shopcare: ShopCare, web: httpx.AsyncClient, fields: dict[str, str], status: int, text: str
) -> None:
    make_order(shopcare)

    answer = await watch(web, shopcare, **fields)

    assert answer.status_code == status
    assert text in answer.text
    assert watches(shopcare) == []


async def test_watching_needs_the_browsers_token_and_is_limited_per_address(
    shopcare: ShopCare, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    forged = await web.post(
        "/track/number/watch", data={"tracking_number": "SIMOK100001", "email": WATCHER}
    )
    assert forged.status_code == 403
    assert watches(shopcare) == []
    for n in range(WATCH_LIMIT - 1):  # the forged post was an attempt too
        assert (await watch(web, shopcare, email=f"w{n}@example.org")).status_code == 200

    assert (await watch(web, shopcare, email="one-more@example.org")).status_code == 429
    assert len(watches(shopcare)) == WATCH_LIMIT - 1


async def test_a_shopper_who_unsubscribed_opts_back_in_from_the_tracking_page(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    order = make_order(shopcare)
    page = f"/t/{order.public_token}"
    assert 'id="updates-signup"' not in (await web.get(page)).text  # subscribed: no offer
    with shopcare.sessions() as session:
        token = session.exec(select(Customer)).one().unsubscribe_token or ""
    unsubscribe(shopcare.sessions, token, now=clock())
    html = (await web.get(page)).text
    assert f'<form method="post" action="{page}/updates" id="updates-signup">' in html

    forged = await web.post(f"{page}/updates", data={})
    assert forged.status_code == 403
    back = await web.post(f"{page}/updates", data=signed(shopcare, {}))

    assert back.status_code == 303 and back.headers["location"] == page
    with shopcare.sessions() as session:
        assert session.exec(select(Customer)).one().unsubscribed_at is None
    assert 'id="updates-signup"' not in (await web.get(page)).text
    assert (await web.post("/t/nope/updates", data=signed(shopcare, {}))).status_code == 404


async def test_nothing_is_sent_to_an_address_until_it_confirms(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    await sent(shopcare, clock)
    await watch(web, shopcare)
    await watch(web, shopcare)  # asked twice within the hour: one confirmation

    mail = await sent(shopcare, clock)
    (ask,) = [m for m in mail if m.recipient == WATCHER]
    (row,) = watches(shopcare)
    link = f"{PUBLIC_URL}/watch/{row.token}/confirm"
    assert ask.kind is MessageKind.WATCH_CONFIRM
    assert link in ask.text and f'href="{link}"' in ask.html
    assert "1001" not in ask.subject + ask.text + ask.html
    clock.advance(hours=9)
    await shopcare.poll_once()  # in transit: but nobody confirmed
    assert watcher_rows(shopcare) == []

    page = await web.get(f"/watch/{row.token}/confirm")  # a mail scanner's GET confirms nothing
    assert page.status_code == 200 and "Yes, send me updates" in page.text
    assert watches(shopcare)[0].unsubscribed_at is not None
    assert (await web.post(f"/watch/{row.token}/confirm", data={})).status_code == 403
    done = await web.post(f"/watch/{row.token}/confirm", data=signed(shopcare, {}))
    assert done.status_code == 200 and watches(shopcare)[0].unsubscribed_at is None
    assert (await web.get("/watch/not-a-token/confirm")).status_code == 404

    clock.advance(hours=32)
    await shopcare.poll_once()  # out for delivery: now it goes out
    assert [r.recipient for r in watcher_rows(shopcare)] == [WATCHER]


async def test_a_watch_message_without_its_links_is_refused_not_sent(
    shopcare: ShopCare, clock: FakeClock, web: httpx.AsyncClient
) -> None:
    """Its watch gone (the links come from it), an update would carry an empty stop link and
    an empty List-Unsubscribe: it is recorded as failed with the reason instead."""
    make_order(shopcare)
    await shopcare.poll_once()
    await watch_confirmed(web, shopcare)
    await sent(shopcare, clock)
    clock.advance(hours=41)
    await shopcare.poll_once()  # out for delivery: an update for the watcher is queued
    with transaction(shopcare.sessions) as session:
        session.execute(sa.delete(ShipmentWatch))

    mail = await sent(shopcare, clock)

    assert [m.kind for m in mail if m.recipient == WATCHER] == []
    (row,) = watcher_rows(shopcare)[-1:]
    assert row.status == "failed"
    assert row.last_error == "not sent: the unsubscribe link it needs is missing"
