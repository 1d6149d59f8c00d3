"""The shopper's account page lists their store credit: each code with what is left of it,
until when it can be used, and its status, in the shopper's language; the shop's voided
credit and other shoppers' credit are not shown."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import httpx
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Customer, StoreCredit
from shopcare.services.returns.credit_ledger import redeem_by_owner, void_credit
from shopcare.services.returns.store_credit import update_credit_settings
from shopcare.services.shopper_site.account import sign_account_token
from tests.conftest import FakeClock
from tests.services.credit_builders import issued_credit
from tests.services.helpers import make_order


def credit_id(app: ShopCare, code: str) -> int:
    with app.sessions() as session:
        return session.exec(select(StoreCredit.id).where(StoreCredit.code == code)).one() or 0


def account_link(app: ShopCare, clock: FakeClock, email: str) -> str:
    with app.sessions() as session:
        customer = session.exec(select(Customer).where(Customer.email == email)).one()
    token = sign_account_token(customer.id or 0, issued_at=clock(), secret=app.settings.secret)
    return f"/account/{token}"


async def test_the_account_page_lists_each_credit_with_balance_expiry_and_status(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    clock.now = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    update_credit_settings(shopcare.sessions, expiry_months=3)
    old = issued_credit(shopcare, now=clock(), number="1001", amount_minor=2000)
    clock.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    partly = issued_credit(shopcare, now=clock(), number="1002", amount_minor=4400)
    redeem_by_owner(shopcare.sessions, partly, amount_minor=1400, by="bo", now=clock())
    update_credit_settings(shopcare.sessions, expiry_months=0)
    forever = issued_credit(shopcare, now=clock(), number="1003", amount_minor=1000)
    voided = issued_credit(shopcare, now=clock(), number="1004")
    void_credit(shopcare.sessions, credit_id(shopcare, voided), now=clock())
    stranger = issued_credit(shopcare, now=clock(), number="1005", email="ben@example.com")

    page = await client.get(account_link(shopcare, clock, "anna@example.com"))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Your store credit" in text
    assert old in text and partly in text and forever in text
    assert voided not in text and stranger not in text
    assert "Balance: 30.00 EUR of 44.00 EUR" in text
    assert "Valid until 2 Feb 2027" in text and "Partly used" in text
    assert "Expiry date: 15 Apr 2026" in text and "Expired" in text
    assert "Does not expire" in text and "Ready to use" in text

    german = html.unescape((await client.get(account_link(shopcare, clock, "anna@example.com")
                                             + "?lang=de")).text)  # fmt: skip
    assert "Ihr Guthaben" in german and "Teilweise eingelöst" in german
    assert "Gültig bis 2. Feb. 2027" in german and "Läuft nicht ab" in german


async def test_only_a_shopper_with_credit_sees_the_credit_section(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    issued_credit(shopcare, now=clock(), email="ben@example.com")
    page = await client.get(account_link(shopcare, clock, "ben@example.com"))
    assert "Your store credit" in page.text
    make_order(shopcare, number="2001", tracking="", email="cleo@example.com")
    page = await client.get(account_link(shopcare, clock, "cleo@example.com"))
    assert page.status_code == 200 and "Your store credit" not in page.text
