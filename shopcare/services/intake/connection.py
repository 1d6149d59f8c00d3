"""The owner's store connection: which platform, which credentials, and the "Test" that says
exactly what is wrong. Building a platform client from the stored row is here too, so the
page, the backfill and the reconcile use the same rules.

Credentials are stored as JSON in ``StoreConnection.credentials`` and never come back out
to the page: the view says only which secrets are set, and a secret left empty on saving
keeps the stored one. Errors shown to the owner are the client's, which never quote them.
A Shopify token got with the client-credentials grant is kept with its expiry, so a restart
does not ask for a new one.

The secret fields, the webhook secret and the token are kept sealed (``services.secret_box``);
they are opened only to build a client. Sealed under another data dir secret, they cannot be
opened: the page says to enter them again, and the reconcile skips the connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlmodel import select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import StoreConnection
from shopcare.domain.utc import as_utc_or_none
from shopcare.platforms.base import Platform, PlatformError, Sleep
from shopcare.platforms.shopify import Shopify, shop_domain
from shopcare.platforms.woocommerce import WooCommerce, site_url
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import SecretBox, SecretUnreadable, box_of

Clock = Callable[[], datetime]
DEFAULT_DAYS = 60
MAX_DAYS = 3650


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    secret: bool = True
    help: str = ""


FIELDS: dict[str, tuple[Field, ...]] = {
    "shopify": (
        Field("access_token", "Admin API access token", help="shpat_…, or leave empty"),
        Field("client_id", "Client ID", secret=False, help="Dev Dashboard app, instead of a token"),
        Field("client_secret", "Client secret", help="Dev Dashboard app, instead of a token"),
    ),
    "woocommerce": (
        Field("consumer_key", "Consumer key", help="ck_…, with Read access"),
        Field("consumer_secret", "Consumer secret", help="cs_…"),
    ),
}
LABELS = {"shopify": "Shopify", "woocommerce": "WooCommerce"}
ADDRESS = {"shopify": "Shop domain (my-shop.myshopify.com)", "woocommerce": "Site address"}


@dataclass(frozen=True)
class ConnectionView:
    platform: str
    shop_url: str
    values: dict[str, str]
    """Plain fields as stored; secrets are "" (shown as set or not by ``secrets_set``)."""
    secrets_set: frozenset[str]
    webhook_secret_set: bool
    enabled: bool
    backfill_days: int
    last_reconcile_at: datetime | None
    last_error: str
    unreadable: bool = False
    """Its secrets were sealed under another data dir secret: they must be entered again."""


def connection_view(sessions: SessionFactory, platform: str) -> ConnectionView:
    _known(platform)
    with sessions() as session:
        row = session.get(StoreConnection, platform)
        box = box_of(session)
    creds = _credentials(row)
    fields = FIELDS[platform]
    stored = [*(v for k, v in creds.items() if k in secret_keys(platform))]
    stored += [row.webhook_secret, row.access_token] if row else []
    return ConnectionView(
        platform=platform,
        shop_url=row.shop_url if row else "",
        values={f.key: ("" if f.secret else creds.get(f.key, "")) for f in fields},
        secrets_set=frozenset(f.key for f in fields if f.secret and creds.get(f.key)),
        webhook_secret_set=bool(row and row.webhook_secret),
        enabled=bool(row and row.enabled),
        backfill_days=row.backfill_days if row else DEFAULT_DAYS,
        last_reconcile_at=as_utc_or_none(row.last_reconcile_at) if row else None,
        last_error=row.last_error if row else "",
        unreadable=any(not box.can_open(v) for v in stored),
    )


def save_connection(
    sessions: SessionFactory,
    platform: str,
    *,
    shop_url: str,
    values: Mapping[str, str],
    backfill_days: int = DEFAULT_DAYS,
    webhook_secret: str = "",
    now: datetime,
) -> None:
    """Store the connection and turn it on; an empty secret keeps the stored one."""
    _known(platform)
    address = shop_domain(shop_url) if platform == "shopify" else site_url(shop_url)
    if not address:
        raise InputError(f"{LABELS[platform]} needs the {ADDRESS[platform].lower()}")
    if not 1 <= backfill_days <= MAX_DAYS:
        raise InputError(f"import between 1 and {MAX_DAYS} days of orders")
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform) or StoreConnection(
            platform=platform, updated_at=now
        )
        box = box_of(session)
        old = _credentials(row)
        new = {}
        for f in FIELDS[platform]:
            given = (values.get(f.key) or "").strip()
            if not f.secret:
                new[f.key] = given
            elif given:
                new[f.key] = box.seal(given)
            else:  # kept, unless no longer readable: then asked again
                new[f.key] = old.get(f.key, "") if box.can_open(old.get(f.key, "")) else ""
        if platform == "shopify" and values.get("client_secret") and not values.get("access_token"):
            new["access_token"] = ""  # a new app secret alone: the owner leaves the token
        if not _has_credentials(platform, {k for k, v in new.items() if v}):
            raise InputError(_missing(platform))
        if (new, row.shop_url) != (old, address):
            row.access_token, row.token_expires_at = "", None  # a token of other keys
        row.shop_url = address
        row.credentials = json.dumps(new)
        if webhook_secret.strip() or not box.can_open(row.webhook_secret):
            row.webhook_secret = box.seal(webhook_secret.strip())
        row.backfill_days = backfill_days
        row.enabled = True
        row.last_error = ""
        row.updated_at = now
        session.add(row)


def disconnect(sessions: SessionFactory, platform: str, *, now: datetime) -> None:
    """Stop the reconcile; the credentials stay so turning it on again needs no retyping."""
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform)
        if row is not None:
            row.enabled = False
            row.updated_at = now
            session.add(row)


def enabled_platforms(sessions: SessionFactory) -> list[str]:
    with sessions() as session:
        rows = session.exec(select(StoreConnection).where(StoreConnection.enabled)).all()
    return [r.platform for r in rows if r.platform in FIELDS]


def platform_client(
    sessions: SessionFactory,
    platform: str,
    *,
    http: httpx.AsyncClient,
    clock: Clock,
    sleep: Sleep = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Platform:
    """A client for the stored connection; ``sleep`` and ``monotonic`` are how it waits
    for and measures a platform's rate limits (a test's stopwatch, a benchmark's)."""
    _known(platform)
    with sessions() as session:
        row = session.get(StoreConnection, platform)
        box = box_of(session)
    if row is None:
        raise InputError(f"{LABELS[platform]} is not connected yet")
    try:
        creds = opened_credentials(box, row)
        token = box.open(row.access_token)
    except SecretUnreadable as exc:
        raise InputError(str(exc)) from None
    if platform == "woocommerce":
        return WooCommerce(
            site=row.shop_url,
            consumer_key=creds.get("consumer_key", ""),
            consumer_secret=creds.get("consumer_secret", ""),
            client=http,
            sleep=sleep,
            key_in_query=bool(creds.get("key_in_query")),
        )
    client = Shopify(
        shop=row.shop_url,
        client=http,
        clock=clock,
        access_token=creds.get("access_token", ""),
        client_id=creds.get("client_id", ""),
        client_secret=creds.get("client_secret", ""),
        sleep=sleep,
        monotonic=monotonic,
    )
    client.remember_token(token, as_utc_or_none(row.token_expires_at))
    return client


