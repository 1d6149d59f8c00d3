"""Platform webhooks in: checked, stored, answered, then applied.

A platform gives an endpoint a few seconds (Shopify: 5) and retries or gives up when it is
slow, so receiving is cut in two. ``receive_delivery`` checks the signature on the raw body,
parses it and stores it as a ``WebhookDelivery`` (status received); the route answers at
once. ``apply_delivery`` then runs it through the order writer, in one transaction with the
delivery's new status, so a crash in between leaves it received and ``apply_pending`` (at
start-up, before each reconcile) finishes it. The same delivery twice (a retry) is stored
once; an older copy of an order than the stored one changes nothing (the writer says STALE).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import StoreConnection, WebhookDelivery
from shopcare.domain.intake import Source
from shopcare.domain.json_depth import MAX_DEPTH, json_too_deep
from shopcare.services.intake.connection import opened_credentials
from shopcare.services.intake.webhook_topics import Applied, apply_topic
from shopcare.services.secrets_at_rest.box import SecretUnreadable, box_of
from shopcare.services.shop.profile import get_profile

log = logging.getLogger(__name__)

PLATFORMS = (Source.SHOPIFY.value, Source.WOOCOMMERCE.value)
KEEP = 1000
"""Deliveries kept for the owner to look through; older ones that were dealt with go."""
SIGNATURE = {"shopify": "x-shopify-hmac-sha256", "woocommerce": "x-wc-webhook-signature"}
TOPIC = {"shopify": "x-shopify-topic", "woocommerce": "x-wc-webhook-topic"}
DELIVERY_ID = {"shopify": "x-shopify-webhook-id", "woocommerce": "x-wc-webhook-delivery-id"}
_PING = re.compile(rb"webhook_id=\d+")
_APPLYING = threading.Lock()


class WebhookRejected(Exception):
    """Not taken: ``status`` is the HTTP answer (401 bad signature, 400 unreadable body,
    404 webhooks not set up for this platform)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Received:
    delivery_id: int | None
    """The stored delivery to apply; None for a ping or a retry already stored."""
    duplicate: bool = False


@dataclass(frozen=True)
class DeliveryView:
    received_at: datetime
    platform: str
    topic: str
    order_number: str
    status: str
    error: str


def set_webhook_secret(
    sessions: SessionFactory, platform: str, secret: str, *, now: datetime
) -> None:
    """The key the platform signs its webhooks with (Shopify: the one shown under Settings
    -> Notifications -> Webhooks, or the app's client secret; WooCommerce: the webhook's
    Secret field)."""
    if platform not in PLATFORMS:
        raise ValueError(f"no platform {platform!r}")
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform) or StoreConnection(
            platform=platform, updated_at=now
        )
        row.webhook_secret = box_of(session).seal(secret.strip())
        row.updated_at = now
        session.add(row)


def receive_delivery(
    sessions: SessionFactory,
    platform: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
) -> Received:
    """Check and store one delivery; ``headers`` with lower-case names. Raises
    WebhookRejected, after which nothing was stored."""
    if platform == "woocommerce" and SIGNATURE[platform] not in headers and _is_ping(body):
        # answered even before the secret is saved here: WooCommerce reports a webhook whose
        # ping fails as broken, and the ping carries nothing to store
        log.info("WooCommerce webhook created (ping): %s", body[:40].decode(errors="replace"))
        return Received(None)
    secrets = _secrets(sessions, platform)
    if not secrets:
        raise WebhookRejected(f"webhooks are not set up for {platform}", status=404)
    if not signature_valid(headers.get(SIGNATURE[platform], ""), body, *secrets):
        raise WebhookRejected("bad signature", status=401)
    if json_too_deep(body):
        raise WebhookRejected(f"malformed JSON: nested deeper than {MAX_DEPTH} levels", status=400)
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except UnicodeDecodeError as exc:
        raise WebhookRejected("malformed JSON: the body is not UTF-8", status=400) from exc
    except ValueError as exc:
        raise WebhookRejected(f"malformed JSON: {exc}", status=400) from exc
    if not isinstance(payload, dict):
        raise WebhookRejected("malformed JSON: the body is not an object", status=400)
    key = headers.get(DELIVERY_ID[platform], "").strip()[:128] or hashlib.sha256(body).hexdigest()
    delivery = WebhookDelivery(
        platform=platform,
        delivery_key=key,
        topic=headers.get(TOPIC[platform], "").strip()[:64],
        received_at=now,
        body=text,
    )
    return _store(sessions, delivery)


def signature_valid(given: str, body: bytes, *secrets: str) -> bool:
    """base64(HMAC-SHA256(raw body, secret)) for one of the secrets, compared in constant
    time. WooCommerce signs with the secret after ``wp_specialchars_decode``, so ``&amp;``
    and the like are tried decoded too."""
    if not given:
        return False
    candidates = {k for s in secrets if s for k in (s, _html_decoded(s))}
    return any(
        hmac.compare_digest(
            base64.b64encode(hmac.new(k.encode(), body, hashlib.sha256).digest()).decode(),
            given.strip(),
        )
        for k in candidates
    )


