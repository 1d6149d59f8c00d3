"""The shop's own profile (name, addresses, time zone), kept as settings rows in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.services.errors import InputError
from shopcare.services.settings_rows import load_group, update_group


@dataclass(frozen=True)
class ShopProfile:
    name: str = "My Shop"
    sender_email: str = "shop@example.com"
    support_email: str = "support@example.com"
    timezone: str = "UTC"
    return_address: str = "My Shop\nReturns\n1 Example Street\n10115 Berlin\nGermany"
    simulated_speed: float = 1.0
    """Clock speed of the simulated carrier: 1440 in the demo (a day per minute)."""
    brand_color: str = "#2563eb"
    logo_url: str = ""
    """An absolute https:// address of the logo, as mail clients fetch it."""
    shop_url: str = ""
    review_url: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_KEY = "shop_profile"


def load_profile(session: Session) -> ShopProfile:
    return load_group(session, _KEY, ShopProfile)


def get_profile(sessions: SessionFactory) -> ShopProfile:
    with sessions() as session:
        return load_profile(session)


def update_profile(sessions: SessionFactory, **changes: Any) -> ShopProfile:
    return update_group(sessions, _KEY, ShopProfile, changes, check=_check)


def _check(profile: ShopProfile) -> None:
    try:
        ZoneInfo(profile.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {profile.timezone!r}") from None
    if not profile.name.strip():
        raise InputError("the shop needs a name")
    if profile.simulated_speed <= 0:
        raise InputError("simulated carrier speed must be positive")
