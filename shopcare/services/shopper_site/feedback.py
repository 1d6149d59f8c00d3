"""Feedback after delivery: one 0-10 score (NPS) and a comment per order, by token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Feedback, ShopOrder
from shopcare.domain.text import clean_text
from shopcare.domain.tokens import public_token
from shopcare.services.errors import InputError


@dataclass(frozen=True)
class FeedbackView:
    order_number: str
    score: int | None
    comment: str


def feedback_by_token(sessions: SessionFactory, token: str) -> FeedbackView | None:
    with sessions() as session:
        row = session.exec(select(Feedback).where(Feedback.public_token == token)).first()
        if row is None:
            return None
        order = session.get(ShopOrder, row.order_id)
        assert order is not None
        return FeedbackView(order.order_number, row.score, row.comment)


def record_feedback(
    sessions: SessionFactory, token: str, *, score: int, comment: str, now: datetime
) -> None:
    """The latest answer counts (a shopper may change their mind)."""
    if not 0 <= score <= 10:
        raise InputError("Choose a score from 0 to 10.")
    with transaction(sessions) as session:
        row = session.exec(select(Feedback).where(Feedback.public_token == token)).first()
        if row is None:
            raise InputError("This feedback link is not valid.")
        row.score, row.answered_at = score, now
        row.comment = clean_text(comment, multiline=True).strip()[:2000]
        session.add(row)


def feedback_token_after_delivery(sessions: SessionFactory, order_id: int, *, now: datetime) -> str:
    """The token of the order's feedback form, made on first use (the tracking page asks
    once the order is delivered, before any feedback email may have made one); "" once the
    shopper has answered, so the page stops asking."""
    with transaction(sessions) as session:
        row = session.exec(select(Feedback).where(Feedback.order_id == order_id)).first()
        if row is None:
            row = Feedback(order_id=order_id, public_token=public_token(), created_at=now)
            session.add(row)
        return "" if row.answered_at else row.public_token


def feedback_form_for_order(
    sessions: SessionFactory, order_token: str, *, now: datetime
) -> str | None:
    """The feedback form's token for the order behind ``order_token``, made on first use;
    "" once answered, None for an unknown order."""
    with sessions() as session:
        order_id = session.exec(
            select(ShopOrder.id).where(ShopOrder.public_token == order_token)
        ).first()
    if order_id is None:
        return None
    return feedback_token_after_delivery(sessions, order_id, now=now)
