"""The provider's client for a label: the one place that picks EasyPost or Shippo and the
address it is asked at."""

from __future__ import annotations

import httpx

from shopcare.domain.return_labels import LabelProvider
from shopcare.services.returns.labels.api import LabelClient
from shopcare.services.returns.labels.easypost import EasyPostLabels
from shopcare.services.returns.labels.settings import DEFAULT_URLS, LabelSettings
from shopcare.services.returns.labels.shippo import ShippoLabels


def make_client(http: httpx.AsyncClient, *, provider: str, base_url: str, key: str) -> LabelClient:
    if provider == LabelProvider.SHIPPO:
        return ShippoLabels(http, base_url=base_url, api_key=key)
    return EasyPostLabels(http, base_url=base_url, api_key=key)


def provider_url(settings: LabelSettings, provider: str) -> str:
    """The owner's address for the provider of the settings (a sandbox, a test server),
    else the documented one (a label bought before the owner switched provider)."""
    if settings.base_url and settings.provider == provider:
        return settings.base_url.rstrip("/")
    return DEFAULT_URLS[LabelProvider(provider)]
