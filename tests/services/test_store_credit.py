"""Store credit's balance and log: issued with the owner's expiry, partly used by the owner,
refused beyond its balance or after its date, voided; the owner's list and the period's
figures read what the log says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import StoreCredit, StoreCreditRedemption
from shopcare.domain.insight import Period
from shopcare.domain.store_credit import CreditStatus
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.insight.credit_figures import CreditMoney, credit_figures
from shopcare.services.insight.panels import InsightContext, build_panel
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.returns.credit_ledger import redeem_by_owner, void_credit
from shopcare.services.returns.credit_list import CreditFilter, credit_history, credit_list
from shopcare.services.returns.store_credit import update_credit_settings
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.credit_builders import issued_credit
from tests.services.test_outbox import Recorder

UTC_ZONE = ZoneInfo("UTC")


def stored(app: ShopCare, code: str) -> StoreCredit:
    with app.sessions() as session:
        return session.exec(select(StoreCredit).where(StoreCredit.code == code)).one()


def test_a_credit_starts_whole_and_never_expires_by_default(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    credit = stored(shopcare, issued_credit(shopcare, now=clock()))
    assert (credit.amount_minor, credit.balance_minor, credit.currency) == (4400, 4400, "EUR")
    assert credit.expires_at is None


def test_the_owners_expiry_is_fixed_when_the_credit_is_issued(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=6)
    clock.now = datetime(2026, 8, 31, 10, 0, tzinfo=UTC)
    code = issued_credit(shopcare, now=clock())
    update_credit_settings(shopcare.sessions, expiry_months=0)  # later credits: never
    assert stored(shopcare, code).expires_at == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    with pytest.raises(InputError, match="between 0"):
        update_credit_settings(shopcare.sessions, expiry_months=500)


def test_the_owner_uses_a_credit_in_parts_down_to_zero_and_no_further(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock())
    first = redeem_by_owner(
        shopcare.sessions, code.lower(), amount_minor=1500, order_number="2001", by="bo",
        now=clock.advance(days=1),
    )  # fmt: skip
    assert first.balance_minor == 2900
    with pytest.raises(InputError, match="more than the credit's remaining balance"):
        redeem_by_owner(shopcare.sessions, code, amount_minor=2901, by="bo", now=clock())
    assert stored(shopcare, code).balance_minor == 2900  # the refused one left no trace
    last = redeem_by_owner(shopcare.sessions, code, amount_minor=2900, by="bo", now=clock())
    assert (last.balance_minor, last.redeemed_at) == (0, clock())
    with pytest.raises(InputError, match="this credit is used"):
        redeem_by_owner(shopcare.sessions, code, amount_minor=1, by="bo", now=clock())
    found = credit_history(shopcare.sessions, last.id or 0, now=clock())
    assert found is not None
    row, log = found
    assert row.status is CreditStatus.USED
    assert [(r.amount_minor, r.order_number, r.source, r.by) for r in log] == [
        (1500, "2001", "owner", "bo"),
        (2900, "", "owner", "bo"),
    ]


def test_unknown_expired_and_voided_codes_are_refused(shopcare: ShopCare, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="no store credit has the code CREDIT-NONE"):
        redeem_by_owner(shopcare.sessions, "credit-none", amount_minor=100, by="", now=clock())
    update_credit_settings(shopcare.sessions, expiry_months=1)
    code = issued_credit(shopcare, now=clock())  # 2 November: valid until 2 December
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(InputError, match="this credit is expired"):
        redeem_by_owner(shopcare.sessions, code, amount_minor=100, by="", now=clock())
    other = issued_credit(shopcare, now=clock(), number="1002")
    void_credit(shopcare.sessions, stored(shopcare, other).id or 0, now=clock())
    with pytest.raises(InputError, match="this credit is voided"):
        redeem_by_owner(shopcare.sessions, other, amount_minor=100, by="", now=clock())
    with shopcare.sessions() as session:
        assert session.exec(select(StoreCreditRedemption)).all() == []


def test_the_owners_list_finds_credits_by_code_or_email_and_by_status(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    anna = issued_credit(shopcare, now=clock(), email="anna@example.com")
    ben = issued_credit(shopcare, now=clock(), number="1002", email="ben@example.com")
    redeem_by_owner(shopcare.sessions, ben, amount_minor=400, by="bo", now=clock())

    def codes(**wanted: str) -> list[str]:
        found = credit_list(shopcare.sessions, CreditFilter(**wanted), now=clock())  # type: ignore[arg-type]
        return [r.code for r in found.page.rows]

    assert sorted(codes()) == sorted([anna, ben])
    assert codes(text="BEN@EXAMPLE") == [ben]
    assert codes(text=anna[-4:].lower()) == [anna]
    assert codes(status="partly_used") == [ben]
    assert codes(status="active") == [anna]
    counts = credit_list(shopcare.sessions, CreditFilter(), now=clock()).counts
    assert counts == {
        CreditStatus.ACTIVE: 1, CreditStatus.PARTLY_USED: 1, CreditStatus.USED: 0,
        CreditStatus.EXPIRED: 0, CreditStatus.VOIDED: 0,
    }  # fmt: skip


def test_the_period_figures_set_issued_against_redeemed_expired_and_outstanding(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=1)
    clock.now = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
    old = issued_credit(shopcare, now=clock(), amount_minor=1000)  # expires 10 November
    redeem_by_owner(shopcare.sessions, old, amount_minor=300, by="", now=clock())
    update_credit_settings(shopcare.sessions, expiry_months=0)
    clock.now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    new = issued_credit(shopcare, now=clock(), number="1002", amount_minor=4400)
    redeem_by_owner(shopcare.sessions, new, amount_minor=1400, by="", now=clock())
    redeem_by_owner(shopcare.sessions, old, amount_minor=200, by="", now=clock())
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    november = Period(date(2026, 11, 1), date(2026, 11, 30), UTC_ZONE)
    october = november.previous()
    with shopcare.sessions() as session:
        assert credit_figures(session, november, now=clock()) == {
            "EUR": CreditMoney(issued=4400, redeemed=1600, expired=500, outstanding=3000)
        }  # the old credit's 500 left expired on 10 November; the new one is owed
        assert credit_figures(session, october, now=clock()) == {
            "EUR": CreditMoney(issued=1000, redeemed=300, expired=0, outstanding=700)
        }


def test_the_returns_panel_shows_the_credit_figures_of_the_period(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    redeem_by_owner(shopcare.sessions, code, amount_minor=1000, by="", now=clock())
    clock.advance(hours=1)  # the owner reads the dashboard afterwards
    period = Period.last_days(30, now=clock(), zone=UTC_ZONE)
    panel = build_panel(
        shopcare.sessions, "returns", period, InsightContext(now=clock(), currency="EUR")
    )
    (table,) = [t for t in panel.tables if t.key == "credit"]
    assert [(r[0], r[2]) for r in table.rows] == [
        ("Issued", "44.00 EUR"),
        ("Redeemed", "10.00 EUR"),
        ("Expired unused", "0.00 EUR"),
        ("Outstanding at the end", "34.00 EUR"),
    ]


async def test_the_credit_email_says_until_when_the_code_can_be_used(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=6)
    code = issued_credit(shopcare, now=clock())  # 2 November 2026
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    settled = next(m for m in recorder.sent if m.kind == "return_refunded")
    assert code in settled.text
    assert "Valid until May 2, 2027" in settled.text  # the emails' own date style
    assert "Valid until May 2, 2027" in settled.html
