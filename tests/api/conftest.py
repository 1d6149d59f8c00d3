"""The API in-process over real HTTP semantics (``httpx.ASGITransport``), mounted the way the
app mounts it (on the site app, under ``/api/v1``), with a key made by the real service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import OrderLine, ReturnLine, ReturnRequest, Shipment, TrackingEvent
from shopcare.domain.intake import LineIn, Mode, OrderIn, ShipmentIn, Source
from shopcare.services.accounts.api_keys import create_key
from shopcare.services.intake.writer import write_order
from shopcare.services.shopper_site.feedback import (
    FeedbackDetails,
    feedback_token_after_delivery,
    record_feedback,
)
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


def seed_history(shopcare: ShopCare) -> dict[str, int]:
    """An order with a parcel that moved, a return of one item and an answered feedback:
    what the read endpoints show. The order goes in through the writer; the carrier's event
    and the return are rows as the tracking engine and the portal leave them."""
    now = shopcare.clock()
    order_in = OrderIn(
        order_number="H-1",
        email="grace@example.com",
        placed_at=now - timedelta(days=5),
        lines=(LineIn(title="Wool scarf", quantity=1, unit_price_minor=2500, sku="SCARF"),),
        shipments=(ShipmentIn(carrier="", tracking_number="00340434161094042557"),),
        source=Source.API,
    )
    written = write_order(
        shopcare.sessions, order_in, now=now, carriers=shopcare.carrier_names, mode=Mode.LIVE
    )
    assert written.order_id is not None
    with transaction(shopcare.sessions) as session:
        shipment = session.exec(select(Shipment).where(Shipment.order_id == written.order_id)).one()
        line = session.exec(select(OrderLine).where(OrderLine.order_id == written.order_id)).one()
        assert shipment.id is not None and line.id is not None
        session.add(
            TrackingEvent(
                shipment_id=shipment.id,
                event_key="e1",
                occurred_at=now - timedelta(days=1),
                status="delivered",
                description="Delivered to the front door",
                location="Berlin",
                recorded_at=now,
            )
        )
        shipment.status = "delivered"
        session.add(shipment)
        ret = ReturnRequest(
            order_id=written.order_id,
            rma="RMA-1",
            public_token="return-token-h1",
            reason="too_small",
            created_at=now,
        )
        session.add(ret)
        session.flush()
        assert ret.id is not None
        session.add(ReturnLine(return_id=ret.id, order_line_id=line.id, quantity=1))
        shipment_id, return_id = shipment.id, ret.id
    token = feedback_token_after_delivery(shopcare.sessions, written.order_id, now=now)
    record_feedback(
        shopcare.sessions, token, score=9, details=FeedbackDetails(comment="Quick!"), now=now
    )
    return {"order": written.order_id, "shipment": shipment_id, "return": return_id}
