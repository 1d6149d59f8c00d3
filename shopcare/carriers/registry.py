"""Every carrier adapter by name. An adapter module exposes ``SPEC: CarrierSpec``; the
registry imports it on first use so a shop pays only for the adapters it configures."""

from __future__ import annotations

import importlib
from functools import cache

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


@cache
def spec(name: str) -> CarrierSpec:
    """Raises KeyError for a name no adapter has."""
    module = importlib.import_module(f"shopcare.carriers.{MODULES[name]}")
    found: CarrierSpec = module.SPEC
    return found


def specs() -> list[CarrierSpec]:
    return [spec(name) for name in MODULES]
