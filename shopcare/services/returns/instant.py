"""Instant exchanges: when the owner offers them (to every shopper or only to repeat
customers), the replacement order of an exchange is made at approval, before the item comes
back, and the return is watched: a return parcel with no carrier scan after the owner's
number of days becomes an item on the Problems list, once.

The trust is the owner's to give: a shopper who never sends the item back has the new one
anyway, so the watch makes sure somebody looks.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ProblemReport, ReturnRequest, Shipment, ShopOrder
from shopcare.domain.return_offers import instant_exchange_allowed, return_overdue
from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.services.returns.exchanges import SOURCE, create_exchange_order
from shopcare.services.returns.history import SYSTEM, log_return_event
from shopcare.services.returns.offers import load_offers
from shopcare.services.shopper_site.problem_reports import OPEN, ProblemKind


def start_instant_exchange(session: Session, request: ReturnRequest, *, now: datetime) -> bool:
    """In the caller's transaction, at approval: make the replacement order now when the
    owner offers instant exchanges and this shopper qualifies. True when it was made."""
    if request.resolution != Resolution.EXCHANGE or request.exchange_order_id is not None:
        return False
    offers = load_offers(session)
    if not offers.instant_exchange:
        return False
    order = session.get(ShopOrder, request.order_id)
    assert order is not None and request.id is not None
    earlier = earlier_delivered_orders(session, order)
    if not instant_exchange_allowed(offers, earlier_delivered_orders=earlier):
        return False
    exchange = create_exchange_order(session, request, now=now)
    request.instant_exchange_at = now
    session.add(request)
    log_return_event(
        session,
        request.id,
        actor=SYSTEM,
        action="instant_exchange",
        now=now,
        detail=f"exchange order {exchange.order_number}, sent before the item is back",
    )
    return True


def earlier_delivered_orders(session: Session, order: ShopOrder) -> int:
    """The shopper's orders placed before this one with a parcel delivered (exchange
    orders do not count: they are not purchases)."""
    return int(
        session.exec(
            select(func.count(func.distinct(ShopOrder.id)))
            .join(Shipment, col(Shipment.order_id) == col(ShopOrder.id))
            .where(
                ShopOrder.customer_id == order.customer_id,
                ShopOrder.id != order.id,
                ShopOrder.placed_at < order.placed_at,
                ShopOrder.source != SOURCE,
                col(Shipment.delivered_at).is_not(None),
                col(Shipment.return_id).is_(None),
            )
        ).one()
    )


def watch_instant_exchanges(sessions: SessionFactory, *, now: datetime) -> int:
    """The scheduler's pass: open a Problems item for each instant exchange whose item is
    overdue and not yet flagged; returns how many were opened."""
    opened = 0
    with transaction(sessions) as session:
        offers = load_offers(session)
        watched = session.exec(
            select(ReturnRequest).where(
                col(ReturnRequest.instant_exchange_at).is_not(None),
                col(ReturnRequest.watch_flagged_at).is_(None),
                ReturnRequest.status == ReturnStatus.APPROVED,
            )
        ).all()
        for request in watched:
            assert request.instant_exchange_at is not None and request.id is not None
            statuses = session.exec(
                select(Shipment.status).where(Shipment.return_id == request.id)
            ).all()
            if not return_overdue(
                offers, sent_at=request.instant_exchange_at, parcel_statuses=statuses, now=now
            ):
                continue
            session.add(
                ProblemReport(
                    order_id=request.order_id,
                    kind=ProblemKind.RETURN_NOT_SENT,
                    message=_words(session, request, days=offers.watch_days),
                    status=OPEN,
                    created_at=now,
                )
            )
            request.watch_flagged_at = now
            session.add(request)
            log_return_event(
                session, request.id, actor=SYSTEM, action="watch_flagged", now=now,
                detail=f"no carrier scan of the return parcel after {offers.watch_days} days",
            )  # fmt: skip
            opened += 1
    return opened


def _words(session: Session, request: ReturnRequest, *, days: int) -> str:
    exchange = session.get(ShopOrder, request.exchange_order_id or 0)
    number = exchange.order_number if exchange else "?"
    return (
        f"Return {request.rma}: the replacement (order {number}) was sent at approval, and "
        f"after {days} days no carrier has scanned the return parcel."
    )
