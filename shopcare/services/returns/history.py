"""A return's history log: every step by the shopper, an admin or ShopCare itself, in the
same transaction as the step, so the log never disagrees with the return."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.models import ReturnEvent

SHOPPER, SYSTEM = "shopper", "system"
"""The actors that are not an admin; any other actor is the admin's user name (or "owner",
written for every admin before the names were kept, or "" when no one was signed in)."""


def log_return_event(
    session: Session,
    return_id: int,
    *,
    actor: str,
    action: str,
    now: datetime,
    detail: str = "",
) -> None:
    """``actor`` is ``SHOPPER``, ``SYSTEM`` or the admin's user name; ``action`` a short verb
    such as "requested"."""
    session.add(
        ReturnEvent(
            return_id=return_id, at=now, actor=actor[:100], action=action, detail=detail[:2000]
        )
    )


def return_history(session: Session, return_id: int) -> list[ReturnEvent]:
    return list(
        session.exec(
            select(ReturnEvent)
            .where(ReturnEvent.return_id == return_id)
            .order_by(col(ReturnEvent.at), col(ReturnEvent.id))
        ).all()
    )
