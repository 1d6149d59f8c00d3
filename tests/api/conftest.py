"""The API in-process over real HTTP semantics (``httpx.ASGITransport``), mounted the way the
app mounts it (on the site app, under ``/api/v1``), with a key made by the real service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.services.api_keys import create_key
from shopcare.ui.api import mount_api

BASE = "http://shop.test/api/v1"


@pytest.fixture
def key(shopcare: ShopCare) -> str:
    return create_key(shopcare.sessions, "tests", now=shopcare.clock()).key


@pytest.fixture
async def api(shopcare: ShopCare, key: str) -> AsyncIterator[httpx.AsyncClient]:
    site = FastAPI()
    mount_api(site, shopcare)
    transport = httpx.ASGITransport(site)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers) as http:
        yield http


def order_body(number: str = "1001", **changes: Any) -> dict[str, Any]:
    """An order as a shop's script would send it."""
    body: dict[str, Any] = {
        "order_number": number,
        "email": "ada@example.com",
        "customer_name": "Ada Lovelace",
        "placed_at": "2026-11-02T08:30:00+01:00",
        "currency": "EUR",
        "lines": [
            {"title": "Linen shirt", "sku": "SHIRT-M", "quantity": 2, "unit_price_minor": 1990}
        ],
        "shipping_address": {
            "name": "Ada Lovelace",
            "address1": "Hauptstraße 1",
            "city": "Berlin",
            "postcode": "10115",
            "country": "DE",
        },
    }
    body.update(changes)
    return body
