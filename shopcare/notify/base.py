"""The seam every message sender implements, and the one error it raises.

A message leaves the outbox as an ``Outgoing``: already rendered, addressed, with its
headers. Each channel's sender turns it into what its transport needs (a MIME email, an
SMS form post, a signed JSON webhook) and raises ``SendError`` when that fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    WHATSAPP = "whatsapp"


SHOPPER_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.WHATSAPP})
"""What a shopper reads; the owner's own webhook is not one of them."""


class SendError(Exception):
    """Delivery failed. ``permanent`` (refused address, 5xx) means retrying will not help;
    ``retry_after`` (seconds) when the other side said how long to wait."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (the return slip with the approval); other channels,
    which carry no files, leave it out."""

    filename: str
    content_type: str
    """``maintype/subtype``, e.g. "application/pdf"."""
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    kind: str
    """The message kind (``MessageKind`` value), e.g. "shipped"."""
    recipient: str
    """An email address, a phone number in E.164, or "" for the owner's webhook."""
    subject: str
    text: str
    html: str = ""
    message_id: str = ""
    """Kept in the outbox row, so a retry reuses it (receivers can drop duplicates)."""
    sender_name: str = ""
    sender_address: str = ""
    reply_to: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra headers, e.g. List-Unsubscribe; senders that have no headers ignore them."""
    data: dict[str, Any] = field(default_factory=dict)
    """Structured facts for machine receivers (the webhook): order, shipment, links."""
    attachments: tuple[Attachment, ...] = ()
    refusal: str = ""
    """Why this message must not go out (a link it needs is missing): the dispatcher
    records it as failed with this reason instead of handing it to a sender."""


class Sender(Protocol):
    name: str
    channel: Channel

    async def send(self, message: Outgoing) -> str | None:
        """Hand the message over, or raise ``SendError``. Returns the provider's id for it
        when the provider reports on it later (Twilio's MessageSid), else None."""
        ...
