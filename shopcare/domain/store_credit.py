"""Store credit's rules: what a credit's balance and dates make of it, when it expires, and
whether an amount may be taken from it.

A credit is issued for an amount in one currency and keeps a remaining balance; each
redemption (the owner marking the code used, or an order that came in with the code as its
discount) lowers it. The status is derived, never stored: "expired" depends on the moment
asked about, so a stored one would go stale at midnight.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_EXPIRY_MONTHS = 120
"""Ten years: anything longer is "never" in all but name."""


class CreditStatus(StrEnum):
    ACTIVE = "active"
    PARTLY_USED = "partly_used"
    USED = "used"
    EXPIRED = "expired"
    VOIDED = "voided"


REDEEMABLE = frozenset({CreditStatus.ACTIVE, CreditStatus.PARTLY_USED})


class RedemptionSource(StrEnum):
    """Who saw the code used: the owner by hand, or the order intake by its source."""

    OWNER = "owner"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    CSV = "csv"
    API = "api"
    CANCELLED = "cancelled"
    """Not a use: the order that redeemed the code was cancelled, and this entry gives the
    amount back (a negative amount, so every sum over the log stays right)."""


def redemption_source(order_source: str) -> RedemptionSource:
    """An order source's name as a redemption source; an order typed in by hand (or any
    other source) was the owner's doing."""
    try:
        return RedemptionSource(order_source)
    except ValueError:
        return RedemptionSource.OWNER


@dataclass(frozen=True)
class CreditState:
    """What the status rule needs of one credit."""

    amount_minor: int
    balance_minor: int
    expires_at: datetime | None = None
    voided_at: datetime | None = None


def credit_status(credit: CreditState, *, now: datetime) -> CreditStatus:
    """Voided wins, then used up (a credit spent to the last cent before its date stays
    "used", not "expired"), then expired, then partly used or untouched."""
    if credit.voided_at is not None:
        return CreditStatus.VOIDED
    if credit.balance_minor <= 0:
        return CreditStatus.USED
    if credit.expires_at is not None and now >= credit.expires_at:
        return CreditStatus.EXPIRED
    if credit.balance_minor < credit.amount_minor:
        return CreditStatus.PARTLY_USED
    return CreditStatus.ACTIVE


def expiry_for(issued_at: datetime, *, months: int) -> datetime | None:
    """``months`` calendar months after issue (0: never). The 31 January plus one month is
    the last day of February, as people count it."""
    if months <= 0:
        return None
    index = issued_at.month - 1 + months
    year, month = issued_at.year + index // 12, index % 12 + 1
    day = min(issued_at.day, calendar.monthrange(year, month)[1])
    return issued_at.replace(year=year, month=month, day=day)


def expiry_months_problem(months: object) -> str | None:
    if not isinstance(months, int) or isinstance(months, bool):
        return "the expiry is a whole number of months"
    if not 0 <= months <= MAX_EXPIRY_MONTHS:
        return f"the expiry must be between 0 (never) and {MAX_EXPIRY_MONTHS} months"
    return None


MAX_REMINDER_DAYS = 365


def reminder_days_problem(days: object) -> str | None:
    if not isinstance(days, int) or isinstance(days, bool):
        return "the reminder is a whole number of days"
    if not 0 <= days <= MAX_REMINDER_DAYS:
        return f"the reminder must be between 0 (none) and {MAX_REMINDER_DAYS} days before"
    return None


def redemption_problem(credit: CreditState, amount_minor: int, *, now: datetime) -> str | None:
    """Why ``amount_minor`` cannot be taken from the credit now, or None when it can."""
    status = credit_status(credit, now=now)
    if amount_minor <= 0:
        return "the amount used must be more than zero"
    if status not in REDEEMABLE:
        return f"this credit is {status.replace('_', ' ')} and cannot be used"
    if amount_minor > credit.balance_minor:
        return "the amount is more than the credit's remaining balance"
    return None
