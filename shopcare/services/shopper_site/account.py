"""The shopper's account page without a password: a signed, short-lived link by email.

The link's token is ``<customer id>.<issued at, unix seconds>.<HMAC-SHA256>`` under a key
derived from the app's secret; nothing is stored to check it, and it expires after
``LINK_LIFETIME``. The email goes through the outbox like every other message. Its row must
name an order (the newest), and the dispatcher, which does not hold the secret, reads the
signed token back from the row's idempotency key (``...:account_link:<token>``): signed once,
when the shopper asked, stored with the message that carries it.

At most ``LINKS_PER_EMAIL`` links per address go out within ``LINK_EMAIL_WINDOW``, counted
from the outbox itself: the record of what was sent, whatever limits the web layer keeps
in front of it (``services.limits``), so a stranger with many client addresses cannot mail
the same shopper again and again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, OutboxMessage, Shipment, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.text import clean_text
from shopcare.notify.base import Channel
from shopcare.services.messages.outbox import existing_keys, message_rows
from shopcare.services.messages.rules import load_rules
from shopcare.services.messages.subscriptions import WhatsAppChoice, whatsapp_choice
from shopcare.services.returns.credit_list import CreditRow, credits_of_customer
from shopcare.services.shop.profile import load_profile

LINK_LIFETIME = timedelta(hours=1)
LINKS_PER_EMAIL = 3
LINK_EMAIL_WINDOW = timedelta(hours=1)
_KEY_PATTERN = re.compile(rf":{MessageKind.ACCOUNT_LINK}:([0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)")


def _key(secret: str) -> bytes:
    return hashlib.sha256(f"shopcare-account-link:{secret}".encode()).digest()


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(_key(secret), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_account_token(customer_id: int, *, issued_at: datetime, secret: str) -> str:
    payload = f"{customer_id}.{int(issued_at.timestamp())}"
    return f"{payload}.{_signature(secret, payload)}"


def read_account_token(token: str, *, secret: str, now: datetime) -> int | None:
    """The customer id in a genuine token less than ``LINK_LIFETIME`` old, else None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2].encode(), _signature(secret, payload).encode()):
        return None
    issued = datetime.fromtimestamp(int(parts[1]), tz=UTC)
    if not issued - timedelta(minutes=5) <= now < issued + LINK_LIFETIME:
        return None
    return int(parts[0])


def token_in_message(row: OutboxMessage) -> str:
    """The signed token an account-link message carries (see the module's docstring)."""
    found = _KEY_PATTERN.search(row.idempotency_key)
    return found[1] if found else ""


def request_account_link(
    sessions: SessionFactory, email: str, *, secret: str, now: datetime
) -> bool:
    """Queue the sign-in link when a shopper with an order has this email and has not had
    ``LINKS_PER_EMAIL`` of them within the last ``LINK_EMAIL_WINDOW``; False otherwise.
    The caller answers the same either way."""
    wanted = clean_text(email).strip().lower()  # as stored (domain.intake.clean_order)
    with transaction(sessions) as session:
        customer = session.exec(select(Customer).where(Customer.email == wanted)).first()
        newest = _newest_order(session, customer.id) if customer and customer.id else None
        if customer is None or customer.id is None or newest is None or newest.id is None:
            return False
        if _recent_links(session, customer, now=now) >= LINKS_PER_EMAIL:
            return False
        token = sign_account_token(customer.id, issued_at=now, secret=secret)
        rows = message_rows(
            MessageKind.ACCOUNT_LINK, order=newest, phone="", rules=load_rules(session), now=now,
            occurrence=token,
        )  # fmt: skip
        known = existing_keys(session, [newest.id])  # the same second twice: one email
        for row in rows:
            if row["channel"] == Channel.EMAIL and row["idempotency_key"] not in known:
                # The link goes to the address that asked, whatever the order says.
                row["recipient"] = customer.email
                session.add(OutboxMessage(**row))
        return True


def _recent_links(session: Session, customer: Customer, *, now: datetime) -> int:
    """Account links queued for the customer's address within the window, whatever their
    status (a sent one counts); found through the customer's orders, which are indexed."""
    since = now.astimezone(UTC) - LINK_EMAIL_WINDOW  # stored in UTC, compared as text
    orders = select(ShopOrder.id).where(ShopOrder.customer_id == customer.id)
    return session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.order_id).in_(orders),
            OutboxMessage.kind == MessageKind.ACCOUNT_LINK,
            OutboxMessage.recipient == customer.email,
            col(OutboxMessage.created_at) > since,
        )
    ).one()


def _newest_order(session: Session, customer_id: int) -> ShopOrder | None:
    return session.exec(
        select(ShopOrder)
        .where(ShopOrder.customer_id == customer_id)
        .order_by(col(ShopOrder.placed_at).desc(), col(ShopOrder.id).desc())
    ).first()


@dataclass(frozen=True)
class AccountOrder:
    order_number: str
    token: str
    placed_at: datetime
    statuses: list[ShipmentStatus]
    """One per parcel; empty while the order is being prepared."""


@dataclass(frozen=True)
class Account:
    name: str
    locale: str
    orders: list[AccountOrder]
    newest_order_id: int | None
    whatsapp: WhatsAppChoice | None = None
    credits: list[CreditRow] = field(default_factory=list)
    """Their store credit, newest first, with what is left of each."""


def account_view(sessions: SessionFactory, customer_id: int, *, now: datetime) -> Account | None:
    """All the customer's orders, newest first, each with its parcels' statuses, and their
    store credit (its status as at ``now``); None for a customer without an address (one
    whose data was erased: an open link stops)."""
    with sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.email is None:  # erased (``services.privacy``)
            return None
        credits = credits_of_customer(session, customer_id, now=now)
        zone = load_profile(session).zone
        whatsapp = whatsapp_choice(
            load_rules(session), phone=customer.phone, agreed_at=customer.whatsapp_consent_at
        )
        orders = session.exec(
            select(ShopOrder)
            .where(ShopOrder.customer_id == customer_id)
            .order_by(col(ShopOrder.placed_at).desc(), col(ShopOrder.id).desc())
        ).all()
        shipments = session.exec(
            select(Shipment)
            .where(
                col(Shipment.order_id).in_([o.id for o in orders]),
                col(Shipment.return_id).is_(None),
            )
            .order_by(col(Shipment.id))
        ).all()
    by_order: dict[int, list[ShipmentStatus]] = {}
    for s in shipments:
        by_order.setdefault(s.order_id, []).append(ShipmentStatus(s.status))
    return Account(
        name=customer.name,
        locale=customer.locale or "en",
        orders=[
            AccountOrder(
                order_number=o.order_number,
                token=o.public_token,
                placed_at=o.placed_at.astimezone(zone),
                statuses=by_order.get(o.id or 0, []),
            )
            for o in orders
        ],
        newest_order_id=orders[0].id if orders else None,
        whatsapp=whatsapp,
        credits=credits,
    )
