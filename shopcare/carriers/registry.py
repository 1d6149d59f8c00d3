"""Every carrier adapter by name. An adapter module exposes ``SPEC: CarrierSpec``; the
registry imports it on first use so a shop pays only for the adapters it configures."""

from __future__ import annotations

import importlib
from functools import cache
from urllib.parse import quote

from shopcare.carriers.base import CarrierSpec

MODULES: dict[str, str] = {
    "17track": "seventeentrack",
    "aftership": "aftership",
    "ship24": "ship24",
    "ups": "ups",
    "usps": "usps",
    "fedex": "fedex",
    "dhl": "dhl",
    "easypost": "easypost",
    "shippo": "shippo",
    "karrio": "karrio_bridge",
}

_LABELS = {
    "simulated": "Simulated carrier",
    "17track": "17TRACK",
    "aftership": "AfterShip",
    "ship24": "Ship24",
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "easypost": "EasyPost",
    "shippo": "Shippo",
    "karrio": "karrio (other carriers)",
}


def carrier_label(name: str) -> str:
    return _LABELS.get(name, name.upper() if len(name) <= 4 else name.title())


_TRACKING_PAGES: dict[str, tuple[str, str]] = {
    "ups": ("UPS", "https://www.ups.com/track?tracknum={number}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
    "dhl": ("DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"),
    "dhl-germany": (
        "DHL Paket",
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}",
    ),
    "royal-mail": (
        "Royal Mail",
        "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    ),
    "canada-post": (
        "Canada Post",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    ),
    "australia-post": ("Australia Post", "https://auspost.com.au/mypost/track/details/{number}"),
    "la-poste": ("La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
}
"""The carrier's own tracking page for a number, by carrier; the adapters of aggregators
(AfterShip, 17TRACK, EasyPost, …) name the carrier behind them in ``carrier_code``."""

_CODE_ALIASES = {
    # AfterShip / Ship24 / Shippo / EasyPost spellings (lower-cased when stored)
    "dhl-express": "dhl",
    "dhl_express": "dhl",
    "dhlexpress": "dhl",
    "dhl-de": "dhl-germany",
    "deutsche-post-dhl": "dhl-germany",
    "fedex-ground": "fedex",
    "united-states-postal-service": "usps",
    "us-post": "usps",
    "royalmail": "royal-mail",
    "royal_mail": "royal-mail",
    "canadapost": "canada-post",
    "australiapost": "australia-post",
    "la-poste-colissimo": "la-poste",
    "colissimo": "la-poste",
    # 17TRACK's numeric carrier keys
    "100001": "dhl",
    "100002": "ups",
    "100003": "fedex",
    "21051": "usps",
}


def carrier_page(carrier: str, carrier_code: str, tracking_number: str) -> tuple[str, str]:
    """The carrier's name as a shopper knows it, and its own tracking page for the number
    ("" when there is none: the simulated carrier, an aggregator without a known carrier)."""
    code = carrier_code.strip().lower()
    key = carrier if carrier in _TRACKING_PAGES else _CODE_ALIASES.get(code, code)
    if key not in _TRACKING_PAGES:
        label = carrier_label(carrier) if not code or code.isdigit() else carrier_label(code)
        return label, ""
    label, template = _TRACKING_PAGES[key]
    return label, template.format(number=quote(tracking_number.strip(), safe=""))


@cache
def spec(name: str) -> CarrierSpec:
    """Raises KeyError for a name no adapter has."""
    module = importlib.import_module(f"shopcare.carriers.{MODULES[name]}")
    found: CarrierSpec = module.SPEC
    return found


def specs() -> list[CarrierSpec]:
    return [spec(name) for name in MODULES]
