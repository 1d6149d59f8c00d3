"""The owner's carrier accounts: which adapters are on, with which credentials, and the
"test connection" that says exactly what is wrong. Building the adapters is here too, so
the composition root and the settings page use the same rules."""

from __future__ import annotations

import asyncio
import json
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
from shopcare.services.polling import ProviderLimits
from shopcare.services.providers import resume_provider

MASK = "••••••"


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


def list_accounts(sessions: SessionFactory) -> list[AccountView]:
    with sessions() as session:
        stored = {a.name: a for a in session.exec(select(CarrierAccount)).all()}
    return [_view(s, stored.get(s.name)) for s in specs()]


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
        old: dict[str, str] = json.loads(account.credentials)
        new: dict[str, str] = {}
        for f in carrier.fields:
            given = (values.get(f.key) or "").strip()
            new[f.key] = old.get(f.key, "") if f.secret and given in ("", MASK) else given
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
    for account in accounts:
        carrier_spec = _spec(account.name)
        creds = json.loads(account.credentials)
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
    account = await asyncio.to_thread(_account, sessions, name)
    creds = json.loads(account.credentials) if account else {}
    base = (account.base_url if account else "") or carrier_spec.base_url
    adapter = carrier_spec.create(creds, client=client, clock=clock, base_url=base)
    try:
        return await adapter.check()
    except CarrierError as exc:
        return f"failed: {exc}"


def _account(sessions: SessionFactory, name: str) -> CarrierAccount | None:
    with sessions() as session:
        return session.get(CarrierAccount, name)


def webhook_secret(sessions: SessionFactory, name: str) -> str:
    """The secret a provider signs its pushes with; empty when pushes are not set up."""
    carrier_spec = _spec(name)
    with sessions() as session:
        account = session.get(CarrierAccount, name)
    if account is None or not account.enabled or not carrier_spec.webhook_secret_field:
        return ""
    return str(json.loads(account.credentials).get(carrier_spec.webhook_secret_field, ""))


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


def _view(carrier_spec: CarrierSpec, account: CarrierAccount | None) -> AccountView:
    creds: dict[str, str] = json.loads(account.credentials) if account else {}
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
    )
