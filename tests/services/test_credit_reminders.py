"""The reminder before a store credit expires: off by default, queued by the reminders job
the owner's number of days before the date for a credit with money left, once, through the
outbox, with the code, what is left and the date, in the shopper's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OutboxMessage, StoreCredit
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.returns.credit_ledger import redeem_by_owner, void_credit
from shopcare.services.returns.store_credit import get_credit_settings, update_credit_settings
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.credit_builders import issued_credit
from tests.services.test_outbox import Recorder

ISSUED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 5, 2, 10, 0, tzinfo=UTC)  # six months later


def reminders(app: ShopCare) -> list[OutboxMessage]:
    with app.sessions() as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == "credit_expiry_reminder")
            )
        )


def credit(app: ShopCare, clock: FakeClock, number: str = "1001") -> str:
    clock.now = ISSUED
    return issued_credit(app, now=clock(), number=number, email=f"s{number}@example.com")


async def test_the_reminder_is_off_by_default(shopcare: ShopCare, clock: FakeClock) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=6)
    credit(shopcare, clock)
    clock.now = EXPIRES - timedelta(days=1)
    assert await shopcare.queue_reminders() == 0
    assert get_credit_settings(shopcare.sessions).reminder_days == 0
    with pytest.raises(InputError, match="between 0"):
        update_credit_settings(shopcare.sessions, reminder_days=-1)


async def test_a_credit_with_money_left_is_reminded_once_days_before_it_expires(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=6, reminder_days=7)
    code = credit(shopcare, clock)
    redeem_by_owner(shopcare.sessions, code, amount_minor=1150, by="", now=clock())
    used_up = credit(shopcare, clock, "1002")
    redeem_by_owner(shopcare.sessions, used_up, amount_minor=4400, by="", now=clock())
    voided = credit(shopcare, clock, "1003")
    with shopcare.sessions() as session:
        voided_id = session.exec(select(StoreCredit.id).where(StoreCredit.code == voided)).one()
    assert voided_id is not None
    void_credit(shopcare.sessions, voided_id, now=clock())
    update_credit_settings(shopcare.sessions, expiry_months=0)
    assert issued_credit(shopcare, now=clock(), number="1004", email="n@example.com")  # no date

    clock.now = EXPIRES - timedelta(days=8)
    assert await shopcare.queue_reminders() == 0
    clock.now = EXPIRES - timedelta(days=6)
    assert await shopcare.queue_reminders() == 1
    clock.advance(hours=1)
    assert await shopcare.queue_reminders() == 0  # once per credit
    (row,) = reminders(shopcare)
    assert row.recipient == "s1001@example.com"

    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    (mail,) = [m for m in recorder.sent if m.kind == "credit_expiry_reminder"]
    assert mail.subject == "Your store credit from order 1001 expires on May 2, 2027"
    words = "Your store credit expires on May 2, 2027. 32.50 EUR of it is still yours to spend."
    assert words in mail.text and words in mail.html
    assert f"    {code}\n" in mail.text and f">{code}</p>" in mail.html
    clock.now = EXPIRES + timedelta(days=1)
    assert await shopcare.queue_reminders() == 0  # expired: nothing more to say


async def test_the_reminder_speaks_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=6, reminder_days=30)
    code = credit(shopcare, clock)
    with transaction(shopcare.sessions) as session:
        for customer in session.exec(select(Customer)).all():
            customer.locale = "de"
            session.add(customer)
    clock.now = EXPIRES - timedelta(days=10)
    assert await shopcare.queue_reminders() == 1
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    (mail,) = [m for m in recorder.sent if m.kind == "credit_expiry_reminder"]
    assert mail.subject == "Ihr Guthaben aus Bestellung 1001 läuft am 2. Mai 2027 ab"
    assert "44.00 EUR davon können Sie noch einlösen." in mail.text
    assert code in mail.html
