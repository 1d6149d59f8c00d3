"""Shoppers saying no (or yes again) to optional messages, by the token in every email."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer


def is_known(sessions: SessionFactory, token: str) -> bool:
    with sessions() as session:
        return _customer(session, token) is not None


def unsubscribe(sessions: SessionFactory, token: str, *, now: datetime) -> bool:
    """False for an unknown token. Repeating it changes nothing."""
    with transaction(sessions) as session:
        customer = _customer(session, token)
        if customer is None:
            return False
        if customer.unsubscribed_at is None:
            customer.unsubscribed_at = now
            session.add(customer)
        return True


def resubscribe(sessions: SessionFactory, token: str) -> bool:
    with transaction(sessions) as session:
        customer = _customer(session, token)
        if customer is None:
            return False
        customer.unsubscribed_at = None
        session.add(customer)
        return True


def _customer(session: Session, token: str) -> Customer | None:
    if not token:
        return None
    return session.exec(select(Customer).where(Customer.unsubscribe_token == token)).first()
