"""Read models of store credit: the owner's list (search by code or email, a filter by
status, counts per status) with one credit's history, and the shopper's own credits for the
account page. Times are in the shop's time zone; statuses are derived at ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ReturnRequest, ShopOrder, StoreCredit, StoreCreditRedemption
from shopcare.domain.paging import Page, page_within
from shopcare.domain.store_credit import CreditStatus, credit_status
from shopcare.services.returns.credit_ledger import state_of
from shopcare.services.shop.profile import load_profile

LIST_LIMIT = 500


@dataclass(frozen=True)
class CreditFilter:
    text: str = ""
    """Part of the code or of the shopper's email."""
    status: str = ""
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class CreditRow:
    id: int
    code: str
    email: str
    order_number: str
    rma: str
    return_id: int
    amount_minor: int
    balance_minor: int
    currency: str
    status: CreditStatus
    issued_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class Redemption:
    at: datetime
    amount_minor: int
    order_number: str
    source: str
    by: str


@dataclass(frozen=True)
class CreditList:
    page: Page[CreditRow]
    counts: dict[CreditStatus, int]
    """Per status, under the text search alone."""


def status_where(status: CreditStatus, *, now: datetime) -> sa.ColumnElement[bool]:
    """The SQL twin of ``domain.store_credit.credit_status``, for the filter and counts."""
    voided = col(StoreCredit.voided_at).is_not(None)
    used = col(StoreCredit.balance_minor) <= 0
    expires = col(StoreCredit.expires_at)
    expired = sa.and_(expires.is_not(None), expires <= now.astimezone(UTC))
    partly = col(StoreCredit.balance_minor) < col(StoreCredit.amount_minor)
    live = sa.and_(sa.not_(voided), sa.not_(used), sa.not_(expired))
    return {
        CreditStatus.VOIDED: voided,
        CreditStatus.USED: sa.and_(sa.not_(voided), used),
        CreditStatus.EXPIRED: sa.and_(sa.not_(voided), sa.not_(used), expired),
        CreditStatus.PARTLY_USED: sa.and_(live, partly),
        CreditStatus.ACTIVE: sa.and_(live, sa.not_(partly)),
    }[status]


def _base(text: str) -> Any:
    query = (
        sa.select(
            StoreCredit, col(ReturnRequest.rma), col(ShopOrder.email), col(ShopOrder.order_number)
        )
        .join(ReturnRequest, col(ReturnRequest.id) == col(StoreCredit.return_id))
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
    )
    wanted = text.strip().lower()
    if wanted:
        like = f"%{wanted.replace('%', '').replace('_', '')}%"
        query = query.where(
            sa.or_(
                sa.func.lower(col(StoreCredit.code)).like(like),
                sa.func.lower(col(ShopOrder.email)).like(like),
            )
        )
    return query


def credit_list(sessions: SessionFactory, wanted: CreditFilter, *, now: datetime) -> CreditList:
    per_page = max(1, min(wanted.per_page, LIST_LIMIT))
    with sessions() as session:
        zone = load_profile(session).zone
        base = _base(wanted.text)
        counts = {
            s: session.execute(
                sa.select(sa.func.count()).select_from(
                    base.where(status_where(s, now=now)).subquery()
                )
            ).scalar_one()
            for s in CreditStatus
        }
        shown = base
        if wanted.status in CreditStatus.__members__.values():
            shown = base.where(status_where(CreditStatus(wanted.status), now=now))
        total = session.execute(
            sa.select(sa.func.count()).select_from(shown.subquery())
        ).scalar_one()
        page = page_within(wanted.page, total, per_page)
        found = session.execute(
            shown.order_by(col(StoreCredit.created_at).desc(), col(StoreCredit.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        rows = [_row(credit, rma, email, number, now=now, zone=zone) for credit, rma, email,
                number in found]  # fmt: skip
    return CreditList(Page(rows, total, page, per_page), counts)


def _row(
    credit: StoreCredit, rma: str, email: str, number: str, *, now: datetime, zone: Any
) -> CreditRow:
    assert credit.id is not None
    return CreditRow(
        id=credit.id,
        code=credit.code,
        email=email,
        order_number=number,
        rma=rma,
        return_id=credit.return_id,
        amount_minor=credit.amount_minor,
        balance_minor=credit.balance_minor,
        currency=credit.currency,
        status=credit_status(state_of(credit), now=now),
        issued_at=credit.created_at.astimezone(zone),
        expires_at=credit.expires_at.astimezone(zone) if credit.expires_at else None,
    )


def credit_history(
    sessions: SessionFactory, credit_id: int, *, now: datetime
) -> tuple[CreditRow, list[Redemption]] | None:
    """One credit and its redemptions, oldest first; None when there is no such credit."""
    with sessions() as session:
        zone = load_profile(session).zone
        found = session.execute(_base("").where(col(StoreCredit.id) == credit_id)).first()
        if found is None:
            return None
        redemptions = session.exec(
            select(StoreCreditRedemption)
            .where(StoreCreditRedemption.credit_id == credit_id)
            .order_by(col(StoreCreditRedemption.at), col(StoreCreditRedemption.id))
        ).all()
        row = _row(*found, now=now, zone=zone)
    return row, [
        Redemption(r.at.astimezone(zone), r.amount_minor, r.order_number, r.source, r.recorded_by)
        for r in redemptions
    ]


def credits_of_customer(session: Session, customer_id: int, *, now: datetime) -> list[CreditRow]:
    """The shopper's credits from all their orders' returns, newest first (voided ones are
    the shop's business, not the shopper's)."""
    zone = load_profile(session).zone
    found = session.execute(
        _base("")
        .where(col(ShopOrder.customer_id) == customer_id, col(StoreCredit.voided_at).is_(None))
        .order_by(col(StoreCredit.created_at).desc(), col(StoreCredit.id).desc())
    ).all()
    return [_row(*f, now=now, zone=zone) for f in found]
