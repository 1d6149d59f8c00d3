"""The owner's carrier accounts: which adapters are on, with which credentials, and the
"test connection" that says exactly what is wrong. Building the adapters is here too, so
the composition root and the settings page use the same rules.

Secret fields are kept sealed (``services.secret_box``) inside the credentials JSON; plain
fields (an account number) stay readable. An account whose secrets this data dir's secret
cannot open is left out of polling and shown to the owner as "enter the credentials again"."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlmodel import Session, col, select

from shopcare.carriers.base import AccountField, Carrier, CarrierError, CarrierSpec
from shopcare.carriers.registry import spec, specs
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import CarrierAccount
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import SecretBox, SecretUnreadable, box_of
from shopcare.services.tracking.polling import ProviderLimits
from shopcare.services.tracking.providers import resume_provider

MASK = "••••••"
log = logging.getLogger("shopcare")


@dataclass(frozen=True)
class AccountView:
    name: str
    label: str
    fields: tuple[AccountField, ...]
    values: dict[str, str]
    """Secrets are masked; an empty value means not set."""
    enabled: bool
    configured: bool
    base_url: str
    pushes: bool
    unreadable: bool = False
    """Its secrets were sealed under another secret: the owner must enter them again."""


def list_accounts(sessions: SessionFactory) -> list[AccountView]:
    with sessions() as session:
        stored = {a.name: a for a in session.exec(select(CarrierAccount)).all()}
        box = box_of(session)
    return [_view(s, stored.get(s.name), box) for s in specs()]


def save_account(
    sessions: SessionFactory,
    name: str,
    *,
    enabled: bool,
    values: Mapping[str, str],
    base_url: str = "",
    now: datetime,
) -> None:
    """An empty or masked secret keeps the stored one, so the form never shows secrets."""
    carrier = _spec(name)
    with transaction(sessions) as session:
        account = session.get(CarrierAccount, name) or CarrierAccount(name=name, updated_at=now)
        box = box_of(session)
        old: dict[str, str] = json.loads(account.credentials)
        new: dict[str, str] = {}
        for f in carrier.fields:
            given = (values.get(f.key) or "").strip()
            if not f.secret:
                new[f.key] = given
            elif given in ("", MASK):  # kept, unless no longer readable: then asked again
                stored = old.get(f.key, "")
                new[f.key] = stored if box.can_open(stored) else ""
            else:
                new[f.key] = box.seal(given)
        missing = [f.label for f in carrier.fields if f.required and not new[f.key]]
        if enabled and missing:
            raise InputError(f"{carrier.label} needs: {', '.join(missing)}")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise InputError("the API address must start with https://")
        account.credentials = json.dumps(new)
        account.enabled = enabled
        account.base_url = base_url.rstrip("/")
        account.updated_at = now
        session.add(account)
    resume_provider(sessions, name)


def build_carriers(
    sessions: SessionFactory,
    *,
    client: httpx.AsyncClient,
    clock: Callable[[], datetime],
) -> tuple[dict[str, Carrier], dict[str, ProviderLimits]]:
    """Adapters for every enabled account, with the limits the engine applies to each."""
    carriers: dict[str, Carrier] = {}
    limits: dict[str, ProviderLimits] = {}
    with sessions() as session:
        accounts = _enabled(session)
        box = box_of(session)
    for account in accounts:
        carrier_spec = _spec(account.name)
        try:
            creds = _opened(box, carrier_spec, account.credentials)
        except SecretUnreadable as exc:
            log.warning("%s is not polled: %s", carrier_spec.label, exc)
            continue
        carriers[account.name] = carrier_spec.create(
            creds, client=client, clock=clock, base_url=account.base_url or carrier_spec.base_url
        )
        limits[account.name] = ProviderLimits(
            rate_per_second=carrier_spec.rate_per_second,
            budget=carrier_spec.budget,
            pushes=bool(carrier_spec.push and creds.get(carrier_spec.webhook_secret_field)),
        )
    return carriers, limits


async def test_connection(
    sessions: SessionFactory, name: str, *, client: httpx.AsyncClient, clock: Callable[[], datetime]
) -> str:
    """The adapter's own check with the stored credentials; the error text when it fails."""
    carrier_spec = _spec(name)
    account, box = await asyncio.to_thread(_account_and_box, sessions, name)
    try:
        creds = _opened(box, carrier_spec, account.credentials) if account else {}
    except SecretUnreadable as exc:
        return f"failed: {exc}"
    base = (account.base_url if account else "") or carrier_spec.base_url
    adapter = carrier_spec.create(creds, client=client, clock=clock, base_url=base)
    try:
        return await adapter.check()
    except CarrierError as exc:
        return f"failed: {exc}"


def _account_and_box(
    sessions: SessionFactory, name: str
) -> tuple[CarrierAccount | None, SecretBox]:
    with sessions() as session:
        return session.get(CarrierAccount, name), box_of(session)


def webhook_secret(sessions: SessionFactory, name: str) -> str:
    """The secret a provider signs its pushes with; empty when pushes are not set up."""
    carrier_spec = _spec(name)
    with sessions() as session:
        account = session.get(CarrierAccount, name)
        box = box_of(session)
    if account is None or not account.enabled or not carrier_spec.webhook_secret_field:
        return ""
    try:
        creds = _opened(box, carrier_spec, account.credentials)
    except SecretUnreadable as exc:
        log.warning("%s pushes are refused: %s", carrier_spec.label, exc)
        return ""
    return str(creds.get(carrier_spec.webhook_secret_field, ""))


def secret_keys(name: str) -> frozenset[str]:
    """The credentials' keys kept sealed for the adapter ``name`` (none for an unknown one)."""
    try:
        carrier_spec = spec(name)
    except KeyError:
        return frozenset()
    return frozenset(f.key for f in carrier_spec.fields if f.secret)


def _opened(box: SecretBox, carrier_spec: CarrierSpec, stored: str) -> dict[str, str]:
    """The credentials with their secrets opened; ``SecretUnreadable`` names the carrier."""
    creds: dict[str, str] = json.loads(stored)
    what = f"the {carrier_spec.label} credentials"
    return {
        k: box.open(v, what=what) if k in secret_keys(carrier_spec.name) else v
        for k, v in creds.items()
    }


def _enabled(session: Session) -> list[CarrierAccount]:
    return list(
        session.exec(
            select(CarrierAccount)
            .where(col(CarrierAccount.enabled).is_(True))
            .order_by(col(CarrierAccount.name))
        ).all()
    )


def _spec(name: str) -> CarrierSpec:
    try:
        return spec(name)
    except KeyError:
        raise InputError(f"no carrier adapter named {name!r}") from None


def _view(carrier_spec: CarrierSpec, account: CarrierAccount | None, box: SecretBox) -> AccountView:
    creds: dict[str, str] = json.loads(account.credentials) if account else {}
    secret = secret_keys(carrier_spec.name)
    values = {
        f.key: (MASK if f.secret and creds.get(f.key) else creds.get(f.key, ""))
        for f in carrier_spec.fields
    }
    return AccountView(
        name=carrier_spec.name,
        label=carrier_spec.label,
        fields=carrier_spec.fields,
        values=values,
        enabled=bool(account and account.enabled),
        configured=bool(account),
        base_url=account.base_url if account else "",
        pushes=carrier_spec.push is not None,
        unreadable=any(not box.can_open(v) for k, v in creds.items() if k in secret),
    )
