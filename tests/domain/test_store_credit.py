"""Store credit's rules: the status a balance and dates make, the expiry counted in calendar
months, and which redemptions are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shopcare.domain.store_credit import (
    CreditState,
    CreditStatus,
    RedemptionSource,
    credit_status,
    expiry_for,
    expiry_months_problem,
    redemption_problem,
    redemption_source,
)

ISSUED = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)
JULY = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def state(balance: int = 4400, **kw: datetime | None) -> CreditState:
    return CreditState(amount_minor=4400, balance_minor=balance, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        (state(), CreditStatus.ACTIVE),
        (state(1000), CreditStatus.PARTLY_USED),
        (state(0), CreditStatus.USED),
        (state(expires_at=JULY), CreditStatus.EXPIRED),  # the very instant counts as expired
        (state(1000, expires_at=datetime(2026, 6, 1, tzinfo=UTC)), CreditStatus.EXPIRED),
        (state(0, expires_at=datetime(2026, 6, 1, tzinfo=UTC)), CreditStatus.USED),
        (state(expires_at=datetime(2026, 8, 1, tzinfo=UTC)), CreditStatus.ACTIVE),
        (state(0, voided_at=ISSUED), CreditStatus.VOIDED),
        (state(voided_at=ISSUED, expires_at=ISSUED), CreditStatus.VOIDED),
    ],
)
def test_the_status_follows_the_balance_and_the_dates(
    credit: CreditState, expected: CreditStatus
) -> None:
    assert credit_status(credit, now=JULY) is expected


def test_the_expiry_counts_calendar_months_and_keeps_the_time() -> None:
    assert expiry_for(ISSUED, months=0) is None
    assert expiry_for(ISSUED, months=1) == datetime(2026, 2, 28, 15, 30, tzinfo=UTC)
    assert expiry_for(ISSUED, months=13) == datetime(2027, 2, 28, 15, 30, tzinfo=UTC)
    assert expiry_for(datetime(2027, 11, 29, tzinfo=UTC), months=3) == datetime(
        2028, 2, 29, tzinfo=UTC
    )  # a leap year's February
    assert expiry_for(datetime(2026, 3, 15, tzinfo=UTC), months=12) == datetime(
        2027, 3, 15, tzinfo=UTC
    )


@pytest.mark.parametrize("months", [-1, 121, 1.5, True, "6"])
def test_an_expiry_outside_whole_months_from_0_to_120_is_refused(months: object) -> None:
    assert expiry_months_problem(months)


def test_a_redemption_may_take_the_balance_but_not_more() -> None:
    assert redemption_problem(state(1000), 1000, now=JULY) is None
    assert redemption_problem(state(), 400, now=JULY) is None
    assert redemption_problem(state(1000), 1001, now=JULY) == (
        "the amount is more than the credit's remaining balance"
    )
    assert redemption_problem(state(), 0, now=JULY) == "the amount used must be more than zero"


@pytest.mark.parametrize(
    ("credit", "word"),
    [
        (state(expires_at=JULY), "expired"),
        (state(0), "used"),
        (state(voided_at=ISSUED), "voided"),
    ],
)
def test_expired_used_and_voided_credit_cannot_be_redeemed(credit: CreditState, word: str) -> None:
    assert redemption_problem(credit, 100, now=JULY) == f"this credit is {word} and cannot be used"


def test_orders_typed_in_by_hand_count_as_the_owners_redemptions() -> None:
    assert redemption_source("shopify") is RedemptionSource.SHOPIFY
    assert redemption_source("csv") is RedemptionSource.CSV
    assert redemption_source("manual") is RedemptionSource.OWNER
