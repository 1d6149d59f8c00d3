"""The owner's side of a return: approve or reject it with a note, mark what came back and
in which condition, then settle it with a refund, an exchange order or store credit.

Each step changes the status, writes the history row and queues the shopper's email in one
commit; ``by`` (the signed-in admin's user name) is who the history says took it.
Settling sends ``RETURN_REFUNDED`` whatever the outcome: the message is "your return
is settled", worded for a refund, an exchange or a credit from ``m.resolution`` (one switch
and one template for the owner to edit, one closing message per return).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ReturnLine, ReturnRequest, ShopOrder, StoreCredit
from shopcare.domain.messages import MessageKind
from shopcare.domain.money import format_money
from shopcare.domain.returns import (
    Condition,
    RefundLimits,
    Resolution,
    ReturnStatus,
    move_problem,
    received_problem,
    refund_limits,
    refund_problem,
)
from shopcare.services.errors import InputError
from shopcare.services.messages.outbox import enqueue
from shopcare.services.returns.exchanges import create_exchange_order
from shopcare.services.returns.history import log_return_event
from shopcare.services.returns.instant import start_instant_exchange
from shopcare.services.returns.labels.planning import follow_return
from shopcare.services.returns.offers import extra_credit
from shopcare.services.returns.store_credit import issue_credit

S = ReturnStatus
_MESSAGE = {
    S.APPROVED: MessageKind.RETURN_APPROVED,
    S.REJECTED: MessageKind.RETURN_REJECTED,
    S.RECEIVED: MessageKind.RETURN_RECEIVED,
    S.REFUNDED: MessageKind.RETURN_REFUNDED,
    S.EXCHANGED: MessageKind.RETURN_REFUNDED,
    S.CREDITED: MessageKind.RETURN_REFUNDED,
}
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Received:
    """One return line as it came back."""

    quantity: int
    condition: Condition


def approve_return(
    sessions: SessionFactory, return_id: int, *, now: datetime, note: str = "", by: str = ""
) -> None:
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _step(session, request, S.APPROVED, now=now, note=note, detail=note.strip(), by=by)
        start_instant_exchange(session, request, now=now)


def reject_return(
    sessions: SessionFactory, return_id: int, *, now: datetime, note: str, by: str = ""
) -> None:
    """The shopper is always told why."""
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _check(request, S.REJECTED)
        if not note.strip():
            raise InputError("write the shopper a note saying why the return is rejected")
        _step(session, request, S.REJECTED, now=now, note=note, detail=note.strip(), by=by)


def receive_return(
    sessions: SessionFactory,
    return_id: int,
    *,
    now: datetime,
    received: Mapping[int, Received] | None = None,
    note: str = "",
    by: str = "",
) -> None:
    """``received`` by return line id; a line left out came back in full (the quick "mark
    received" on the order page leaves them all out and records no condition)."""
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _check(request, S.RECEIVED)
        lines = _lines(session, return_id)
        unknown = set(received or {}) - {line.id for line, _ in lines}
        if unknown:
            raise InputError("one of the items is not part of this return")
        words = []
        for line, order_line in lines:
            got = (received or {}).get(line.id or 0, Received(line.quantity, Condition.AS_NEW))
            problem = received_problem(got.quantity, returned=line.quantity)
            if problem:
                raise InputError(f"{order_line.title}: {problem}")
            line.received_quantity = got.quantity
            line.condition = got.condition if received and line.id in received else ""
            session.add(line)
            condition = f" ({line.condition.replace('_', ' ')})" if line.condition else ""
            words.append(f"{got.quantity} of {line.quantity} × {order_line.title}{condition}")
        detail = "; ".join(words) + (f". {note.strip()}" if note.strip() else "")
        _step(session, request, S.RECEIVED, now=now, note=note, detail=detail, by=by)


def refund_return(
    sessions: SessionFactory,
    return_id: int,
    *,
    now: datetime,
    amount_minor: int | None = None,
    by: str = "",
) -> int:
    """Records the refund the owner made in the shop's payment system; the amount defaults to
    the suggestion of ``refund_figures``. Returns the amount."""
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _check(request, S.REFUNDED)
        order = _order(session, request)
        amount = _amount(session, request, order, amount_minor)
        request.refund_minor = amount
        detail = format_money(amount, order.currency)
        _step(session, request, S.REFUNDED, now=now, detail=detail, by=by)
    return amount


def credit_return(
    sessions: SessionFactory,
    return_id: int,
    *,
    now: datetime,
    amount_minor: int | None = None,
    by: str = "",
) -> str:
    """Issues a store credit code worth the amount (same rules as a refund, plus the bonus
    the shopper was shown for choosing credit); returns it."""
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _check(request, S.CREDITED)
        order = _order(session, request)
        bonus = extra_credit(session, request, exchange=False)
        amount = _amount(session, request, order, amount_minor, extra=bonus)
        credit = issue_credit(
            session, request, amount_minor=amount, currency=order.currency, now=now
        )
        detail = f"{credit.code}, {format_money(amount, order.currency)}"
        if bonus:
            detail += f" (bonus {format_money(bonus, order.currency)} included)"
        _step(session, request, S.CREDITED, now=now, detail=detail, by=by)
    return credit.code


def exchange_return(
    sessions: SessionFactory,
    return_id: int,
    *,
    now: datetime,
    carriers: Sequence[str] = (),
    by: str = "",
) -> str:
    """Creates the exchange order (free, confirmation queued), unless an instant exchange
    made it at approval; the bonus and what cheaper products leave over become one store
    credit. Returns the exchange's order number."""
    with transaction(sessions) as session:
        request = _load(session, return_id)
        _check(request, S.EXCHANGED)
        made = session.get(ShopOrder, request.exchange_order_id or 0)
        exchange = made or create_exchange_order(session, request, now=now, carriers=carriers)
        detail = f"exchange order {exchange.order_number}"
        extra = extra_credit(session, request, exchange=True)
        if extra > 0:
            currency = _order(session, request).currency
            credit = issue_credit(session, request, amount_minor=extra, currency=currency, now=now)
            detail += f"; store credit {credit.code}, {format_money(extra, currency)}"
        _step(session, request, S.EXCHANGED, now=now, detail=detail, by=by)
    return exchange.order_number


def refund_figures(sessions: SessionFactory, return_id: int) -> RefundLimits:
    """The suggested refund and the most that may be refunded, for the owner's form."""
    with sessions() as session:
        request = _load(session, return_id)
        return _limits(session, request, _order(session, request))


def move_return(
    sessions: SessionFactory,
    return_id: int,
    to: ReturnStatus,
    *,
    now: datetime,
    note: str = "",
    refund_minor: int | None = None,
    by: str = "",
) -> None:
    """One entry for the simple steps (the order page's buttons): ``note`` goes to the shopper
    with a decision, ``refund_minor`` is the refunded or credited amount (None: suggested)."""
    if to is S.APPROVED:
        approve_return(sessions, return_id, now=now, note=note, by=by)
    elif to is S.REJECTED:
        reject_return(sessions, return_id, now=now, note=note, by=by)
    elif to is S.RECEIVED:
        receive_return(sessions, return_id, now=now, note=note, by=by)
    elif to is S.REFUNDED:
        refund_return(sessions, return_id, now=now, amount_minor=refund_minor, by=by)
    elif to is S.CREDITED:
        credit_return(sessions, return_id, now=now, amount_minor=refund_minor, by=by)
    elif to is S.EXCHANGED:
        exchange_return(sessions, return_id, now=now, by=by)
    else:
        raise InputError(f"a return cannot be moved back to {to}")


def _load(session: Session, return_id: int) -> ReturnRequest:
    request = session.get(ReturnRequest, return_id)
    if request is None:
        raise InputError("this return does not exist any more")
    return request


def _order(session: Session, request: ReturnRequest) -> ShopOrder:
    order = session.get(ShopOrder, request.order_id)
    assert order is not None
    return order


def _check(request: ReturnRequest, to: ReturnStatus) -> None:
    problem = move_problem(S(request.status), to, resolution=request.resolution)
    if problem:
        raise InputError(problem)


def _step(
    session: Session,
    request: ReturnRequest,
    to: ReturnStatus,
    *,
    now: datetime,
    detail: str,
    note: str = "",
    by: str,
) -> None:
    """Status, history and the shopper's email, in the caller's transaction; ``by`` is who
    took the step, as the history names them."""
    _check(request, to)
    assert request.id is not None
    request.status = to
    request.updated_at = now
    if note.strip():
        request.owner_note = note.strip()[:NOTE_LIMIT]
    session.add(request)
    log_return_event(session, request.id, actor=by, action=to, now=now, detail=detail)
    enqueue(
        session,
        _MESSAGE[to],
        order=_order(session, request),
        return_id=request.id,
        occurrence=request.rma,
        now=now,
    )
    follow_return(session, request, to, now=now)  # a prepaid label bought or voided


def _lines(session: Session, return_id: int) -> list[tuple[ReturnLine, OrderLine]]:
    rows = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(ReturnLine.return_id == return_id)
        .order_by(col(ReturnLine.id))
    ).all()
    return [(line, order_line) for line, order_line in rows]


