"""Which shopper messages a change causes. Whether it was already sent is the outbox's job;
whether the owner wants it (on/off, delay, channels) is the message rules'."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlencode, urlsplit, urlunsplit

from shopcare.domain.status import ShipmentStatus as S


class MessageKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    FAILED_ATTEMPT = "failed_attempt"
    EXCEPTION = "exception"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RETURNED_TO_SENDER = "returned_to_sender"
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_REJECTED = "return_rejected"
    RETURN_RECEIVED = "return_received"
    RETURN_REFUNDED = "return_refunded"
    FEEDBACK_REQUEST = "feedback_request"
    REVIEW_REMINDER = "review_reminder"
    REORDER_REMINDER = "reorder_reminder"
    ACCOUNT_LINK = "account_link"
    """The sign-in link to a shopper's account page, which they asked for."""
    WATCH_UPDATE = "watch_update"
    """News about one parcel for someone who asked by its tracking number alone."""
    WATCH_CONFIRM = "watch_confirm"
    """Asks the address given for a parcel's news to confirm it: no news before that, so
    nobody can sign a stranger up by knowing a tracking number."""
    CREDIT_EXPIRY_REMINDER = "credit_expiry_reminder"
    """A store credit with money left expires in the owner's number of days (off unless
    the owner chose one: ``store_credit.CreditSettings.reminder_days``)."""

    @property
    def optional(self) -> bool:
        """Optional messages stop when the shopper unsubscribes; answers to what the shopper
        did themselves (their order, their return) are always sent."""
        return self not in _TRANSACTIONAL

    @property
    def offers_unsubscribe(self) -> bool:
        """Shipping updates offer the way to stop them (the confirmation too: it starts
        them). Return and account emails answer the shopper and always go out: a link there
        saying "unsubscribe from these emails" would promise what it does not do."""
        return self.optional or self is MessageKind.ORDER_CONFIRMED


_TRANSACTIONAL = frozenset(
    {
        MessageKind.ORDER_CONFIRMED,
        MessageKind.RETURN_REQUESTED,
        MessageKind.RETURN_APPROVED,
        MessageKind.RETURN_REJECTED,
        MessageKind.RETURN_RECEIVED,
        MessageKind.RETURN_REFUNDED,
        MessageKind.ACCOUNT_LINK,
        MessageKind.WATCH_UPDATE,  # stopped by its own link, not by the order's shopper
        MessageKind.WATCH_CONFIRM,
    }
)


RETURN_KINDS = frozenset(
    {
        MessageKind.RETURN_REQUESTED,
        MessageKind.RETURN_APPROVED,
        MessageKind.RETURN_REJECTED,
        MessageKind.RETURN_RECEIVED,
        MessageKind.RETURN_REFUNDED,
    }
)
"""The messages about a return (they carry its link and its lines)."""
_LINKS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.WATCH_CONFIRM: ("confirm_url",),
    MessageKind.WATCH_UPDATE: ("tracking_url", "unsubscribe_url"),
    MessageKind.FEEDBACK_REQUEST: ("feedback_url",),
    MessageKind.ACCOUNT_LINK: ("account_url",),
    MessageKind.REVIEW_REMINDER: (),
    MessageKind.REORDER_REMINDER: (),
    MessageKind.CREDIT_EXPIRY_REMINDER: (),
    **dict.fromkeys(RETURN_KINDS, ("return_url",)),
}


def required_links(kind: MessageKind) -> tuple[str, ...]:
    """The links (message context fields) without which a message of ``kind`` is useless or
    worse: a confirm button with ``href=""``, an update nobody can stop. Such a message is
    refused, not sent. Every parcel message needs its tracking page."""
    return _LINKS.get(kind, ("tracking_url",))


class ShippedOn(StrEnum):
    """When "your order has shipped" goes out: label created, or the carrier's first scan."""

    LABEL = "label"
    FIRST_SCAN = "first_scan"


_ON_ARRIVAL: dict[S, list[MessageKind]] = {
    S.OUT_FOR_DELIVERY: [MessageKind.OUT_FOR_DELIVERY],
    S.AVAILABLE_FOR_PICKUP: [MessageKind.AVAILABLE_FOR_PICKUP],
    S.FAILED_ATTEMPT: [MessageKind.FAILED_ATTEMPT],
    S.EXCEPTION: [MessageKind.EXCEPTION],
    S.DELIVERED: [MessageKind.DELIVERED],
    S.RETURNED_TO_SENDER: [MessageKind.RETURNED_TO_SENDER],
}

AFTER_DELIVERY: tuple[MessageKind, ...] = (
    MessageKind.FEEDBACK_REQUEST,
    MessageKind.REVIEW_REMINDER,
    MessageKind.REORDER_REMINDER,
)
"""Timed from the delivery, so their delay is set in days. The feedback request is queued
when the parcel is delivered; the reminders are queued when due, per order line
(``domain.reminders``: their delay depends on the product, and what the shopper did since
the delivery decides whether they go out at all)."""


def messages_for_change(
    old: S, new: S, *, shipped_on: ShippedOn = ShippedOn.LABEL
) -> list[MessageKind]:
    """The messages the status reached calls for; none when nothing changed.

    A parcel that jumps several steps between two polls gets only the news that is still
    true (delivered, not "out for delivery" after the fact). "Shipped" is sent once per
    parcel whichever of label or first scan arrives first after the owner's choice.
    """
    if old == new:
        return []
    if new is S.INFO_RECEIVED:
        return [MessageKind.SHIPPED] if shipped_on is ShippedOn.LABEL else []
    if new is S.IN_TRANSIT:
        return [MessageKind.SHIPPED, MessageKind.IN_TRANSIT]
    found = list(_ON_ARRIVAL.get(new, []))
    if new is S.DELIVERED:
        found.append(MessageKind.FEEDBACK_REQUEST)
    return found


def idempotency_key(
    kind: MessageKind, *, order_id: int, shipment_id: int | None = None, occurrence: str = ""
) -> str:
    """At most one message per (shipment, milestone), or per order for order-level news;
    ``occurrence`` tells repeatable news apart (each stall, each return)."""
    base = f"order:{order_id}:{kind}" if shipment_id is None else f"shipment:{shipment_id}:{kind}"
    return f"{base}:{occurrence}" if occurrence else base


LINK_PARAMETER = "m"
"""Names, in a link a message carries, the kind of message it came in: the page it opens
records it, so the dashboard can tell which messages shoppers follow."""


def link_in_message(url: str, kind: MessageKind) -> str:
    """``url`` with ``m=<kind>`` added to its query (after any parameters it has, before a
    fragment), as a message of ``kind`` carries it."""
    parts = urlsplit(url)
    added = urlencode({LINK_PARAMETER: kind.value})
    return urlunsplit(parts._replace(query=f"{parts.query}&{added}" if parts.query else added))


def kind_of_link(value: str | None) -> MessageKind | None:
    """The message kind a link's ``m`` parameter names; None for anything else, so whatever
    a visitor types there is never stored."""
    try:
        return MessageKind(value) if value else None
    except ValueError:
        return None
