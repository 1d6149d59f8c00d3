"""Saying no (or yes again) to optional messages, by the token in every email: a shopper for
all their orders (``Customer.unsubscribe_token``), or someone who watches one parcel by its
number alone (``ShipmentWatch.token``, whose "yes" is the confirmation of the watch). Both
follow one set of rules, so they live here once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, ShipmentWatch


class Who(StrEnum):
    SHOPPER = "shopper"
    """The order's shopper: all optional messages about their orders."""
    WATCH = "watch"
    """Someone following one parcel by its number."""


MAX_TOKEN = 64
"""Longer "tokens" are refused before the store is asked."""


def is_known(sessions: SessionFactory, token: str, *, who: Who = Who.SHOPPER) -> bool:
    with sessions() as session:
        return _recipient(session, who, token) is not None


def unsubscribe(
    sessions: SessionFactory, token: str, *, now: datetime, who: Who = Who.SHOPPER
) -> bool:
    """False for an unknown token. Repeating it changes nothing (the first date stays)."""
    with transaction(sessions) as session:
        found = _recipient(session, who, token)
        if found is None:
            return False
        if found.unsubscribed_at is None:
            found.unsubscribed_at = now
            session.add(found)
        return True


def resubscribe(sessions: SessionFactory, token: str, *, who: Who = Who.SHOPPER) -> bool:
    """Optional messages again (for a watch: its confirmation); False for an unknown token."""
    with transaction(sessions) as session:
        found = _recipient(session, who, token)
        if found is None:
            return False
        found.unsubscribed_at = None
        session.add(found)
        return True


def record_whatsapp_consent(
    sessions: SessionFactory, customer_id: int, *, given: bool, now: datetime
) -> bool:
    """Record that the shopper agreed to WhatsApp messages (``given``) or withdrew it;
    the first date of agreement stays while it holds. False for an unknown shopper."""
    with transaction(sessions) as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            return False
        if not given:
            customer.whatsapp_consent_at = None
        elif customer.whatsapp_consent_at is None:
            customer.whatsapp_consent_at = now
        session.add(customer)
        return True


def _recipient(session: Session, who: Who, token: str) -> Customer | ShipmentWatch | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    if who is Who.WATCH:
        return session.exec(select(ShipmentWatch).where(ShipmentWatch.token == token)).first()
    return session.exec(select(Customer).where(Customer.unsubscribe_token == token)).first()
