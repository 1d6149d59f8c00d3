"""The owner's notes on an order: written from the order page, shown in its timeline with
who wrote them (the signed-in account's user name, looked up here so the page cannot
claim another author)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import AdminUser, OrderNote, ShopOrder
from shopcare.services.errors import InputError

NOTE_MAX = 2000
"""A note is a few sentences; a pasted e-mail thread belongs elsewhere."""


def add_note(
    sessions: SessionFactory, order_id: int, *, text: str, author_id: int | None, now: datetime
) -> OrderNote:
    """Stores one note; ``InputError`` (nothing written) for an empty or too long note or
    an order that no longer exists."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError("the note is empty")
    if len(cleaned) > NOTE_MAX:
        raise InputError(f"a note can hold at most {NOTE_MAX} characters ({len(cleaned)} given)")
    with transaction(sessions) as session:
        if session.get(ShopOrder, order_id) is None:
            raise InputError("this order no longer exists")
        user = session.get(AdminUser, author_id) if author_id is not None else None
        note = OrderNote(
            order_id=order_id,
            created_at=now,
            author=user.username if user else "",
            text=cleaned,
        )
        session.add(note)
        session.flush()
        return note


ACTIONS = {
    "edited": "Order edited",
    "cancelled": "Order cancelled",
    "parcel_added": "Parcel added",
}
"""What an admin did to an order, as its timeline names it."""


def record_action(
    session: Session, order_id: int, *, action: str, by: str, detail: str, now: datetime
) -> None:
    """In the caller's transaction, so the change and who made it are stored together."""
    assert action in ACTIONS, action
    session.add(
        OrderNote(
            order_id=order_id, created_at=now, author=by[:100], text=detail[:NOTE_MAX],
            action=action,
        )
    )  # fmt: skip
