"""Read models for the admin's tracking pages: provider health with labels and times in the
shop's zone, the alerts the owner has not seen, and how many parcels are late. Read only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from shopcare.carriers.registry import carrier_label, spec
from shopcare.db.engine import SessionFactory
from shopcare.db.models import Shipment
from shopcare.services.shop.profile import get_profile
from shopcare.services.tracking.providers import provider_statuses


@dataclass(frozen=True)
class ProviderRow:
    name: str
    label: str
    calls_today: int
    errors_today: int
    last_error: str
    paused_reason: str
    open_until: datetime | None
    """In the shop's zone."""
    alert_seen: bool


def provider_rows(sessions: SessionFactory) -> list[ProviderRow]:
    zone = get_profile(sessions).zone
    return [
        ProviderRow(
            name=s.name,
            label=carrier_label(s.name),
            calls_today=s.calls_today,
            errors_today=s.errors_today,
            last_error=s.last_error,
            paused_reason=s.paused_reason,
            open_until=s.open_until.astimezone(zone) if s.open_until else None,
            alert_seen=s.alert_seen,
        )
        for s in provider_statuses(sessions)
    ]


def provider_alerts(sessions: SessionFactory) -> list[ProviderRow]:
    """Paused providers the owner has not dismissed yet."""
    return [r for r in provider_rows(sessions) if r.paused_reason and not r.alert_seen]


def carrier_choices(names: list[str]) -> dict[str, str]:
    """Adapter names with the labels the owner knows them by, for a select."""
    return {name: carrier_label(name) for name in names}


def production_address(name: str) -> str:
    """The API address an adapter uses unless the owner sets another (a sandbox, a proxy)."""
    return spec(name).base_url


def count_delayed(sessions: SessionFactory) -> int:
    with sessions() as session:
        found = session.exec(
            select(func.count()).select_from(Shipment).where(col(Shipment.delayed).is_(True))
        ).one()
    return int(found)