def keep_client_state(sessions: SessionFactory, client: Platform, *, error: str = "") -> None:
    """What a client learnt that the next run needs (a fresh token, a host that strips
    Authorization), and the last error for the page ("" clears it)."""
    with transaction(sessions) as session:
        row = session.get(StoreConnection, client.name)
        if row is None:
            return
        box = box_of(session)
        if isinstance(client, Shopify) and not _same(box, client.token, row.access_token):
            row.access_token = box.seal(client.token)
            row.token_expires_at = client.token_expires_at
        if isinstance(client, WooCommerce) and client.key_in_query:
            row.credentials = json.dumps({**_credentials(row), "key_in_query": "1"})
        row.last_error = error[:500]
        session.add(row)


async def test_connection(
    sessions: SessionFactory,
    platform: str,
    *,
    http: httpx.AsyncClient,
    clock: Clock,
) -> str:
    """The client's cheapest call with the stored credentials: its text, or "failed: why"."""
    try:
        client = await asyncio.to_thread(
            platform_client, sessions, platform, http=http, clock=clock
        )
    except InputError as exc:
        return f"failed: {exc}"
    try:
        text = await client.check()
    except PlatformError as exc:
        await asyncio.to_thread(keep_client_state, sessions, client, error=str(exc))
        return f"failed: {exc}"
    await asyncio.to_thread(keep_client_state, sessions, client)
    return text


def secret_keys(platform: str) -> frozenset[str]:
    """The credentials' keys kept sealed for ``platform``."""
    return frozenset(f.key for f in FIELDS.get(platform, ()) if f.secret)


def opened_credentials(box: SecretBox, row: StoreConnection) -> dict[str, str]:
    """The stored credentials with their secrets opened (``SecretUnreadable`` if they were
    sealed under another secret)."""
    what = f"the {LABELS.get(row.platform, row.platform)} credentials"
    secret = secret_keys(row.platform)
    return {k: box.open(v, what=what) if k in secret else v for k, v in _credentials(row).items()}


def _same(box: SecretBox, token: str, stored: str) -> bool:
    try:
        return box.open(stored) == token
    except SecretUnreadable:
        return False


def _has_credentials(platform: str, keys: set[str]) -> bool:
    if platform == "shopify":
        return "access_token" in keys or {"client_id", "client_secret"} <= keys
    return {"consumer_key", "consumer_secret"} <= keys


def _missing(platform: str) -> str:
    if platform == "shopify":
        return "Shopify needs an Admin API access token, or the app's client ID and secret"
    return "WooCommerce needs the consumer key and the consumer secret"


def _credentials(row: StoreConnection | None) -> dict[str, str]:
    if row is None:
        return {}
    try:
        loaded = json.loads(row.credentials or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _known(platform: str) -> None:
    if platform not in FIELDS:
        raise InputError(f"unknown platform {platform!r}")
