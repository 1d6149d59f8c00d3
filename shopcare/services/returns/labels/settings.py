"""The owner's label settings, one settings row: which provider and key, the address the
parcels go to (structured, as carriers need it), the parcel presets, the preferred carrier
and service, and the policy of when a label is bought. The API key is sealed at rest,
never shown back, never logged."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.domain.return_labels import LabelProvider, LabelsFor, Parcel
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import SecretUnreadable, box_of
from shopcare.services.shop.settings_rows import load_group, update_group

log = logging.getLogger("shopcare")

SETTING_KEY = "return_labels"
SEALED = frozenset({"api_key"})
DEFAULT_URLS = {
    LabelProvider.EASYPOST: "https://api.easypost.com/v2",
    LabelProvider.SHIPPO: "https://api.goshippo.com",
}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class LabelSettings:
    provider: str = ""
    """"" (no labels), "easypost" or "shippo"."""
    api_key: str = field(default="", repr=False)
    base_url: str = ""
    """Empty: the provider's documented address."""
    labels_for: str = LabelsFor.NEVER
    reasons: tuple[str, ...] = ()
    """The reasons that get a label when ``labels_for`` is "reasons"."""
    carrier: str = ""
    service: str = ""
    """Empty: the cheapest rate."""
    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    parcel: tuple[float, float, float, int] = (30.0, 20.0, 10.0, 1000)
    """The default parcel: length, width, height (cm), weight (g)."""
    presets: tuple[tuple[str, float, float, float, int], ...] = ()
    """Per SKU: (sku, length, width, height, weight)."""

    @property
    def url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        return DEFAULT_URLS.get(LabelProvider(self.provider), "") if self.provider else ""

    def default_parcel(self) -> Parcel:
        length, width, height, weight = self.parcel
        return Parcel(float(length), float(width), float(height), int(weight))

    def parcel_presets(self) -> dict[str, Parcel]:
        return {
            str(sku): Parcel(float(ln), float(w), float(h), int(g))
            for sku, ln, w, h, g in self.presets
        }


def load_label_settings(session: Session) -> LabelSettings:
    stored = load_group(session, SETTING_KEY, LabelSettings)
    # JSON brings lists back; the group stays hashable (and so shared, see settings_rows)
    return _tupled(stored)


def get_label_settings(sessions: SessionFactory) -> LabelSettings:
    """For the settings page: the key is never shown back, only whether one is stored."""
    with sessions() as session:
        return load_label_settings(session)


def api_key(session: Session, settings: LabelSettings) -> str:
    """The plain key; "" when none is stored or it cannot be opened (logged, without it)."""
    try:
        return box_of(session).open(settings.api_key, what="the label account's API key")
    except SecretUnreadable as exc:
        log.warning("return labels: %s", exc)
        return ""


def save_label_settings(
    sessions: SessionFactory, *, api_key: str | None = None, **changes: Any
) -> LabelSettings:
    """``api_key=None`` keeps the stored key (the form never shows it); "" forgets it.
    Raises InputError, saying what to fix, before anything is written."""
    if api_key is not None:
        changes["api_key"] = api_key.strip()
    for name in ("reasons", "presets", "parcel"):
        if name in changes:
            changes[name] = _tuple(changes[name])
    sealed = SEALED if api_key else frozenset()
    return update_group(
        sessions, SETTING_KEY, LabelSettings, changes, check=check_label_settings, sealed=sealed
    )


def check_label_settings(s: LabelSettings) -> None:
    if s.provider and s.provider not in LabelProvider.__members__.values():
        raise InputError("the label provider is EasyPost or Shippo")
    if s.labels_for not in LabelsFor.__members__.values():
        raise InputError("labels are bought never, when the shop pays postage, or for reasons")
    if s.labels_for != LabelsFor.NEVER:
        if not s.provider:
            raise InputError("choose EasyPost or Shippo to buy labels")
        if not (s.street1 and s.city and s.zip and s.country):
            raise InputError("enter the return address: street, city, postcode and country")
    if s.labels_for == LabelsFor.REASONS and not s.reasons:
        raise InputError("choose the reasons that get a prepaid label")
    if s.country and not _COUNTRY.match(s.country):
        raise InputError("the country is its two-letter code, e.g. DE or US")
    if s.base_url and not s.base_url.startswith(
        ("https://", "http://127.0.0.1", "http://localhost")
    ):
        raise InputError("the provider's address must start with https://")
    for sku, *sizes in (("default", *s.parcel), *s.presets):
        if not str(sku).strip():
            raise InputError("a parcel preset needs a SKU")
        if any(not isinstance(v, (int, float)) or v <= 0 for v in sizes):
            raise InputError(f"the parcel for {sku}: sizes and weight must be above 0")


def _tuple(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_tuple(v) for v in value)
    return value


def _tupled(s: LabelSettings) -> LabelSettings:
    if all(isinstance(getattr(s, n), tuple) for n in ("reasons", "presets", "parcel")):
        return s
    from dataclasses import replace

    return replace(s, reasons=_tuple(s.reasons), presets=_tuple(s.presets), parcel=_tuple(s.parcel))
