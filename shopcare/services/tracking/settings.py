"""The owner's tracking settings: polling cadence, expiry, stall rules, holidays and the
shop's own transit rule. Kept as one settings row; every field has a sensible default."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.domain.polling import DEFAULT_CADENCE_HOURS
from shopcare.domain.stalls import StallRules
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

_KEY = "tracking"


@dataclass(frozen=True)
class TrackingSettings:
    cadence_hours: dict[str, float] = field(
        default_factory=lambda: {s.value: h for s, h in DEFAULT_CADENCE_HOURS.items()}
    )
    expire_days: int = 30
    stall_label_days: int = 3
    stall_transit_days: int = 4
    holidays: list[str] = field(default_factory=list)
    """ISO dates on which carriers do not deliver in the shop's country."""
    processing_days: int = 1
    transit_days_min: int = 2
    transit_days_max: int = 5
    provider_concurrency: int = 8
    """Calls in flight per provider at once."""

    @property
    def cadence(self) -> dict[ShipmentStatus, float]:
        return {ShipmentStatus(k): v for k, v in self.cadence_hours.items()}

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in self.holidays)

    @property
    def stall_rules(self) -> StallRules:
        return StallRules(
            label_days=self.stall_label_days,
            transit_days=self.stall_transit_days,
            holidays=self.holiday_dates,
        )


def load_tracking_settings(session: Session) -> TrackingSettings:
    return load_group(session, _KEY, TrackingSettings)


def get_tracking_settings(sessions: SessionFactory) -> TrackingSettings:
    with sessions() as session:
        return load_tracking_settings(session)


def update_tracking_settings(sessions: SessionFactory, **changes: Any) -> TrackingSettings:
    return update_group(sessions, _KEY, TrackingSettings, changes, check=_check)


def _check(s: TrackingSettings) -> None:
    for status, hours in s.cadence_hours.items():
        if status not in ShipmentStatus.__members__.values():
            raise InputError(f"unknown status {status!r} in the polling cadence")
        if not 0 < hours <= 7 * 24:
            raise InputError(f"polling every {hours} hours is out of range (0-168)")
    for name in ("expire_days", "stall_label_days", "stall_transit_days"):
        if getattr(s, name) < 1:
            raise InputError(f"{name.replace('_', ' ')} must be at least 1")
    if not 0 <= s.transit_days_min <= s.transit_days_max:
        raise InputError("transit days: the fastest must not exceed the slowest")
    if not 1 <= s.provider_concurrency <= 100:
        raise InputError("calls in flight per provider must be between 1 and 100")
    try:
        _ = s.holiday_dates
    except ValueError:
        raise InputError("holidays must be dates like 2026-12-25") from None
