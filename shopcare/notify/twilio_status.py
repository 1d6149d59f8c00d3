"""What Twilio says became of a message after it took it: its status callbacks.

Creating a message only gets "queued" or "accepted"; the outcome comes later as a form post
to the ``StatusCallback`` address given with the message, one post per step (``sent``,
``delivered``, ``read`` for WhatsApp, or ``undelivered``/``failed`` with an ``ErrorCode``).
Twilio documents that these posts can arrive out of order, so a report only counts when it
moves the message forward (``moves_forward``).

Each post is signed: ``X-Twilio-Signature`` is the base64 HMAC-SHA1, under the account's
auth token, of the full URL Twilio called followed by every posted name and value, sorted
by name (``twilio_signature``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

from shopcare.notify.sms import RECIPIENT_ERRORS as SMS_ERRORS
from shopcare.notify.whatsapp import TwilioWhatsApp

STEPS: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "undelivered": 4,
    "failed": 4,
    "delivered": 4,
    "read": 5,
}
"""How far along each status is. Reports of the same step do not replace each other (the
first outcome stands: a message is not both delivered and failed); "read" comes after
"delivered"."""
OUTCOMES = frozenset({"sent", "delivered", "read", "undelivered", "failed"})
"""The statuses kept on the outbox row; the earlier ones say nothing the row does not."""
FAILURES = frozenset({"undelivered", "failed"})

DELIVERY_ERRORS: dict[int, str] = {
    30003: "the phone is unreachable (switched off or out of coverage)",
    30004: "the recipient blocked messages from this number",
    30005: "unknown number: it does not exist or is no longer in use",
    30006: "a landline or a number that cannot receive text messages",
    30007: "filtered as spam by the phone network",
    30008: "the phone network did not say why",
    63016: "WhatsApp needs an approved template outside the 24-hour window",
}
"""The common codes of a failed delivery in words; the refusals the senders already name
(``notify.sms``, ``notify.whatsapp``) are used for the rest, unknown ones shown by number."""


def moves_forward(current: str, reported: str) -> bool:
    """Whether ``reported`` is news for a message whose last kept status is ``current``
    ("" before any report): never backwards, and an unknown status is no news."""
    if reported not in OUTCOMES:
        return False
    return STEPS[reported] > STEPS.get(current, -1)


def delivery_words(status: str, code: int | None) -> str:
    """The report in the owner's words: "delivered", "read", or "failed: 63016 — WhatsApp
    needs an approved template outside the 24-hour window"."""
    if status not in FAILURES or code is None:
        return status
    known = (
        DELIVERY_ERRORS.get(code) or TwilioWhatsApp.known_errors.get(code) or SMS_ERRORS.get(code)
    )
    return f"{status}: {code} — {known}" if known else f"{status}: {code}"


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's signature of a form post to ``url``: names sorted (a name posted twice
    contributes each value, in sorted order), each name then its value appended."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_by_twilio(
    auth_token: str, signature: str, urls: Iterable[str], params: Sequence[tuple[str, str]]
) -> bool:
    """Whether ``signature`` is Twilio's for any of the ``urls`` this post may have been
    made to, each with and without its default port (Twilio's own helpers accept both, as
    some of its callers add ":443"), compared in constant time."""
    if not auth_token or not signature:
        return False
    given = signature.encode()
    found = False
    for candidate in {variant for url in urls for variant in _with_and_without_port(url)}:
        expected = twilio_signature(auth_token, candidate, params).encode()
        found |= hmac.compare_digest(given, expected)
    return found


def _with_and_without_port(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    bare = urlunsplit(parts._replace(netloc=host))
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default}"))
    return (bare, with_port) if parts.port in (None, default) else (url, url)