def _amount(
    session: Session,
    request: ReturnRequest,
    order: ShopOrder,
    amount: int | None,
    *,
    extra: int = 0,
) -> int:
    """``extra``: a credit's bonus, given on top of what the items are worth."""
    limits = _limits(session, request, order)
    if amount is None:
        return limits.suggested + extra
    limits = replace(limits, most=limits.most + extra)
    problem = refund_problem(amount, limits)
    if problem:
        most = format_money(limits.most, order.currency)
        raise InputError(f"{problem} (at most {most})")
    return amount


def _limits(session: Session, request: ReturnRequest, order: ShopOrder) -> RefundLimits:
    lines = _lines(session, request.id or 0)
    paid = sum(line.quantity * ol.unit_price_minor for line, ol in lines)
    if request.resolution == Resolution.KEEP:
        kept = paid
    else:
        kept = sum(
            (line.quantity if line.received_quantity is None else line.received_quantity)
            * ol.unit_price_minor
            for line, ol in lines
        )
    return refund_limits(
        items_value=kept,
        paid_value=paid,
        fee=request.fee_minor,
        order_total=order.total_minor,
        given_back=_given_back(session, request),
    )


def _given_back(session: Session, request: ReturnRequest) -> int:
    """Refunds and credits of the order's other returns."""
    others = session.exec(
        select(ReturnRequest).where(
            ReturnRequest.order_id == request.order_id, ReturnRequest.id != request.id
        )
    ).all()
    refunded = sum(r.refund_minor or 0 for r in others if r.status == S.REFUNDED)
    credited = session.exec(
        select(StoreCredit.amount_minor).where(
            col(StoreCredit.return_id).in_([r.id for r in others])
        )
    ).all()
    return refunded + sum(credited)
