"""Tables. Money in integer minor units, times in UTC (SQLModel refuses naive datetimes).

Statuses are stored as plain strings (no native enum types, so PostgreSQL needs no type
migrations when the vocabulary grows); the domain's StrEnums give them meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _status(default: str) -> str:
    return Field(default=default, sa_type=sa.String(32), index=True)  # type: ignore[no-any-return]


class Customer(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_customer_name_lower", sa.text("lower(name)")),
        sa.Index("ix_customer_unsubscribed_at", "unsubscribed_at"),  # the dashboard's range
    )
    """The order list finds shoppers by the start of their name, in any case."""
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, sa_type=sa.String(320), unique=True)
    """None for a shopper whose order came without a usable address: each such order has a
    customer of its own, and no message can reach them."""
    name: str = Field(default="", sa_type=sa.String(200))
    locale: str = Field(default="en", sa_type=sa.String(16))
    created_at: datetime
    phone: str = Field(default="", sa_type=sa.String(32))
    """E.164, for SMS; empty when the shop has none."""
    unsubscribe_token: str | None = Field(default=None, sa_type=sa.String(64), unique=True)
    unsubscribed_at: datetime | None = None
    whatsapp_consent_at: datetime | None = None
    """When the shopper agreed to hear from the shop on WhatsApp (at ``phone``); None: no
    WhatsApp messages. WhatsApp's rules want the opt-in recorded before the first one."""


