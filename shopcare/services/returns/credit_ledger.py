"""What lowers a store credit's balance, and the log that says so.

Two ways a credit is used: the owner marks the code used with an amount (the shop's
checkout is not ShopCare's), or an order comes in through the intake with the code among
its discount codes. Each is a ``StoreCreditRedemption`` row written in the same
transaction as the lower balance. An order redeems a code once (``order_use``), so a
webhook delivered twice, or the same order imported again from a file, changes nothing.

The balance is lowered with a conditional UPDATE on the balance just read, so the owner and
a webhook at the same moment cannot both spend the same money.

An order cancelled after it redeemed a code gives the amount back: a reversal entry
(source ``cancelled``, the negative amount) is added to the log and the balance raised by
as much. Its ``order_use`` is the redemption's with ``REVERSAL_SUFFIX``, so a cancellation
seen twice gives nothing back twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ShopOrder, StoreCredit, StoreCreditRedemption
from shopcare.domain.intake import OrderIn
from shopcare.domain.store_credit import (
    REDEEMABLE,
    CreditState,
    RedemptionSource,
    credit_status,
    redemption_problem,
    redemption_source,
)
from shopcare.services.errors import InputError

log = logging.getLogger(__name__)
MAX_ORDER_NUMBER = 64
REVERSAL_SUFFIX = ":cancelled"


def state_of(credit: StoreCredit) -> CreditState:
    return CreditState(
        amount_minor=credit.amount_minor,
        balance_minor=credit.balance_minor,
        expires_at=credit.expires_at,
        voided_at=credit.voided_at,
    )


def normal_code(code: str) -> str:
    """Codes are issued in capitals; shop platforms match them in any case."""
    return code.strip().upper()


def credit_currency(sessions: SessionFactory, code: str) -> str | None:
    """The currency of the credit with this code (to read an amount typed for it)."""
    with sessions() as session:
        return session.exec(
            select(StoreCredit.currency).where(StoreCredit.code == normal_code(code))
        ).first()


def redeem_by_owner(
    sessions: SessionFactory,
    code: str,
    *,
    amount_minor: int,
    order_number: str = "",
    by: str,
    now: datetime,
) -> StoreCredit:
    """The owner marks ``amount_minor`` of the credit used. InputError says why not (no
    such code, expired, voided, used up, more than the balance); nothing is written then."""
    wanted = normal_code(code)
    if len(order_number.strip()) > MAX_ORDER_NUMBER:
        raise InputError(f"the order number is longer than {MAX_ORDER_NUMBER} characters")
    with transaction(sessions) as session:
        credit = session.exec(select(StoreCredit).where(StoreCredit.code == wanted)).first()
        if credit is None:
            raise InputError(f"no store credit has the code {wanted or '(empty)'}")
        problem = redemption_problem(state_of(credit), amount_minor, now=now)
        if problem:
            raise InputError(problem)
        _take(
            session, credit, amount_minor, source=RedemptionSource.OWNER,
            order_number=order_number.strip(), by=by, now=now,
        )  # fmt: skip
        session.refresh(credit)
        return credit


def void_credit(sessions: SessionFactory, credit_id: int, *, now: datetime) -> StoreCredit:
    """The owner takes a credit back (issued by mistake, refunded after all): it can no
    longer be used. Its balance and log stay as they were, for the figures."""
    with transaction(sessions) as session:
        credit = session.get(StoreCredit, credit_id)
        if credit is None:
            raise InputError("no such store credit")
        if credit.voided_at is None:
            credit.voided_at = now
            session.add(credit)
        session.flush()
        session.refresh(credit)
        return credit


@dataclass(frozen=True)
class OrderRedemption:
    order_number: str
    code: str
    amount_minor: int


def redeem_order_discounts(
    session: Session, orders: Sequence[OrderIn], *, now: datetime
) -> list[OrderRedemption]:
    """In the caller's transaction: each order's discount codes that are usable store
    credits are redeemed for the discount's amount (at most the balance left), once per
    order and code. Orders that came in cancelled, or are stored cancelled, redeem nothing;
    codes of expired, voided or used credits, or in another currency, are logged and left
    alone."""
    wanted = [
        (o, d, normal_code(d.code))
        for o in orders
        if o.cancelled_at is None
        for d in o.discounts
        if d.amount_minor > 0 and normal_code(d.code)
    ]
    if not wanted:
        return []
    cancelled = set(
        session.exec(
            select(ShopOrder.order_number).where(
                col(ShopOrder.order_number).in_({o.order_number.strip() for o, _, _ in wanted}),
                col(ShopOrder.cancelled_at).is_not(None),
            )
        )
    )
    wanted = [w for w in wanted if w[0].order_number.strip() not in cancelled]
    credits = {
        c.code: c
        for c in session.exec(
            select(StoreCredit).where(col(StoreCredit.code).in_({code for _, _, code in wanted}))
        )
    }
    keys = {_order_use(o, code) for o, _, code in wanted if code in credits}
    done = set(
        session.exec(
            select(StoreCreditRedemption.order_use).where(
                col(StoreCreditRedemption.order_use).in_(keys)
            )
        )
    )
    redeemed = []
    for order_in, discount, code in wanted:
        credit, key = credits.get(code), _order_use(order_in, code)
        if credit is None or key in done:
            continue
        done.add(key)
        amount = min(discount.amount_minor, credit.balance_minor)
        status = credit_status(state_of(credit), now=now)
        if status not in REDEEMABLE or credit.currency != order_in.currency.strip().upper():
            log.warning(
                "order %s used store credit %s (%s, %s) but it cannot be redeemed",
                order_in.order_number, code, status, credit.currency,
            )  # fmt: skip
            continue
        _take(
            session, credit, amount, source=redemption_source(order_in.source),
            order_number=order_in.order_number.strip(), by="", now=now, order_use=key,
        )  # fmt: skip
        session.refresh(credit)
        redeemed.append(OrderRedemption(order_in.order_number.strip(), code, amount))
    return redeemed


def reverse_order_redemptions(session: Session, order_id: int, *, now: datetime) -> int:
    """In the caller's transaction, for an order just cancelled: every credit amount the
    order redeemed at the checkout goes back to its credit, as a reversal in the log. The
    owner's own entries that name the order stay as they are (the owner wrote them and can
    see the order). The number of reversals written; 0 when they were written before."""
    order_number = session.execute(
        sa.select(col(ShopOrder.order_number)).where(col(ShopOrder.id) == order_id)
    ).scalar_one_or_none()
    if order_number is None:
        return 0
    taken = session.exec(
        select(StoreCreditRedemption).where(
            StoreCreditRedemption.order_number == order_number[:MAX_ORDER_NUMBER],
            col(StoreCreditRedemption.order_use).is_not(None),
            StoreCreditRedemption.source != RedemptionSource.CANCELLED,
            StoreCreditRedemption.amount_minor > 0,
        )
    ).all()
    wanted = {f"{r.order_use}{REVERSAL_SUFFIX}": r for r in taken}
    if not wanted:
        return 0
    done = set(
        session.exec(
            select(StoreCreditRedemption.order_use).where(
                col(StoreCreditRedemption.order_use).in_(wanted)
            )
        )
    )
    reversed_ = 0
    for key, redemption in sorted(wanted.items()):
        if key in done:
            continue
        session.execute(
            sa.update(StoreCredit)
            .where(col(StoreCredit.id) == redemption.credit_id)
            .values(
                balance_minor=col(StoreCredit.balance_minor) + redemption.amount_minor,
                redeemed_at=None,
            )
        )
        session.add(
            StoreCreditRedemption(
                credit_id=redemption.credit_id,
                amount_minor=-redemption.amount_minor,
                order_number=redemption.order_number,
                source=RedemptionSource.CANCELLED,
                at=now,
                order_use=key,
            )
        )
        reversed_ += 1
    session.flush()
    return reversed_


def _order_use(order_in: OrderIn, code: str) -> str:
    return f"{order_in.order_number.strip()}:{code}"


def _take(
    session: Session,
    credit: StoreCredit,
    amount_minor: int,
    *,
    source: RedemptionSource,
    order_number: str,
    by: str,
    now: datetime,
    order_use: str | None = None,
) -> None:
    left = credit.balance_minor - amount_minor
    changed = session.execute(
        sa.update(StoreCredit)
        .where(
            col(StoreCredit.id) == credit.id,
            col(StoreCredit.balance_minor) == credit.balance_minor,
        )
        .values(balance_minor=left, redeemed_at=now if left == 0 else None)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise InputError("the credit was used meanwhile: look at its balance and try again")
    assert credit.id is not None
    session.add(
        StoreCreditRedemption(
            credit_id=credit.id,
            amount_minor=amount_minor,
            order_number=order_number[:MAX_ORDER_NUMBER],
            source=source,
            recorded_by=by,
            at=now,
            order_use=order_use,
        )
    )
    session.flush()