def apply_delivery(
    sessions: SessionFactory, delivery_id: int, *, now: datetime, carriers: Sequence[str]
) -> str:
    """Apply one stored delivery and record how it went; its status afterwards. One at a
    time: two deliveries about the same order (orders/create and orders/updated arrive
    together) would otherwise both try to create it."""
    with _APPLYING:
        return _apply_and_record(sessions, delivery_id, now=now, carriers=carriers)


def _apply_and_record(
    sessions: SessionFactory, delivery_id: int, *, now: datetime, carriers: Sequence[str]
) -> str:
    try:
        with transaction(sessions) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != "received":
                return delivery.status if delivery else ""
            applied = _apply(session, delivery, now=now, carriers=carriers)
            _record(session, delivery, applied, now=now)
            return applied.status
    except sa.exc.OperationalError as exc:  # the store was busy or locked: try again later
        log.warning("webhook delivery %s waits for the next try: %s", delivery_id, exc)
        return "received"
    except Exception as exc:  # recorded for the owner; the delivery is not retried
        log.exception("webhook delivery %s could not be applied", delivery_id)
        with transaction(sessions) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is not None:
                _record(session, delivery, Applied("failed", "", f"internal error: {exc}"), now=now)
        return "failed"


def apply_pending(
    sessions: SessionFactory, *, now: datetime, carriers: Sequence[str], limit: int = 1000
) -> int:
    """Apply the deliveries left received (the process stopped before applying them, or
    the store was locked); how many there were. Runs at start-up and before each reconcile."""
    with sessions() as session:
        ids = session.exec(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "received")
            .order_by(WebhookDelivery.id)  # type: ignore[arg-type]
            .limit(limit)
        ).all()
    for delivery_id in ids:
        if delivery_id is not None:
            apply_delivery(sessions, delivery_id, now=now, carriers=carriers)
    return len(ids)


def recent_deliveries(sessions: SessionFactory, *, limit: int = 200) -> list[DeliveryView]:
    """The latest first, timed in the shop's zone: what the owner reads to see why an
    order is missing."""
    zone = get_profile(sessions).zone
    with sessions() as session:
        rows = session.exec(
            select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)  # type: ignore[union-attr]
        ).all()
    return [
        DeliveryView(
            r.received_at.astimezone(zone), r.platform, r.topic, r.order_number, r.status, r.error
        )
        for r in rows
    ]


def _apply(
    session: Session, delivery: WebhookDelivery, *, now: datetime, carriers: Sequence[str]
) -> Applied:
    try:
        payload: Any = json.loads(delivery.body)
        return apply_topic(
            session, delivery.platform, delivery.topic, payload, now=now, carriers=carriers
        )
    except ValueError as exc:  # the payload's shape: nothing of it was written
        return Applied("failed", "", str(exc))


def _record(
    session: Session, delivery: WebhookDelivery, applied: Applied, *, now: datetime
) -> None:
    delivery.status = applied.status
    delivery.order_number = applied.order_number[:64]
    delivery.error = applied.error[:500]
    delivery.applied_at = now
    session.add(delivery)


def _store(sessions: SessionFactory, delivery: WebhookDelivery) -> Received:
    """Stored once per platform and key: a retry finds its first copy and is not applied
    again (a unique constraint settles two copies arriving at the same moment)."""
    key = (delivery.platform, delivery.delivery_key)
    try:
        with transaction(sessions) as session:
            if _stored_id(session, *key) is not None:
                return Received(None, duplicate=True)
            session.add(delivery)
            session.flush()
            _prune(session)
            return Received(delivery.id)
    except sa.exc.IntegrityError:
        return Received(None, duplicate=True)


def _stored_id(session: Session, platform: str, key: str) -> int | None:
    return session.exec(
        select(WebhookDelivery.id).where(
            WebhookDelivery.platform == platform, WebhookDelivery.delivery_key == key
        )
    ).first()


def _prune(session: Session) -> None:
    """Keep the last KEEP deliveries; one not yet applied is never dropped."""
    table = WebhookDelivery.__table__  # type: ignore[attr-defined]
    cut = session.execute(
        sa.select(table.c.id).order_by(table.c.id.desc()).offset(KEEP).limit(1)
    ).scalar()
    if cut is not None:
        session.execute(sa.delete(table).where(table.c.id <= cut, table.c.status != "received"))


def _secrets(sessions: SessionFactory, platform: str) -> list[str]:
    """The webhook secret saved for the platform; for Shopify also the app's client secret,
    which signs the webhooks an app subscribes to. None while the connection is off."""
    if platform not in PLATFORMS:
        return []
    with sessions() as session:
        row = session.get(StoreConnection, platform)
        box = box_of(session)
    if row is None or not row.enabled:
        return []
    try:
        found = [box.open(row.webhook_secret).strip()]
        if platform == "shopify":
            found.append(opened_credentials(box, row).get("client_secret", "").strip())
    except SecretUnreadable as exc:
        log.warning("%s webhooks are refused: %s", platform, exc)
        return []
    return [s for s in found if s]


def _is_ping(body: bytes) -> bool:
    return bool(_PING.fullmatch(body.strip()))


def _html_decoded(secret: str) -> str:
    for entity, char in (
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#039;", "'"),
    ):
        secret = secret.replace(entity, char)
    return secret