class ShopOrder(SQLModel, table=True):
    __tablename__ = "shop_order"
    __table_args__ = (
        sa.Index("ix_shop_order_placed_at", "placed_at", "id"),  # the list's order and days
        sa.Index("ix_shop_order_email", "email"),  # found by the start of the address
        sa.Index("ix_shop_order_customer_placed", "customer_id", "placed_at"),
        # each customer's first and second order, for the dashboard's repeat purchases
    )
    id: int | None = Field(default=None, primary_key=True)
    order_number: str = Field(sa_type=sa.String(64), unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    email: str = Field(sa_type=sa.String(320))
    placed_at: datetime
    currency: str = Field(default="EUR", sa_type=sa.String(3))
    total_minor: int = Field(default=0, sa_type=sa.BigInteger)
    ship_name: str = Field(default="", sa_type=sa.String(200))
    ship_address1: str = Field(default="", sa_type=sa.String(200))
    ship_city: str = Field(default="", sa_type=sa.String(100))
    ship_postcode: str = Field(default="", sa_type=sa.String(20))
    ship_country: str = Field(default="", sa_type=sa.String(2))
    source: str = Field(default="manual", sa_type=sa.String(32))
    public_token: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime
    external_id: str = Field(default="", sa_type=sa.String(64), index=True)
    """The platform's own id (Shopify's 64-bit order id, WooCommerce's post id): webhooks
    and fulfillments name the order by it."""
    ship_address2: str = Field(default="", sa_type=sa.String(200))
    ship_region: str = Field(default="", sa_type=sa.String(100))
    ship_phone: str = Field(default="", sa_type=sa.String(32))
    cancelled_at: datetime | None = None
    """Cancelled on the platform or by the owner: no more tracking, no more messages."""
    source_updated_at: datetime | None = None
    """The platform's last change of this order as we stored it: an older copy (a late
    webhook retry, a reconcile racing a webhook) changes nothing."""
    updated_at: datetime | None = None
    email_problem: str = Field(default="", sa_type=sa.String(200))
    """Why no email can reach this shopper ("no email", "not an email address"); "" when
    one can."""


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    sku: str = Field(default="", sa_type=sa.String(100))
    title: str = Field(sa_type=sa.String(300))
    quantity: int = 1
    unit_price_minor: int = Field(default=0, sa_type=sa.BigInteger)
    variant: str = Field(default="", sa_type=sa.String(200))
    """The variant's own words ("Size M / Blue"); the title is the product's."""
    product_key: str = Field(default="", sa_type=sa.String(100))
    """Groups the variants of one product, for exchanges (the platform's product id)."""
    external_id: str = Field(default="", sa_type=sa.String(64))
    """The platform's line item id: a fulfillment names its lines by it."""
    tags: str = Field(default="", sa_type=sa.String(500))
    """The product's tags, comma separated, for return rules and offer segments."""
    image_url: str = Field(default="", sa_type=sa.String(500))


class Shipment(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("order_id", "carrier", "tracking_number"),
        sa.Index("ix_shipment_carrier", "carrier"),  # the order list's carrier filter
        sa.Index("ix_shipment_delayed", "delayed", "order_id"),  # "Needs action": delayed
        # The dashboard's parcels delivered in a period, read from the index alone.
        sa.Index(
            "ix_shipment_delivered",
            "delivered_at",
            "carrier",
            "carrier_code",
            "shipped_at",
            "first_estimate",
            "order_id",
            "return_id",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    carrier: str = Field(sa_type=sa.String(32))
    tracking_number: str = Field(sa_type=sa.String(64), index=True)
    status: str = _status("pending")
    shipped_at: datetime
    last_event_at: datetime | None = None
    delivered_at: datetime | None = None
    last_polled_at: datetime | None = None
    next_poll_at: datetime | None = Field(default=None, index=True)
    poll_failures: int = 0
    last_error: str = Field(default="", sa_type=sa.String(500))
    created_at: datetime
    carrier_code: str = Field(default="", sa_type=sa.String(32))
    """The carrier behind an aggregator (e.g. 'ups' tracked through AfterShip)."""
    carrier_pinned: bool = False
    """The owner chose the carrier; detection must not change it."""
    carrier_estimate: datetime | None = None
    estimated_delivery: datetime | None = None
    estimate_source: str = Field(default="", sa_type=sa.String(16))
    first_estimate: datetime | None = None
    """The first ``estimated_delivery`` the shopper was shown (set once, never moved): the
    dashboard's "on time" is judged against this promise, not against a later estimate
    the carrier moved to fit a late parcel."""
    delayed: bool = False
    stall_key: str = Field(default="", sa_type=sa.String(64))
    stall_reason: str = Field(default="", sa_type=sa.String(32))
    return_id: int | None = Field(default=None, foreign_key="return_request.id", index=True)
    """Set on the parcel a shopper sends back: tracked like any other, but it never sends
    the order's shipping messages."""
    tracking_url: str = Field(default="", sa_type=sa.String(500))
    """The platform's or the owner's own link to the carrier's page, when one was given."""
    external_id: str = Field(default="", sa_type=sa.String(64))
    """The platform's fulfillment id, when the parcel came from one."""
    silent: bool = False
    """Followed, shown, but never messages the shopper: a parcel imported long after it
    left (a backfill of old orders must not mail "delivered" for last month's parcels)."""


class ShipmentLine(SQLModel, table=True):
    """Which lines (and how many of each) went into one parcel, when the source says so."""

    __tablename__ = "shipment_line"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "order_line_id"),)
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id")
    quantity: int = 1


class TrackingEvent(SQLModel, table=True):
    __tablename__ = "tracking_event"
    __table_args__ = (
        sa.UniqueConstraint("shipment_id", "event_key"),
        sa.Index("ix_tracking_event_shipment_status", "shipment_id", "status"),
        # "had this parcel an exception?" from the index alone, for the dashboard
        # The few failed attempts and exceptions of a period, found without reading every scan.
        sa.Index("ix_tracking_event_status_at", "status", "occurred_at", "shipment_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    event_key: str = Field(sa_type=sa.String(64))
    occurred_at: datetime
    status: str = Field(sa_type=sa.String(32))
    description: str = Field(default="", sa_type=sa.String(500))
    location: str = Field(default="", sa_type=sa.String(200))
    raw_code: str = Field(default="", sa_type=sa.String(64))
    provider: str = Field(default="", sa_type=sa.String(32))
    recorded_at: datetime


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_message_created_kind", "created_at", "kind", "status"),
        sa.Index("ix_outbox_message_kind_status_sent", "kind", "status", "sent_at"),
    )  # the dashboard counts a range's messages by kind and outcome from the index alone,
    # and finds one kind's reminders sent in a range (its reminder results)
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(sa_type=sa.String(128), unique=True)
    kind: str = Field(sa_type=sa.String(32))
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id")
    channel: str = Field(default="email", sa_type=sa.String(16))
    return_id: int | None = Field(default=None, foreign_key="return_request.id")
    recipient: str = Field(sa_type=sa.String(320))
    status: str = _status("queued")
    attempts: int = 0
    next_attempt_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str = Field(default="", sa_type=sa.String(80))
    """The ``ProcessLease`` id of the dispatcher sending it (rows left "sending" by a process
    that no longer exists are taken back at once)."""
    sent_at: datetime | None = None
    last_error: str = Field(default="", sa_type=sa.String(500))
    message_id: str = Field(default="", sa_type=sa.String(200))
    subject: str = Field(default="", sa_type=sa.String(300))
    created_at: datetime
    provider_id: str = Field(
        default="", sa_type=sa.String(64), index=True, sa_column_kwargs={"server_default": ""}
    )
    """The id the provider gave the message when it took it (Twilio's MessageSid): its later
    delivery reports name the message by it. "" for email and the owner's webhook."""
    delivery: str = Field(
        default="", sa_type=sa.String(16), sa_column_kwargs={"server_default": ""}
    )
    """What the provider last reported became of a sent message (``notify.twilio_status``:
    sent, delivered, read, undelivered, failed); "" before any report."""
    delivery_error: int | None = None
    """The provider's error code with an undelivered or failed report (Twilio's 63016)."""


class ReturnRequest(SQLModel, table=True):
    __tablename__ = "return_request"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    rma: str = Field(sa_type=sa.String(32), unique=True)
    public_token: str = Field(sa_type=sa.String(64), unique=True)
    status: str = _status("requested")
    reason: str = Field(default="", sa_type=sa.String(64))
    comment: str = Field(default="", sa_type=sa.Text)
    created_at: datetime
    owner_note: str = Field(default="", sa_type=sa.Text)
    """The owner's message to the shopper with a decision (approve, reject)."""
    refund_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
    resolution: str = Field(default="refund", sa_type=sa.String(16))
    """What the shopper asked for: refund, exchange, store_credit or keep."""
    fee_minor: int = Field(default=0, sa_type=sa.BigInteger)
    """Restocking fee and return shipping the shopper pays, taken off the refund."""
    shipping_paid_by: str = Field(default="shopper", sa_type=sa.String(16))
    auto_approved: bool = False
    updated_at: datetime | None = None
    exchange_order_id: int | None = Field(default=None, foreign_key="shop_order.id")
    store_credit_code: str = Field(default="", sa_type=sa.String(32))
    bonus_minor: int = Field(default=0, sa_type=sa.BigInteger)
    """The bonus promised for choosing store credit or an exchange over a refund, as the
    shopper saw it (services.returns.offers); added to the credit issued when settled."""
    instant_exchange_at: datetime | None = None
    """When the replacement order was sent before the item came back (instant exchange)."""
    watch_flagged_at: datetime | None = None
    """When the owner was told that the instant exchange's return parcel has no scan."""


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_line"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id")
    quantity: int
    reason: str = Field(default="", sa_type=sa.String(64))
    comment: str = Field(default="", sa_type=sa.Text)
    exchange_sku: str = Field(default="", sa_type=sa.String(100))
    """The variant wanted in exchange (a ProductVariant sku)."""
    exchange_credit_minor: int = Field(default=0, sa_type=sa.BigInteger)
    """Per unit: what a cheaper other product leaves over, given back as store credit."""
    received_quantity: int | None = None
    condition: str = Field(default="", sa_type=sa.String(32))
    """As the owner found it: as_new, opened, used, damaged, missing."""


class ReturnEvent(SQLModel, table=True):
    """A return's history: who did what when, shown to the owner as a log."""

    __tablename__ = "return_event"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    at: datetime
    actor: str = Field(sa_type=sa.String(100))
    """shopper, system, or the admin's user name ("owner" in rows from before the names were
    kept, "" if no one was signed in)."""
    action: str = Field(sa_type=sa.String(32))
    detail: str = Field(default="", sa_type=sa.Text)


class ReturnPhoto(SQLModel, table=True):
    """A photo the shopper attached; the file lives in the data dir, never served publicly."""

    __tablename__ = "return_photo"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    return_line_id: int | None = Field(default=None, foreign_key="return_line.id")
    stored_name: str = Field(sa_type=sa.String(100), unique=True)
    content_type: str = Field(sa_type=sa.String(32))
    size: int
    created_at: datetime


class ReturnLabel(SQLModel, table=True):
    """The prepaid carrier label of one return (``services.returns.labels``): its purchase
    state, so nothing is bought twice, what the provider answered, and the label itself."""

    __tablename__ = "return_label"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", unique=True)
    provider: str = Field(sa_type=sa.String(16))
    state: str = _status("due")
    idempotency_key: str = Field(sa_type=sa.String(100), unique=True)
    shipment_ref: str = Field(default="", sa_type=sa.String(100))
    rate_ref: str = Field(default="", sa_type=sa.String(100))
    purchase_ref: str = Field(default="", sa_type=sa.String(100))
    """Shippo's transaction id; EasyPost buys on the shipment itself."""
    carrier: str = Field(default="", sa_type=sa.String(64))
    service: str = Field(default="", sa_type=sa.String(100))
    tracking_number: str = Field(default="", sa_type=sa.String(64))
    label_url: str = Field(default="", sa_type=sa.String(1000))
    label_type: str = Field(default="", sa_type=sa.String(32))
    label_file: str = Field(default="", sa_type=sa.Text)
    """The label as base64 text: the store's export and backups carry text, not blobs."""
    cost_minor: int | None = Field(default=None, sa_type=sa.BigInteger)
    currency: str = Field(default="", sa_type=sa.String(3))
    error: str = Field(default="", sa_type=sa.String(500))
    error_kind: str = Field(default="", sa_type=sa.String(16))
    uncertain: bool = False
    """The last attempt ended without knowing whether the label was bought (a timeout):
    the next one asks the provider before buying."""
    attempts: int = 0
    refund_status: str = Field(default="", sa_type=sa.String(32))
    created_at: datetime
    updated_at: datetime
    claimed_at: datetime | None = None
    bought_at: datetime | None = Field(default=None, index=True)


class ProductVariant(SQLModel, table=True):
    """The variants the shop sells, learnt from order lines and imports: what an exchange
    can offer (other variants of the same product that are available)."""

    __tablename__ = "product_variant"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(sa_type=sa.String(100), unique=True)
    product_key: str = Field(default="", sa_type=sa.String(100), index=True)
    title: str = Field(default="", sa_type=sa.String(300))
    variant: str = Field(default="", sa_type=sa.String(200))
    price_minor: int = Field(default=0, sa_type=sa.BigInteger)
    image_url: str = Field(default="", sa_type=sa.String(500))
    available: bool = True
    updated_at: datetime


def _issued_amount(context: Any) -> int:
    return int(context.get_current_parameters()["amount_minor"])


class StoreCredit(SQLModel, table=True):
    """A credit code issued for a return, to be redeemed in the shop. Its status is derived
    (``domain.store_credit.credit_status``) from the balance and the dates."""

    __tablename__ = "store_credit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(32), unique=True)
    return_id: int = Field(foreign_key="return_request.id", index=True)
    amount_minor: int = Field(sa_type=sa.BigInteger)
    currency: str = Field(default="EUR", sa_type=sa.String(3))
    created_at: datetime
    redeemed_at: datetime | None = None
    """When the balance reached zero."""
    balance_minor: int = Field(
        default=None, sa_type=sa.BigInteger, sa_column_kwargs={"default": _issued_amount}
    )
    """What is left; a credit written without one starts with its whole amount."""
    expires_at: datetime | None = None
    voided_at: datetime | None = None


class StoreCreditRedemption(SQLModel, table=True):
    """Some of a credit used: marked by the owner, or found as the discount code of an order
    that came in (once per order: ``order_use``)."""

    __tablename__ = "store_credit_redemption"
    id: int | None = Field(default=None, primary_key=True)
    credit_id: int = Field(foreign_key="store_credit.id", index=True)
    amount_minor: int = Field(sa_type=sa.BigInteger)
    order_number: str = Field(default="", sa_type=sa.String(64))
    source: str = Field(sa_type=sa.String(32))
    """domain.store_credit.RedemptionSource."""
    recorded_by: str = Field(default="", sa_type=sa.String(200))
    at: datetime = Field(index=True)
    order_use: str | None = Field(default=None, sa_type=sa.String(120), unique=True)
    """``<order number>:<code>`` for one found on an order, so a webhook delivered again
    redeems nothing twice; None for the owner's own entries."""


class ProblemReport(SQLModel, table=True):
    """A shopper's "report a problem" from the tracking page, for the owner to answer."""

    __tablename__ = "problem_report"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id")
    kind: str = Field(sa_type=sa.String(32))
    """not_arrived, damaged, wrong_item or other."""
    message: str = Field(default="", sa_type=sa.Text)
    status: str = _status("open")
    created_at: datetime
    resolved_at: datetime | None = None


class ShipmentWatch(SQLModel, table=True):
    """Someone who asked for updates on one parcel by its tracking number alone."""

    __tablename__ = "shipment_watch"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    email: str = Field(sa_type=sa.String(320))
    token: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime
    unsubscribed_at: datetime | None = None


class Offer(SQLModel, table=True):
    """A banner or product recommendation on the shopper's pages, shown when its segment
    rules match; the first active match by position wins."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200))
    kind: str = Field(default="banner", sa_type=sa.String(16))
    """banner or product."""
    title: str = Field(default="", sa_type=sa.String(200))
    body: str = Field(default="", sa_type=sa.Text)
    image_url: str = Field(default="", sa_type=sa.String(500))
    link_url: str = Field(default="", sa_type=sa.String(500))
    button: str = Field(default="", sa_type=sa.String(100))
    rules: str = Field(default="{}", sa_type=sa.Text)
    """The segment as JSON (see domain.segments)."""
    position: int = 0
    active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    views: int = 0
    clicks: int = 0
    created_at: datetime


class PageView(SQLModel, table=True):
    """One view, lookup or click on the shopper's pages; no personal data beyond the order."""

    __tablename__ = "page_view"
    __table_args__ = (
        sa.Index("ix_page_view_kind_at", "kind", "at"),
        sa.Index("ix_page_view_message_kind_at", "message_kind", "at"),
        # A parcel's tracking views between shipping and delivery (the dashboard's WISMO).
        sa.Index("ix_page_view_order_kind_at", "order_id", "kind", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    kind: str = Field(sa_type=sa.String(32))
    order_id: int | None = Field(default=None, foreign_key="shop_order.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    message_kind: str | None = Field(default=None, sa_type=sa.String(32))
    """The ``MessageKind`` whose link brought the shopper here (the link's ``m``
    parameter, checked against the kinds), None for a visit from anywhere else."""


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    public_token: str = Field(sa_type=sa.String(64), unique=True)
    score: int | None = None
    """0-10, the NPS question (``domain.feedback``); None until answered."""
    comment: str = Field(default="", sa_type=sa.Text)
    created_at: datetime
    """When the link was made: it answers for ``domain.feedback.LINK_LIFETIME``."""
    answered_at: datetime | None = Field(default=None, index=True)
    """The first answer (the dashboard's date of the answer)."""
    updated_at: datetime | None = None
    """The latest change, when the shopper came back to edit."""
    csat: int | None = None
    """1-5, "How satisfied are you with your order?"; None when not answered."""
    rating_product: int | None = None
    rating_delivery: int | None = None
    """1-5 each (``domain.feedback.Aspect``), optional."""
    rating_packaging: int | None = None
    rating_communication: int | None = None


class Setting(SQLModel, table=True):
    key: str = Field(sa_type=sa.String(64), primary_key=True)
    value: str = Field(default="", sa_type=sa.Text)


class AdminUser(SQLModel, table=True):
    __tablename__ = "admin_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String(100), unique=True)
    password_hash: str = Field(sa_type=sa.String(200))
    created_at: datetime
    role: str = Field(
        default="owner", sa_type=sa.String(16), sa_column_kwargs={"server_default": "owner"}
    )
    """``domain.roles.Role``: owner (everything) or staff (daily work)."""


class AdminSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so
    a copy of the store cannot be replayed as a cookie. Deleting the row signs it out."""

    __tablename__ = "admin_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    user_id: int = Field(foreign_key="admin_user.id", index=True)
    created_at: datetime
    last_seen_at: datetime
    address: str = Field(default="", sa_type=sa.String(64))
    user_agent: str = Field(default="", sa_type=sa.String(300))


class ProcessLease(SQLModel, table=True):
    """A running ShopCare process, renewed by its heartbeat: work it claimed (outbox rows)
    names it, so another process can tell claims of the living from those of the dead."""

    __tablename__ = "process_lease"
    id: str = Field(sa_type=sa.String(80), primary_key=True)
    host: str = Field(sa_type=sa.String(255))
    pid: int
    started_at: datetime
    heartbeat_at: datetime


class CarrierAccount(SQLModel, table=True):
    """An owner's account with one carrier API; credentials stay in the data dir's store."""

    __tablename__ = "carrier_account"
    name: str = Field(sa_type=sa.String(32), primary_key=True)
    enabled: bool = True
    credentials: str = Field(default="{}", sa_type=sa.Text)
    base_url: str = Field(default="", sa_type=sa.String(300))
    updated_at: datetime


class ProviderState(SQLModel, table=True):
    """Per provider: usage against its budget, failures, circuit breaker, pause."""

    __tablename__ = "provider_state"
    name: str = Field(sa_type=sa.String(32), primary_key=True)
    failures: int = 0
    open_until: datetime | None = None
    paused_reason: str = Field(default="", sa_type=sa.String(500))
    alert_seen: bool = False
    day: str = Field(default="", sa_type=sa.String(10))
    calls_today: int = 0
    errors_today: int = 0
    hour_start: datetime | None = None
    calls_this_hour: int = 0
    last_error: str = Field(default="", sa_type=sa.String(500))
    last_call_at: datetime | None = None


class InboundPush(SQLModel, table=True):
    """Each carrier webhook delivery once: a retried push changes nothing."""

    __tablename__ = "inbound_push"
    __table_args__ = (sa.UniqueConstraint("provider", "push_key"),)
    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(sa_type=sa.String(32))
    push_key: str = Field(sa_type=sa.String(128))
    received_at: datetime
    updates: int = 0


class MessageTemplate(SQLModel, table=True):
    """The owner's own wording of one message in one language (else the default is used)."""

    __tablename__ = "message_template"
    __table_args__ = (sa.UniqueConstraint("kind", "locale"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(32))
    locale: str = Field(sa_type=sa.String(16))
    subject: str = Field(sa_type=sa.Text)
    html: str = Field(sa_type=sa.Text)
    text: str = Field(sa_type=sa.Text)
    updated_at: datetime


class StoreConnection(SQLModel, table=True):
    """The owner's shop platform (Shopify or WooCommerce) that orders come from."""

    __tablename__ = "store_connection"
    platform: str = Field(sa_type=sa.String(32), primary_key=True)
    shop_url: str = Field(default="", sa_type=sa.String(300))
    credentials: str = Field(default="{}", sa_type=sa.Text)
    """JSON: keys, secrets, tokens. Never shown back in the admin or logged."""
    webhook_secret: str = Field(default="", sa_type=sa.String(200))
    access_token: str = Field(default="", sa_type=sa.Text)
    token_expires_at: datetime | None = None
    enabled: bool = True
    backfill_days: int = 60
    last_reconcile_at: datetime | None = None
    last_error: str = Field(default="", sa_type=sa.String(500))
    updated_at: datetime


class ImportRun(SQLModel, table=True):
    """One import (a backfill, a reconcile, a CSV file): its progress, kept in the store so
    a progress bar survives leaving the page, and its outcome for the owner."""

    __tablename__ = "import_run"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(16))
    """backfill, reconcile or csv."""
    source: str = Field(default="", sa_type=sa.String(200))
    """The platform, or the file's name."""
    status: str = _status("running")
    """running, done or failed."""
    total: int | None = None
    done: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    api_calls: int = 0
    cursor: str = Field(default="", sa_type=sa.Text)
    """Where to go on from (a page cursor), so an interrupted backfill resumes."""
    message: str = Field(default="", sa_type=sa.Text)
    started_at: datetime
    finished_at: datetime | None = None


class WebhookDelivery(SQLModel, table=True):
    """Each verified platform webhook, stored before it is answered and applied right after;
    the owner sees the last ones with their outcome."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.UniqueConstraint("platform", "delivery_key"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(sa_type=sa.String(32))
    delivery_key: str = Field(sa_type=sa.String(128))
    """X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID: the same on a retry."""
    topic: str = Field(default="", sa_type=sa.String(64))
    received_at: datetime = Field(index=True)
    body: str = Field(default="", sa_type=sa.Text)
    status: str = _status("received")
    """received, applied, ignored, stale or failed."""
    order_number: str = Field(default="", sa_type=sa.String(64))
    error: str = Field(default="", sa_type=sa.String(500))
    applied_at: datetime | None = None


class ApiKey(SQLModel, table=True):
    """A key for the REST API; only its hash is kept, the key is shown once."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100))
    prefix: str = Field(sa_type=sa.String(16))
    """The key's first characters, to tell keys apart in the list."""
    key_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiIdempotency(SQLModel, table=True):
    """The answer given to a create with an ``Idempotency-Key``: the same key again gets the
    same answer, and nothing is created twice."""

    __tablename__ = "api_idempotency"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id")
    key: str = Field(sa_type=sa.String(200))
    request_hash: str = Field(sa_type=sa.String(64))
    status_code: int
    response: str = Field(default="", sa_type=sa.Text)
    created_at: datetime


class OrderNote(SQLModel, table=True):
    """The owner's own note on an order ("called the shopper, parcel left at neighbour"),
    kept beside what ShopCare recorded, in the order's timeline."""

    __tablename__ = "order_note"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    created_at: datetime
    author: str = Field(default="", sa_type=sa.String(100))
    """The signed-in admin's user name when the note was written."""
    text: str = Field(sa_type=sa.Text)
    action: str = Field(default="", sa_type=sa.String(32), sa_column_kwargs={"server_default": ""})
    """"" for the owner's own note; else what an admin did (edited, cancelled,
    parcel_added), recorded with the change so the timeline says who did it."""


class RateLimit(SQLModel, table=True):
    """One key's attempts within one limit's window (``domain.ratelimit``), shared by every
    process on the store. The key (a client address, an email, an order number) is kept
    only as its HMAC under the app's secret."""

    __tablename__ = "rate_limit"
    name: str = Field(sa_type=sa.String(32), primary_key=True)
    key_hash: str = Field(sa_type=sa.String(64), primary_key=True)
    hits: int
    ends_at: datetime = Field(index=True)
    """When the window ends; ended rows are removed (``services.limits``)."""


class ShopperErasure(SQLModel, table=True):
    """One erasure of a shopper's personal data (``services.privacy``): the record that it
    was done, by whom and when, without the address it was done for (only its keyed hash,
    so the owner can answer "was this address erased?" and nobody can read it back)."""

    __tablename__ = "shopper_erasure"
    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(sa_type=sa.String(64), index=True)
    erased_at: datetime
    actor: str = Field(default="", sa_type=sa.String(100))
    """The admin's user name, or "cli" for the command line."""
    summary: str = Field(default="{}", sa_type=sa.Text)
    """JSON: how many rows of each table were changed or removed."""


class ErasedLink(SQLModel, table=True):
    """A shopper link (tracking page, return, feedback, unsubscribe) that led to erased data:
    the SHA-256 of its token, so the page can say "no longer available" instead of
    "not found" while the token itself is gone from the store."""

    __tablename__ = "erased_link"
    token_hash: str = Field(sa_type=sa.String(64), primary_key=True)
    erased_at: datetime
