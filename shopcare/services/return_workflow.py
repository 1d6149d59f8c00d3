"""The owner's side of a return: approve or reject it with a note, mark the parcel received,
record the refund. Each step tells the shopper, in the same commit."""

from __future__ import annotations

from datetime import datetime

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ReturnRequest, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.returns import ReturnStatus, can_move
from shopcare.services.errors import InputError
from shopcare.services.outbox import enqueue

_MESSAGE = {
    ReturnStatus.APPROVED: MessageKind.RETURN_APPROVED,
    ReturnStatus.REJECTED: MessageKind.RETURN_REJECTED,
    ReturnStatus.RECEIVED: MessageKind.RETURN_RECEIVED,
    ReturnStatus.REFUNDED: MessageKind.RETURN_REFUNDED,
}


def move_return(
    sessions: SessionFactory,
    return_id: int,
    to: ReturnStatus,
    *,
    now: datetime,
    note: str = "",
    refund_minor: int | None = None,
) -> None:
    """``note`` is shown to the shopper with the decision; a refund needs its amount."""
    with transaction(sessions) as session:
        request = session.get(ReturnRequest, return_id)
        if request is None:
            raise InputError("this return does not exist any more")
        current = ReturnStatus(request.status)
        if not can_move(current, to):
            raise InputError(f"a return that is {current} cannot become {to}")
        if to is ReturnStatus.REFUNDED and (refund_minor is None or refund_minor < 0):
            raise InputError("enter the refunded amount")
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        request.status = to
        if note.strip():
            request.owner_note = note.strip()[:2000]
        if refund_minor is not None:
            request.refund_minor = refund_minor
        session.add(request)
        enqueue(
            session,
            _MESSAGE[to],
            order=order,
            return_id=request.id,
            occurrence=request.rma,
            now=now,
        )
