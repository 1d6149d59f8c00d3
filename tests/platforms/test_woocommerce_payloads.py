"""A WooCommerce REST v3 order, as the API and the order.* webhooks send it, read into an
OrderIn: dates in UTC, amounts in minor units, parcels from the tracking meta."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopcare.domain.intake import Source, order_problems
from shopcare.platforms.woocommerce_orders import order_from_woocommerce

FIXTURE = Path(__file__).parent.parent / "fixtures" / "platforms" / "woocommerce_order.json"


@pytest.fixture
def payload() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_it_reads_the_order_customer_and_address(payload: dict[str, Any]) -> None:
    order = order_from_woocommerce(payload)
    assert order_problems(order) == []
    assert (order.order_number, order.external_id, order.source) == (
        "727",
        "727",
        Source.WOOCOMMERCE,
    )
    assert order.email == "jeanne.dupont@example.com"
    assert order.customer_name == "Jeanne Dupont"
    assert order.ship_name == "Marc Dupont"
    assert (order.ship_address1, order.ship_address2) == ("3 Place Bellecour", "Bâtiment B")
    assert (order.ship_city, order.ship_region, order.ship_postcode) == ("Lyon", "ARA", "69002")
    assert order.ship_country == "FR"
    assert order.ship_phone == "+33 6 12 34 56 78"
    assert order.phone == "+33 4 72 00 00 00"


def test_it_prefers_the_gmt_dates(payload: dict[str, Any]) -> None:
    order = order_from_woocommerce(payload)
    assert order.placed_at == datetime(2026, 11, 30, 10, 28, 2, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 12, 1, 8, 15, 40, tzinfo=UTC)
    del payload["date_created_gmt"]
    assert order_from_woocommerce(payload).placed_at == datetime(
        2026, 11, 30, 11, 28, 2, tzinfo=UTC
    )


def test_it_reads_amounts_in_minor_units(payload: dict[str, Any]) -> None:
    order = order_from_woocommerce(payload)
    assert order.currency == "EUR"
    assert order.total_minor == 4972
    single, variation = order.lines
    assert (single.title, single.quantity, single.sku) == ("Woo Single #1", 2, "WOO-SINGLE-1")
    assert single.unit_price_minor == 992  # (16.53 + 3.31) / 2, taxes included
    assert single.image_url.endswith("single-1.jpg")
    assert single.external_id == "315"
    assert variation.unit_price_minor == 2300
    assert variation.variant == "Black, M"
    assert variation.product_key == "woocommerce:23"


def test_it_reads_parcels_from_the_shipment_tracking_meta(payload: dict[str, Any]) -> None:
    dhl, colissimo = order_from_woocommerce(payload).shipments
    assert (dhl.carrier, dhl.carrier_code, dhl.tracking_number) == ("", "dhl", "1234567890")
    assert dhl.shipped_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert dhl.external_id == "6a8b1e0f4c2d9e7a3b5c1d0e2f4a6b8c"
    assert colissimo.tracking_number == "6A 1234 5678 901"
    assert colissimo.carrier_code == ""
    assert colissimo.tracking_url.startswith("https://www.laposte.fr/")
    assert colissimo.shipped_at == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_tracking_meta_still_encoded_as_json_is_read(payload: dict[str, Any]) -> None:
    meta = payload["meta_data"][1]
    meta["value"] = json.dumps(meta["value"])
    assert len(order_from_woocommerce(payload).shipments) == 2


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_a_cancelled_order_says_when(payload: dict[str, Any], status: str) -> None:
    payload["status"] = status
    assert order_from_woocommerce(payload).cancelled_at == datetime(
        2026, 12, 1, 8, 15, 40, tzinfo=UTC
    )


@pytest.mark.parametrize("status", ["pending", "processing", "on-hold", "completed"])
def test_a_live_order_is_not_cancelled(payload: dict[str, Any], status: str) -> None:
    payload["status"] = status
    assert order_from_woocommerce(payload).cancelled_at is None


def test_a_guest_order_without_number_uses_its_id(payload: dict[str, Any]) -> None:
    payload["number"] = ""
    payload["billing"]["email"] = ""
    order = order_from_woocommerce(payload)
    assert order.order_number == "727"
    assert order.email == ""


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("id",), None, "no id"),
        (("date_created_gmt",), "yesterday", "not a date"),
        (("total",), "49,72,1", "not an amount"),
        (("line_items", 0, "quantity"), "two", "not a whole number"),
    ],
)
def test_a_broken_order_says_why(
    payload: dict[str, Any], path: tuple[Any, ...], value: Any, reason: str
) -> None:
    broken = copy.deepcopy(payload)
    target: Any = broken
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ValueError, match=reason):
        order_from_woocommerce(broken)


def test_something_that_is_not_an_order_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        order_from_woocommerce([1, 2])  # type: ignore[arg-type]
