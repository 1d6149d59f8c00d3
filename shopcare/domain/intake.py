"""Orders as they come in, from any source, and the rules for taking them.

Every source (the Add order form, a CSV file, a platform's API or webhook, the REST API)
turns what it reads into an ``OrderIn``; one writer (``services.intake.writer``) stores it.
The rules here decide what a source cannot: whether an order is worth a confirmation, and
whether a parcel that comes in is news for the shopper or history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from shopcare.domain.text import clean_text


class Source(StrEnum):
    MANUAL = "manual"
    CSV = "csv"
    API = "api"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    EXCHANGE = "exchange"
    DEMO = "demo"


class Mode(StrEnum):
    """How an order arrives, which decides what the shopper is told about it."""

    LIVE = "live"
    """As it happens: the form, a webhook, the REST API, a reconcile catching a missed
    webhook. A new recent order is confirmed; its parcels message as they move."""
    BULK = "bulk"
    """A backfill or a file: the shop's history. Nothing is confirmed; parcels that left
    long ago are followed quietly."""


CONFIRM_WITHIN = timedelta(days=2)
"""A new order placed longer ago than this gets no confirmation: the shopper has long had
the shop's own."""
QUIET_AFTER = timedelta(days=7)
"""A parcel that left longer ago than this when it comes in is history, not news."""

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


@dataclass(frozen=True)
class LineIn:
    title: str
    quantity: int = 1
    unit_price_minor: int = 0
    sku: str = ""
    variant: str = ""
    product_key: str = ""
    tags: str = ""
    image_url: str = ""
    external_id: str = ""


@dataclass(frozen=True)
class ShipmentIn:
    carrier: str
    """An adapter name, or "" to choose from the number and the configured accounts."""
    tracking_number: str
    carrier_code: str = ""
    pinned: bool = True
    """Chosen by a person (False when ShopCare chose from the number)."""
    tracking_url: str = ""
    shipped_at: datetime | None = None
    external_id: str = ""
    delivered: bool = False
    """The source already says it arrived (a platform's shipment status)."""
    line_ids: Sequence[tuple[str, int]] = ()
    """(line external id, quantity) pairs, when the source says what went in the parcel."""


@dataclass(frozen=True)
class DiscountIn:
    """A discount code the shopper entered at checkout and what it took off the order (in
    the order's currency): a store credit's code is found this way."""

    code: str
    amount_minor: int


@dataclass(frozen=True)
class OrderIn:
    order_number: str
    email: str
    placed_at: datetime
    lines: Sequence[LineIn]
    customer_name: str = ""
    currency: str = "EUR"
    ship_name: str = ""
    """The name on the parcel, when it differs from the customer's."""
    ship_address1: str = ""
    ship_address2: str = ""
    ship_city: str = ""
    ship_region: str = ""
    ship_postcode: str = ""
    ship_country: str = ""
    ship_phone: str = ""
    locale: str = "en"
    phone: str = ""
    whatsapp_consent: bool = False
    """The shopper agreed (at checkout) to WhatsApp messages at ``phone``."""
    source: str = Source.MANUAL
    shipments: Sequence[ShipmentIn] = field(default_factory=tuple)
    external_id: str = ""
    total_minor: int | None = None
    """The order's total as the platform computed it (taxes, shipping, discounts); None to
    add up the lines."""
    cancelled_at: datetime | None = None
    updated_at: datetime | None = None
    """When the source last changed the order: an older copy than the stored one is stale."""
    discounts: Sequence[DiscountIn] = ()


_SHOPPER_TEXT = (
    "email", "customer_name", "ship_name", "ship_city", "ship_region", "ship_postcode",
    "ship_country", "ship_phone", "phone",
)  # fmt: skip
"""One-line fields a shopper typed (through the shop): names, contact, place."""
_SHOPPER_LINES = ("ship_address1", "ship_address2")
"""Address lines, which shops export with line breaks in them ("Hinterhaus\nEG")."""


def clean_order(order_in: OrderIn) -> OrderIn:
    """The order with control and bidi-control characters taken out of what the shopper
    typed and of its items' titles (``domain.text``), whatever source it came from. The
    order number is a key and is left as the source sent it."""
    cleaned = {name: clean_text(getattr(order_in, name)) for name in _SHOPPER_TEXT}
    cleaned |= {
        name: clean_text(getattr(order_in, name), multiline=True) for name in _SHOPPER_LINES
    }
    changes: dict[str, object] = {
        name: value for name, value in cleaned.items() if value != getattr(order_in, name)
    }
    lines = [
        replace(li, title=clean_text(li.title, multiline=True), variant=clean_text(li.variant))
        for li in order_in.lines
    ]
    if lines != list(order_in.lines):
        changes["lines"] = lines
    return replace(order_in, **changes) if changes else order_in  # type: ignore[arg-type]


def email_problem(email: str) -> str:
    """Why no email can reach this address, or "" when one can."""
    address = email.strip()
    if not address:
        return "no email address"
    if not _EMAIL.match(address):
        return f"{address[:100]!r} is not an email address"
    return ""


def order_problems(order_in: OrderIn) -> list[str]:
    """What makes an order impossible to store (a bad email is not one: the order is kept
    and followed, and flagged)."""
    problems = []
    if not order_in.order_number.strip():
        problems.append("order number is missing")
    elif len(order_in.order_number.strip()) > 64:
        problems.append("order number is longer than 64 characters")
    if not re.fullmatch(r"[A-Za-z]{3}", order_in.currency.strip()):
        problems.append(f"currency {order_in.currency!r} is not a three-letter ISO 4217 code")
    problems += line_problems(order_in.lines)
    if order_in.placed_at.tzinfo is None:
        problems.append("order date needs a time zone")
    problems += [
        "tracking number is missing"
        for s in order_in.shipments
        if not normalise_tracking_number(s.tracking_number)
    ]
    return problems


class Item(Protocol):
    """An order line as a source or an edit holds it."""

    @property
    def title(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price_minor(self) -> int: ...


def line_problems(lines: Sequence[Item]) -> list[str]:
    """What is wrong with an order's items, wherever they come from (a source, an edit)."""
    problems = []
    if not lines:
        problems.append("an order needs at least one item")
    for li in lines:
        if not li.title.strip():
            problems.append("every item needs a title")
        if li.quantity < 1:
            problems.append(f"quantity of {li.title!r} must be at least 1")
        if li.unit_price_minor < 0:
            problems.append(f"price of {li.title!r} cannot be negative")
    return problems


def normalise_tracking_number(number: str) -> str:
    return re.sub(r"[\s-]", "", number).upper()


def confirmation_due(order_in: OrderIn, *, mode: Mode, now: datetime) -> bool:
    """A new order is confirmed when it arrives live, recently placed and not cancelled."""
    return (
        mode is Mode.LIVE
        and order_in.cancelled_at is None
        and now - order_in.placed_at <= CONFIRM_WITHIN
    )


def parcel_is_history(shipment_in: ShipmentIn, *, placed_at: datetime, now: datetime) -> bool:
    """A parcel already delivered, or gone long ago, is followed without messages."""
    left = shipment_in.shipped_at or placed_at
    return shipment_in.delivered or now - left > QUIET_AFTER
