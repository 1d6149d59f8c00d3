"""The owner's webhook: each message POSTed as signed JSON to a URL of their choice.

The request::

    POST <url>
    Content-Type: application/json
    X-ShopCare-Message-Id: <the message's id; the same on every retry, so drop duplicates>
    X-ShopCare-Timestamp: <unix seconds when this attempt was sent>
    X-ShopCare-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

    {"id": ..., "kind": "shipped", "subject": ..., "text": ..., "data": {...},
     "sent_at": "2026-11-02T09:00:00Z"}

How a receiver verifies it:

1. Read the raw body bytes, before any JSON parsing (re-encoding changes the bytes).
2. Compute ``HMAC-SHA256(secret, f"{timestamp}.".encode() + body)`` as lower-case hex, with
   the timestamp exactly as sent in ``X-ShopCare-Timestamp``.
3. Compare it with the part of ``X-ShopCare-Signature`` after ``sha256=`` in constant time
   (Python: ``hmac.compare_digest``).
4. Reject a timestamp more than five minutes from your clock. The timestamp is inside the
   signed content, so it cannot be changed without breaking the signature; that check
   keeps a captured request from being replayed later.

``verify_signature`` below does all four in Python.

Answers: 2xx is delivered; 429, 5xx and timeouts are retried (honouring ``Retry-After``);
410 means the receiver is gone and any other 4xx is a refusal: neither is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx

from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.retry_after import retry_after

SIGNATURE_PREFIX = "sha256="
MAX_AGE_S = 300.0


class SignedWebhook:
    name = "webhook"
    channel = Channel.WEBHOOK

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        url: str,
        secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.url = url
        self.secret = secret
        self.clock = clock

    async def send(self, message: Outgoing) -> None:
        now = self.clock()
        body = payload(message, sent_at=now)
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-ShopCare-Message-Id": message.message_id,
            "X-ShopCare-Timestamp": timestamp,
            "X-ShopCare-Signature": SIGNATURE_PREFIX + sign(self.secret, timestamp, body),
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise SendError(
                f"webhook: no answer in time from {self.url} ({type(exc).__name__})",
                permanent=False,
            ) from exc
        except httpx.HTTPError as exc:
            raise SendError(
                f"webhook: cannot reach {self.url} ({type(exc).__name__}: {exc})",
                permanent=False,
            ) from exc
        if not response.is_success:
            raise _error_for(response)


def payload(message: Outgoing, *, sent_at: datetime) -> bytes:
    """The exact body bytes that are signed and sent."""
    document = {
        "id": message.message_id,
        "kind": message.kind,
        "subject": message.subject,
        "text": message.text,
        "data": message.data,
        "sent_at": sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(document, ensure_ascii=False, default=_jsonable).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    max_age_s: float = MAX_AGE_S,
    now: float | None = None,
) -> bool:
    """True if ``header`` (``X-ShopCare-Signature``) signs ``timestamp`` and ``body`` with
    ``secret`` and the timestamp is within ``max_age_s`` of ``now`` (unix seconds)."""
    if not (timestamp.isascii() and timestamp.isdigit()) or not header.startswith(SIGNATURE_PREFIX):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > max_age_s:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected, header.removeprefix(SIGNATURE_PREFIX))


def _error_for(response: httpx.Response) -> SendError:
    status = response.status_code
    detail = _detail(response)
    if status == 429 or status >= 500:
        return SendError(
            f"webhook: the receiver is {'rate limiting' if status == 429 else 'failing'} "
            f"({status}){detail}",
            permanent=False,
            retry_after=retry_after(response.headers),
        )
    if status == 410:
        return SendError(
            "webhook: the receiver is gone (410); change or remove the webhook URL",
            permanent=True,
        )
    if status in (401, 403):
        return SendError(
            f"webhook: the receiver refused the request ({status}); check that it uses "
            f"the same secret{detail}",
            permanent=True,
        )
    if 300 <= status < 400:
        where = response.headers.get("location", "elsewhere")
        return SendError(
            f"webhook: the URL redirects ({status}) to {where}; set that URL instead",
            permanent=True,
        )
    return SendError(
        f"webhook: the receiver refused the message ({status}){detail}", permanent=True
    )


def _detail(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f": {text[:160]}" if text else ""


def _jsonable(value: Any) -> str:
    """Dates as ISO 8601, anything else JSON cannot hold (Decimal, UUID) as its text."""
    return value.isoformat() if isinstance(value, date) else str(value)
