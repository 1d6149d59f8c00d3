"""The shopper's yes or no to WhatsApp on their tracking and account pages: plain forms
with the CSRF token, an explicit box to tick, the number asked for only when none is on
file, and a "stop" that also skips the WhatsApp messages still queued."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.services.messages.outbox import enqueue
from shopcare.services.messages.rules import set_kind_rule, update_rules
from shopcare.services.messages.subscriptions import WITHDRAWN
from shopcare.services.shop.profile import update_profile
from shopcare.services.shopper_site.account import sign_account_token
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.ui.forms import signed

AGREE = {"consent": "yes"}


@pytest.fixture
def order(shopcare: ShopCare) -> ShopOrder:
    """An order of a shop that sends on WhatsApp; its shopper gave no phone number."""
    update_rules(
        shopcare.sessions,
        sms_account_sid="AC0123456789abcdef",
        sms_auth_token="tok3n",
        whatsapp_from="+15005550006",
        whatsapp_templates={"shipped:en": "HX" + "a" * 32},
    )
    set_kind_rule(
        shopcare.sessions, MessageKind.SHIPPED, enabled=True, delay_minutes=0,
        channels=["email", "whatsapp"],
    )  # fmt: skip
    return make_order(shopcare, tracking="")


def customer(app: ShopCare) -> Customer:
    with app.sessions() as session:
        return session.exec(select(Customer)).one()


def give_phone(app: ShopCare, phone: str) -> None:
    with transaction(app.sessions) as session:
        found = session.exec(select(Customer)).one()
        found.phone = phone
        session.add(found)


async def test_a_shopper_agrees_with_their_number_and_the_box_ticked(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder, clock: FakeClock
) -> None:
    page = (await client.get(f"/t/{order.public_token}")).text
    assert 'id="whatsapp-signup"' in page and 'name="phone"' in page and 'name="csrf"' in page
    form = signed(shopcare, {**AGREE, "phone": "0049 151 1234-5678"})
    answer = await client.post(f"/t/{order.public_token}/whatsapp", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/t/{order.public_token}?whatsapp=on#whatsapp"
    agreed = customer(shopcare)
    assert (agreed.phone, agreed.whatsapp_consent_at) == ("+4915112345678", clock())
    page = (await client.get(answer.headers["location"])).text
    assert "You will get updates on WhatsApp" in page and "Stop WhatsApp updates" in page
    assert "Number ending in 678." in page and "+4915112345678" not in page


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"phone": "+4915112345678"}, "Please tick the box"),
        ({**AGREE, "phone": "0151 12345678"}, "with its country code"),  # which country?
        ({**AGREE, "phone": "<script>"}, "with its country code"),
        (AGREE, "with its country code"),
    ],
)
async def test_without_the_box_or_a_usable_number_nothing_is_recorded(
    shopcare: ShopCare,
    client: httpx.AsyncClient,
    order: ShopOrder,
    fields: dict[str, str],
    says: str,
) -> None:
    answer = await client.post(f"/t/{order.public_token}/whatsapp", data=signed(shopcare, fields))
    assert answer.status_code == 400 and says in answer.text
    assert f'href="/t/{order.public_token}#whatsapp"' in answer.text
    unchanged = customer(shopcare)
    assert (unchanged.phone, unchanged.whatsapp_consent_at) == ("", None)


async def test_the_number_on_file_is_named_not_shown_and_not_replaced(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder
) -> None:
    give_phone(shopcare, "+4915100000001")
    page = (await client.get(f"/t/{order.public_token}")).text
    assert "your number ending in 001" in page and 'name="phone"' not in page
    form = signed(shopcare, {**AGREE, "phone": "+4915199999999"})  # a forwarded link
    assert (await client.post(f"/t/{order.public_token}/whatsapp", data=form)).status_code == 303
    assert customer(shopcare).phone == "+4915100000001"


async def test_stopping_skips_the_whatsapp_messages_still_queued(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder
) -> None:
    form = signed(shopcare, {**AGREE, "phone": "+4915112345678"})
    await client.post(f"/t/{order.public_token}/whatsapp", data=form)
    with transaction(shopcare.sessions) as session:
        enqueue(session, MessageKind.SHIPPED, order=order, now=shopcare.clock())
    answer = await client.post(f"/t/{order.public_token}/whatsapp/stop", data=signed(shopcare, {}))
    assert answer.headers["location"] == f"/t/{order.public_token}?whatsapp=off#whatsapp"
    assert customer(shopcare).whatsapp_consent_at is None
    with shopcare.sessions() as session:
        rows = {r.channel: r for r in session.exec(select(OutboxMessage))}
    assert (rows["whatsapp"].status, rows["whatsapp"].last_error) == ("skipped", WITHDRAWN)
    assert rows["email"].status == "queued"
    page = (await client.get(answer.headers["location"])).text
    assert "WhatsApp updates have stopped." in page and 'id="whatsapp-signup"' in page


async def test_a_row_put_back_after_the_shopper_said_no_is_not_sent(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder
) -> None:
    """A WhatsApp row that was being sent when consent was withdrawn, then put back."""
    form = signed(shopcare, {**AGREE, "phone": "+4915112345678"})
    await client.post(f"/t/{order.public_token}/whatsapp", data=form)
    with transaction(shopcare.sessions) as session:
        (row,) = [r for r in enqueue(session, MessageKind.SHIPPED, order=order,
                                     now=shopcare.clock()) if r.channel == "whatsapp"]  # fmt: skip
        row.status = "sending"
    await client.post(f"/t/{order.public_token}/whatsapp/stop", data=signed(shopcare, {}))
    with transaction(shopcare.sessions) as session:
        put_back = session.exec(
            select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")
        ).one()
        put_back.status = "queued"
        session.add(put_back)
    await shopcare.dispatch_once()
    with shopcare.sessions() as session:
        kept = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")).one()
    assert (kept.status, kept.last_error) == ("skipped", WITHDRAWN)


async def test_the_account_page_gives_and_withdraws_the_same_consent(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder, clock: FakeClock
) -> None:
    token = sign_account_token(
        order.customer_id, issued_at=clock(), secret=shopcare.settings.secret
    )
    page = (await client.get(f"/account/{token}")).text
    assert f'action="/account/{token}/whatsapp"' in page
    form = signed(shopcare, {**AGREE, "phone": "+4915112345678"})
    answer = await client.post(f"/account/{token}/whatsapp", data=form)
    assert answer.headers["location"] == f"/account/{token}?whatsapp=on#whatsapp"
    assert customer(shopcare).whatsapp_consent_at == clock()
    assert "Stop WhatsApp updates" in (await client.get(answer.headers["location"])).text
    await client.post(f"/account/{token}/whatsapp/stop", data=signed(shopcare, {}))
    assert customer(shopcare).whatsapp_consent_at is None
    clock.advance(hours=2)  # the link has expired
    late = await client.post(f"/account/{token}/whatsapp", data=form)
    assert late.status_code == 404 and "Link not valid" in late.text
    assert customer(shopcare).whatsapp_consent_at is None


async def test_a_post_from_another_site_changes_nothing(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder
) -> None:
    form = {**AGREE, "phone": "+4915112345678"}
    answer = await client.post(f"/t/{order.public_token}/whatsapp", data=form)
    assert answer.status_code == 403
    assert customer(shopcare).whatsapp_consent_at is None


async def test_a_shop_without_whatsapp_offers_nothing_but_a_way_out(
    shopcare: ShopCare, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    order = make_order(shopcare, tracking="")
    assert 'id="whatsapp"' not in (await client.get(f"/t/{order.public_token}")).text
    with transaction(shopcare.sessions) as session:  # agreed at checkout, before it stopped
        found = session.exec(select(Customer)).one()
        found.whatsapp_consent_at = clock() - timedelta(days=1)
        session.add(found)
    page = (await client.get(f"/t/{order.public_token}")).text
    assert 'id="whatsapp-stop"' in page and 'id="whatsapp-signup"' not in page


async def test_everything_shown_is_escaped_and_translated(
    shopcare: ShopCare, client: httpx.AsyncClient, order: ShopOrder
) -> None:
    update_profile(shopcare.sessions, name="<b>Tea & Co</b>")
    page = (await client.get(f"/t/{order.public_token}")).text
    assert "from &lt;b&gt;Tea &amp; Co&lt;/b&gt; on WhatsApp" in page and "<b>Tea" not in page
    german = await client.get(f"/t/{order.public_token}?lang=de")
    assert "Neuigkeiten per WhatsApp erhalten" in german.text
