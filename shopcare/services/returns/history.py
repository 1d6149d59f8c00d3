"""A return's history log: every step by the shopper, the owner or ShopCare itself, in the
same transaction as the step, so the log never disagrees with the return."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.models import ReturnEvent


def log_return_event(
    session: Session,
    return_id: int,
    *,
    actor: str,
    action: str,
    now: datetime,
    detail: str = "",
) -> None:
    """``actor`` is shopper, owner or system; ``action`` a short verb such as "requested"."""
    session.add(
        ReturnEvent(return_id=return_id, at=now, actor=actor, action=action, detail=detail[:2000])
    )


def return_history(session: Session, return_id: int) -> list[ReturnEvent]:
    return list(
        session.exec(
            select(ReturnEvent)
            .where(ReturnEvent.return_id == return_id)
            .order_by(col(ReturnEvent.at), col(ReturnEvent.id))
        ).all()
    )
