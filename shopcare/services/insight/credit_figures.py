"""Store credit in one period, per currency, for the returns panel: what was issued, what
shoppers spent of it (redemptions in the period, whenever the credit was issued), what
expired unspent, and what was still outstanding when the period ended (or now, for the
period running): the money the shop still owes in goods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.models import StoreCredit, StoreCreditRedemption
from shopcare.domain.insight import Period


@dataclass(frozen=True)
class CreditMoney:
    issued: int = 0
    redeemed: int = 0
    expired: int = 0
    outstanding: int = 0


def credit_figures(session: Session, period: Period, *, now: datetime) -> dict[str, CreditMoney]:
    start, end = period.utc_bounds()
    cut = min(end, now.astimezone(UTC))
    found: dict[str, dict[str, int]] = {}
    for name, query in (
        ("issued", _issued(start, end)),
        ("redeemed", _redeemed(start, end)),
        ("expired", _expired(start, cut)),
        ("outstanding", _outstanding(cut)),
    ):
        for currency, total in session.execute(query).all():
            found.setdefault(str(currency), {})[name] = int(total or 0)
    return {c: CreditMoney(**values) for c, values in found.items()}


def _issued(start: Any, end: Any) -> Any:
    created = col(StoreCredit.created_at)
    return (
        sa.select(col(StoreCredit.currency), sa.func.sum(col(StoreCredit.amount_minor)))
        .where(created >= start, created < end)
        .group_by(col(StoreCredit.currency))
    )


def _redeemed(start: Any, end: Any) -> Any:
    at = col(StoreCreditRedemption.at)
    return (
        sa.select(col(StoreCredit.currency), sa.func.sum(col(StoreCreditRedemption.amount_minor)))
        .join(StoreCredit, col(StoreCredit.id) == col(StoreCreditRedemption.credit_id))
        .where(at >= start, at < end)
        .group_by(col(StoreCredit.currency))
    )


def _expired(start: Any, cut: Any) -> Any:
    """The balance left on credits whose date fell in the period (none can be spent after
    it, so what is left now is what was left then)."""
    expires = col(StoreCredit.expires_at)
    return (
        sa.select(col(StoreCredit.currency), sa.func.sum(col(StoreCredit.balance_minor)))
        .where(
            expires >= start,
            expires < cut,
            col(StoreCredit.voided_at).is_(None),
            col(StoreCredit.balance_minor) > 0,
        )
        .group_by(col(StoreCredit.currency))
    )


def _outstanding(cut: Any) -> Any:
    """Issued before the cut, neither voided nor expired by then: the amount less what was
    redeemed before it."""
    spent = (
        sa.select(sa.func.coalesce(sa.func.sum(col(StoreCreditRedemption.amount_minor)), 0))
        .where(
            col(StoreCreditRedemption.credit_id) == col(StoreCredit.id),
            col(StoreCreditRedemption.at) < cut,
        )
        .correlate(StoreCredit)
        .scalar_subquery()
    )
    voided, expires = col(StoreCredit.voided_at), col(StoreCredit.expires_at)
    return (
        sa.select(col(StoreCredit.currency), sa.func.sum(col(StoreCredit.amount_minor) - spent))
        .where(
            col(StoreCredit.created_at) < cut,
            sa.or_(voided.is_(None), voided >= cut),
            sa.or_(expires.is_(None), expires > cut),
        )
        .group_by(col(StoreCredit.currency))
    )
