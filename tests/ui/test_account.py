"""The account page: a shopper asks for a link by email, the link arrives through the outbox,
and it shows all their orders for an hour; nothing tells a stranger whether an address is
known."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlmodel import col, select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shopcare.app import ShopCare
from shopcare.db.models import Customer, OutboxMessage, PageView
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Channel, Outgoing
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.messages.subscriptions import unsubscribe
from shopcare.services.shopper_site.account import read_account_token, sign_account_token
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.ui.public import mount_public
from shopcare.ui.public.account import CLIENT_LIMIT, EMAIL_LIMIT
from shopcare.ui.public.csrf import COOKIE
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder
from tests.ui.forms import BROWSER_COOKIE, signed

HOSTILE = "<script>alert(1)</script>"


async def sent_mail(shopcare: ShopCare, clock: FakeClock) -> list[Outgoing]:
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    return recorder.sent


def link_rows(shopcare: ShopCare) -> list[OutboxMessage]:
    with shopcare.sessions() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.kind == MessageKind.ACCOUNT_LINK)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


async def ask(client: httpx.AsyncClient, shopcare: ShopCare, email: str) -> httpx.Response:
    return await client.post("/account", data=signed(shopcare, {"email": email}))


async def link_from_mail(shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient) -> str:
    assert (await ask(client, shopcare, " Anna@Example.com ")).status_code == 200
    mail = [m for m in await sent_mail(shopcare, clock) if m.kind is MessageKind.ACCOUNT_LINK]
    assert len(mail) == 1
    found = re.search(rf"{re.escape(PUBLIC_URL)}(/account/[\w.-]+)", mail[0].text)
    assert found is not None
    return found[1]


async def test_known_and_unknown_addresses_get_the_same_answer(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)

    known = await ask(client, shopcare, "anna@example.com")
    unknown = await ask(client, shopcare, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "If we know this address, a link to your orders is on its way." in known.text
    rows = link_rows(shopcare)
    assert [r.recipient for r in rows] == ["anna@example.com"]


async def test_the_link_arrives_through_the_outbox_and_lists_every_order(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    first = make_order(shopcare, number="1001")
    clock.advance(days=3)
    newest = make_order(shopcare, number="1002", tracking="")
    clock.advance(minutes=5)

    path = await link_from_mail(shopcare, clock, client)
    page = await client.get(path)

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.text.index("Order 1002") < page.text.index("Order 1001")  # newest first
    assert f'href="/t/{newest.public_token}"' in page.text
    assert f'href="/t/{first.public_token}"' in page.text
    assert "Your order is being prepared" in page.text  # 1002 has no parcel yet
    assert "Waiting for the carrier" in page.text  # 1001's parcel
    assert [r.order_id for r in link_rows(shopcare)] == [newest.id]
    flush_views(shopcare.sessions)  # views are counted in memory and written in batches
    with shopcare.sessions() as session:
        assert [v.kind for v in session.exec(select(PageView))] == ["account_view"]


async def test_the_link_email_is_sent_even_after_unsubscribing_and_in_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    with shopcare.sessions() as session:
        customer = session.exec(select(Customer)).one()
        customer.locale = "de"
        session.add(customer)
        session.commit()
        token = customer.unsubscribe_token or ""
    unsubscribe(shopcare.sessions, token, now=clock())

    await ask(client, shopcare, "anna@example.com")
    mail = [m for m in await sent_mail(shopcare, clock) if m.kind is MessageKind.ACCOUNT_LINK]

    assert len(mail) == 1
    assert mail[0].subject == "Ihre Bestellungen bei Test Shop (zuletzt: 1001)"
    assert "/account/" in mail[0].html and "Alle Ihre Bestellungen ansehen" in mail[0].html


async def test_an_old_or_tampered_link_is_refused(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    path = await link_from_mail(shopcare, clock, client)
    customer_id, issued, signature = path.removeprefix("/account/").split(".")

    other_customer = f"/account/{int(customer_id) + 1}.{issued}.{signature}"
    flipped = (
        f"/account/{customer_id}.{issued}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    )
    later = f"/account/{customer_id}.{int(issued) + 3600}.{signature}"
    for bad in (other_customer, flipped, later, "/account/garbage", "/account/1.2.3"):
        refused = await client.get(bad)
        assert refused.status_code == 404, bad
        assert "Order 1001" not in refused.text
        assert "This link has expired or is not valid." in refused.text
    assert (await client.get(path)).status_code == 200
    clock.advance(minutes=59)
    assert (await client.get(path)).status_code == 200
    clock.advance(minutes=1)
    expired = await client.get(path)
    assert expired.status_code == 404 and 'href="/account"' in expired.text


def test_tokens_are_signed_with_the_apps_secret(shopcare: ShopCare, clock: FakeClock) -> None:
    token = sign_account_token(7, issued_at=clock(), secret="one secret")

    assert read_account_token(token, secret="one secret", now=clock()) == 7
    assert read_account_token(token, secret="another secret", now=clock()) is None
    assert read_account_token(token, secret="one secret", now=clock() + timedelta(hours=1)) is None


async def test_link_requests_are_limited_per_address_and_per_email(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)
    answers = []
    for _ in range(EMAIL_LIMIT + 1):
        clock.advance(seconds=10)
        answers.append(await ask(client, shopcare, "anna@example.com"))

    assert len({a.content for a in answers}) == 1  # the same answer, even when not sending
    assert len(link_rows(shopcare)) == EMAIL_LIMIT
    for _ in range(CLIENT_LIMIT - EMAIL_LIMIT - 1):
        assert (await ask(client, shopcare, "nobody@example.com")).status_code == 200
    refused = await ask(client, shopcare, "nobody@example.com")
    assert refused.status_code == 429


@asynccontextmanager
async def behind_proxy(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """A freshly started public site behind the trusted proxy (127.0.0.1), which names the
    client in ``X-Forwarded-For``; each start has new in-memory limits, as after a restart."""
    site = FastAPI()
    mount_public(site, shopcare)
    trusted = shopcare.settings.proxy_options()["forwarded_allow_ips"]
    proxied = ProxyHeadersMiddleware(site, trusted_hosts=trusted)
    transport = httpx.ASGITransport(proxied, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        http.cookies.set(COOKIE, BROWSER_COOKIE)
        yield http


async def ask_from(http: httpx.AsyncClient, shopcare: ShopCare, ip: str) -> httpx.Response:
    form = signed(shopcare, {"email": "anna@example.com"})
    return await http.post("/account", data=form, headers={"X-Forwarded-For": ip})


async def test_new_client_addresses_get_no_new_links_for_the_same_email(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    answers = []
    async with behind_proxy(shopcare) as http:
        for n in range(1, 8):
            clock.advance(seconds=10)  # a link a second apart: not the same message twice
            answers.append(await ask_from(http, shopcare, f"203.0.113.{n}"))

    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1  # nothing tells that the limit was hit
    assert len(link_rows(shopcare)) == EMAIL_LIMIT == 3


async def test_a_restart_gives_an_email_no_fresh_budget(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    for start in range(3):  # the in-memory limits are forgotten at each start
        async with behind_proxy(shopcare) as http:
            for n in range(EMAIL_LIMIT):
                clock.advance(seconds=10)
                assert (await ask_from(http, shopcare, f"198.51.100.{start * 10 + n}")).is_success

    assert len(link_rows(shopcare)) == EMAIL_LIMIT
    clock.advance(hours=1)
    async with behind_proxy(shopcare) as http:
        await ask_from(http, shopcare, "192.0.2.1")
    assert len(link_rows(shopcare)) == EMAIL_LIMIT + 1  # an hour later, one more


async def test_asking_needs_the_browsers_token(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    make_order(shopcare)

    refused = await client.post("/account", data={"email": "anna@example.com"})

    assert refused.status_code == 403
    assert link_rows(shopcare) == []


async def test_names_and_titles_on_the_account_page_are_text(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    make_order(shopcare, name=HOSTILE, number="<b>1001</b>")

    page = await client.get(await link_from_mail(shopcare, clock, client))

    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    assert "<b>1001</b>" not in page.text and "&lt;b&gt;1001&lt;/b&gt;" in page.text


async def test_the_form_asks_for_an_email(client: httpx.AsyncClient) -> None:
    html = (await client.get("/account")).text

    assert '<form method="post" action="/account" id="account">' in html
    assert '<label for="account-email">' in html and 'name="email"' in html
