"""Saying no (or yes again) to optional messages, by the token in every email: a shopper for
all their orders (``Customer.unsubscribe_token``), or someone who watches one parcel by its
number alone (``ShipmentWatch.token``, whose "yes" is the confirmation of the watch). Both
follow one set of rules, so they live here once. And the shopper's yes or no to WhatsApp
(``Customer.whatsapp_consent_at``), given on their tracking and account pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, OutboxMessage, ShipmentWatch, ShopOrder
from shopcare.domain.phones import number_ending, phone_number
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.outbox import QUEUED, SKIPPED
from shopcare.services.messages.rules import MessageRules


class Who(StrEnum):
    SHOPPER = "shopper"
    """The order's shopper: all optional messages about their orders."""
    WATCH = "watch"
    """Someone following one parcel by its number."""


MAX_TOKEN = 64
"""Longer "tokens" are refused before the store is asked."""
WITHDRAWN = "the shopper withdrew WhatsApp consent"


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


@dataclass(frozen=True)
class WhatsAppChoice:
    """What the shopper's pages offer about WhatsApp."""

    agreed: bool
    ending: str
    """The last digits of the usable number on file (it is not shown whole: a tracking link
    gets forwarded); "" when there is none, and the form asks for one."""


def whatsapp_choice(
    rules: MessageRules, *, phone: str, agreed_at: datetime | None
) -> WhatsAppChoice | None:
    """None when there is nothing to offer: the shop does not send on WhatsApp and the
    shopper has no consent to withdraw."""
    if agreed_at is None and not (rules.sms_account_sid and rules.whatsapp_from):
        return None
    usable = phone_number(phone) is not None
    return WhatsAppChoice(
        agreed=agreed_at is not None, ending=number_ending(phone) if usable else ""
    )


def record_whatsapp_consent(
    sessions: SessionFactory, customer_id: int, *, given: bool, now: datetime, phone: str = ""
) -> bool:
    """Record that the shopper agreed to WhatsApp messages (``given``) or withdrew it (see
    ``_consent``). False for an unknown shopper; raises InputError for a bad ``phone``."""
    with transaction(sessions) as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            return False
        _consent(session, customer, given=given, phone=phone, now=now)
        return True


def record_whatsapp_consent_for_order(
    sessions: SessionFactory, order_token: str, *, given: bool, now: datetime, phone: str = ""
) -> bool:
    """The same, for the shopper of the order whose tracking page asked."""
    with transaction(sessions) as session:
        customer = session.exec(
            select(Customer)
            .join(ShopOrder, col(ShopOrder.customer_id) == col(Customer.id))
            .where(ShopOrder.public_token == order_token)
        ).first()
        if customer is None:
            return False
        _consent(session, customer, given=given, phone=phone, now=now)
        return True


def _consent(
    session: Session, customer: Customer, *, given: bool, phone: str, now: datetime
) -> None:
    """Agreeing keeps the first date while it holds, and the number typed only when the
    shopper has no usable one (a forwarded tracking link must not redirect their messages).
    Withdrawing also skips the WhatsApp messages still queued for them: consent is checked
    when a message is queued, and again by the dispatcher for rows put back later."""
    if given:
        if phone_number(customer.phone) is None:
            typed = phone_number(phone)
            if typed is None:
                raise InputError("a phone number with its country code, e.g. +4915112345678")
            customer.phone = typed
        customer.whatsapp_consent_at = customer.whatsapp_consent_at or now
    else:
        customer.whatsapp_consent_at = None
        orders = select(ShopOrder.id).where(ShopOrder.customer_id == customer.id)
        session.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.order_id).in_(orders),
                col(OutboxMessage.channel) == Channel.WHATSAPP,
                col(OutboxMessage.status) == QUEUED,
            )
            .values(status=SKIPPED, last_error=WITHDRAWN)
        )
    session.add(customer)


def _recipient(session: Session, who: Who, token: str) -> Customer | ShipmentWatch | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    if who is Who.WATCH:
        return session.exec(select(ShipmentWatch).where(ShipmentWatch.token == token)).first()
    return session.exec(select(Customer).where(Customer.unsubscribe_token == token)).first()
