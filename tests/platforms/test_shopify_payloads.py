"""Shopify's REST-shaped webhook payloads (an Order for orders/*, a Fulfillment for
fulfillments/*) read into an OrderIn and parcels."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopcare.domain.intake import Source, order_problems
from shopcare.platforms.shopify_rest import fulfillment_from_shopify, order_from_shopify

FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def order() -> dict[str, Any]:
    return _load("shopify_order.json")


@pytest.fixture
def fulfillment() -> dict[str, Any]:
    return _load("shopify_fulfillment.json")


def test_it_reads_the_order_customer_and_address(order: dict[str, Any]) -> None:
    got = order_from_shopify(order)
    assert order_problems(got) == []
    assert (got.order_number, got.external_id, got.source) == (
        "#1001",
        "5880113578212",
        Source.SHOPIFY,
    )
    assert got.email == "anna.schmidt@example.com"
    assert got.customer_name == "Anna Schmidt"
    assert got.ship_name == "Jonas Schmidt"
    assert (got.ship_address1, got.ship_address2) == ("Oranienstraße 24", "Hinterhaus, 3. OG")
    assert (got.ship_city, got.ship_region, got.ship_postcode, got.ship_country) == (
        "Berlin", "BE", "10999", "DE",
    )  # fmt: skip
    assert got.ship_phone == "+49 30 7654321"
    assert got.phone == "+4915112345678"
    assert got.locale == "de-DE"


def test_it_dates_the_order_in_utc(order: dict[str, Any]) -> None:
    got = order_from_shopify(order)
    assert got.placed_at == datetime(2026, 11, 2, 8, 12, 30, tzinfo=UTC)
    assert got.updated_at == datetime(2026, 11, 2, 8, 40, 2, tzinfo=UTC)
    assert got.cancelled_at is None


def test_it_reads_amounts_and_keeps_only_items_still_ordered(order: dict[str, Any]) -> None:
    got = order_from_shopify(order)
    assert got.total_minor == 5970
    beans, cups = got.lines  # the filter papers were edited out (current_quantity 0)
    assert (beans.title, beans.variant, beans.quantity, beans.unit_price_minor) == (
        "Espresso Beans", "1 kg", 1, 3290,
    )  # fmt: skip
    assert (cups.sku, cups.quantity, cups.unit_price_minor) == ("CUP-SAND", 2, 1095)
    assert cups.external_id == "14601234567002"
    assert cups.product_key == "shopify:45001234567002"


def test_it_follows_live_fulfillments_only(order: dict[str, Any]) -> None:
    (dhl,) = order_from_shopify(order).shipments  # the UPS fulfillment was cancelled
    assert (dhl.carrier, dhl.carrier_code, dhl.tracking_number) == ("", "dhl", "1234567890")
    assert dhl.tracking_url.startswith("https://www.dhl.com/")
    assert dhl.shipped_at == datetime(2026, 11, 2, 8, 40, tzinfo=UTC)
    assert dhl.external_id == "4901234567001"
    assert list(dhl.line_ids) == [("14601234567001", 1)]
    assert not dhl.delivered


def test_a_cancelled_order_says_when(order: dict[str, Any]) -> None:
    order["cancelled_at"] = "2026-11-02T10:00:00+01:00"
    order["cancel_reason"] = "customer"
    assert order_from_shopify(order).cancelled_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_email_falls_back_to_the_contact_and_the_customer(order: dict[str, Any]) -> None:
    order["email"] = ""
    order["contact_email"] = None
    assert order_from_shopify(order).email == "anna.schmidt@example.com"
    del order["customer"]
    got = order_from_shopify(order)
    assert got.email == ""
    assert got.customer_name == "Anna Schmidt"  # from the billing address


def test_a_fulfillment_gives_one_parcel_per_tracking_number(fulfillment: dict[str, Any]) -> None:
    got = fulfillment_from_shopify(fulfillment)
    assert (got.order_external_id, got.order_number, got.cancelled) == (
        "5880113578212",
        "#1001",
        False,
    )
    first, second = got.shipments
    assert (first.tracking_number, second.tracking_number) == (
        "9400111899223197428490", "9400111899223197428506",
    )  # fmt: skip
    assert first.carrier_code == second.carrier_code == "usps"
    assert second.tracking_url.endswith("9400111899223197428506")
    assert (first.external_id, second.external_id) == ("4901234567003", "4901234567003:1")
    assert first.shipped_at == datetime(2026, 11, 3, 13, 5, 12, tzinfo=UTC)
    assert list(first.line_ids) == [("14601234567002", 2)]


def test_a_delivered_fulfillment_says_so(fulfillment: dict[str, Any]) -> None:
    fulfillment["shipment_status"] = "delivered"
    assert all(s.delivered for s in fulfillment_from_shopify(fulfillment).shipments)
    fulfillment["shipment_status"] = "some_new_status"
    assert not any(s.delivered for s in fulfillment_from_shopify(fulfillment).shipments)


def test_an_old_fulfillment_with_one_number_and_no_lists_is_read(
    fulfillment: dict[str, Any],
) -> None:
    del fulfillment["tracking_numbers"], fulfillment["tracking_urls"]
    fulfillment["tracking_url"] = "javascript:alert(1)"
    (only,) = fulfillment_from_shopify(fulfillment).shipments
    assert only.tracking_number == "9400111899223197428490"
    assert only.tracking_url == ""


def test_a_cancelled_fulfillment_is_marked(fulfillment: dict[str, Any]) -> None:
    fulfillment["status"] = "cancelled"
    assert fulfillment_from_shopify(fulfillment).cancelled


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("id", None, "no id"),
        ("processed_at", "last tuesday", "not a date"),
        ("line_items", [{"title": "Cup", "quantity": "two"}], "not a whole number"),
        ("total_price", "59,70,1", "not an amount"),
    ],
)
def test_a_broken_order_says_why(
    order: dict[str, Any], field: str, value: Any, reason: str
) -> None:
    order[field] = value
    with pytest.raises(ValueError, match=reason):
        order_from_shopify(order)


def test_an_order_without_any_date_is_refused(order: dict[str, Any]) -> None:
    order["processed_at"] = order["created_at"] = None
    with pytest.raises(ValueError, match="no created_at"):
        order_from_shopify(order)


def test_a_fulfillment_without_its_order_is_refused(fulfillment: dict[str, Any]) -> None:
    del fulfillment["order_id"]
    with pytest.raises(ValueError, match="order_id"):
        fulfillment_from_shopify(fulfillment)
