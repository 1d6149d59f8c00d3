"""The one order writer: every source's orders land here, so its rules are tested here once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.carriers.base import TrackingResult
from shopcare.db.engine import transaction
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    Shipment,
    ShipmentLine,
    ShopOrder,
)
from shopcare.domain.intake import LineIn, Mode, OrderIn, ShipmentIn, Source
from shopcare.domain.status import CarrierEvent, ShipmentStatus
from shopcare.services.intake.writer import (
    Outcome,
    ParcelIn,
    add_parcels,
    cancel_order,
    write_orders,
)
from shopcare.services.tracking.recording import record_tracking
from tests.conftest import FakeClock


def _order(clock: FakeClock, number: str = "#1001", **changes: object) -> OrderIn:
    base = OrderIn(
        order_number=number,
        email="anna@example.com",
        customer_name="Anna Schmidt",
        placed_at=clock() - timedelta(hours=1),
        currency="EUR",
        ship_address1="Invalidenstraße 1",
        ship_city="Berlin",
        ship_postcode="10115",
        ship_country="de",
        source=Source.SHOPIFY,
        external_id="450789469",
        lines=[
            LineIn(title="Mug", quantity=2, unit_price_minor=1800, sku="MUG", external_id="11"),
            LineIn(title="Towel", quantity=1, unit_price_minor=1250, sku="TOWEL", external_id="12"),
        ],
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _write(app: ShopCare, orders: list[OrderIn], *, mode: Mode = Mode.LIVE) -> list[Outcome]:
    with transaction(app.sessions) as session:
        written = write_orders(
            session, orders, now=app.clock(), carriers=app.carrier_names, mode=mode
        )
    return [w.outcome for w in written]


def _count(app: ShopCare, table: type) -> int:
    with app.sessions() as session:
        return session.exec(select(sa.func.count()).select_from(table)).one()


def _kinds(app: ShopCare) -> list[str]:
    with app.sessions() as session:
        return [m.kind for m in session.exec(select(OutboxMessage)).all()]


def test_an_order_seen_twice_changes_nothing_the_second_time(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    parcel = ShipmentIn(carrier="simulated", tracking_number="SIM 100 001")
    order = _order(clock, shipments=[parcel])
    assert _write(shopcare, [order]) == [Outcome.CREATED]
    assert _write(shopcare, [order]) == [Outcome.UNCHANGED]
    assert (_count(shopcare, ShopOrder), _count(shopcare, OrderLine)) == (1, 2)
    assert (_count(shopcare, Shipment), _count(shopcare, Customer)) == (1, 1)
    assert _kinds(shopcare) == ["order_confirmed"]
    with shopcare.sessions() as session:
        stored = session.exec(select(ShopOrder)).one()
    assert (stored.total_minor, stored.ship_country, stored.email) == (
        4850,
        "DE",
        "anna@example.com",
    )


def test_a_late_retry_older_than_the_stored_copy_is_stale(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    newer = _order(clock, updated_at=clock(), ship_city="Hamburg")
    older = _order(clock, updated_at=clock() - timedelta(minutes=5), ship_city="Köln")
    assert _write(shopcare, [newer]) == [Outcome.CREATED]
    assert _write(shopcare, [older]) == [Outcome.STALE]
    with shopcare.sessions() as session:
        assert session.exec(select(ShopOrder.ship_city)).one() == "Hamburg"


def test_an_update_takes_the_new_address_email_and_parcel_and_keeps_what_was_left_blank(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    _write(shopcare, [_order(clock)])
    moved = _order(
        clock,
        email="Anna.New@Example.com",
        ship_address1="Torstraße 5",
        ship_postcode="",
        shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK1", line_ids=[("11", 2)])],
    )
    assert _write(shopcare, [moved]) == [Outcome.UPDATED]
    with shopcare.sessions() as session:
        order = session.exec(select(ShopOrder)).one()
        customer = session.get(Customer, order.customer_id)
    assert (order.ship_address1, order.ship_postcode) == ("Torstraße 5", "10115")
    assert order.email == customer.email == "anna.new@example.com"  # type: ignore[union-attr]
    assert _count(shopcare, Shipment) == 1


def test_a_cancelled_order_stops_polling_and_skips_its_queued_messages(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = _order(clock, shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK2")])
    _write(shopcare, [order])
    cancelled = replace(order, cancelled_at=clock(), updated_at=clock())
    assert _write(shopcare, [cancelled]) == [Outcome.UPDATED]
    with shopcare.sessions() as session:
        shipment = session.exec(select(Shipment)).one()
        message = session.exec(select(OutboxMessage)).one()
    assert shipment.next_poll_at is None
    assert (message.status, message.last_error) == ("skipped", "order cancelled")
    record_tracking(shopcare.sessions, shipment.id, _delivered(clock), now=clock())
    assert _kinds(shopcare) == ["order_confirmed"]  # and nothing more


def _delivered(clock: FakeClock) -> TrackingResult:
    return TrackingResult(
        events=[
            CarrierEvent(occurred_at=clock(), status=ShipmentStatus.DELIVERED, description="ok")
        ]
    )


def test_a_backfill_confirms_nothing_and_old_parcels_follow_quietly(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    old = _order(
        clock,
        placed_at=clock() - timedelta(days=30),
        shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK3")],
    )
    recent = _order(
        clock,
        "#1002",
        external_id="450789470",
        shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK4")],
    )
    assert _write(shopcare, [old, recent], mode=Mode.BULK) == [Outcome.CREATED] * 2
    assert _kinds(shopcare) == []
    with shopcare.sessions() as session:
        parcels = {s.tracking_number: s for s in session.exec(select(Shipment)).all()}
    assert (parcels["SIMOK3"].silent, parcels["SIMOK4"].silent) == (True, False)
    for parcel in parcels.values():
        record_tracking(shopcare.sessions, parcel.id, _delivered(clock), now=clock())
    with shopcare.sessions() as session:
        sent_for = {m.shipment_id for m in session.exec(select(OutboxMessage)).all()}
    assert sent_for == {parcels["SIMOK4"].id}


def test_a_live_order_placed_long_ago_gets_no_confirmation(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    _write(shopcare, [_order(clock, placed_at=clock() - timedelta(days=5))])
    assert _kinds(shopcare) == []


def test_bad_orders_are_rejected_and_the_rest_of_the_batch_is_written(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    bad = _order(clock, "", external_id="")
    twice = [_order(clock, "#7", external_id="7"), _order(clock, "#7", external_id="7")]
    other = _order(clock, "#1001", external_id="999")  # same number, another platform order
    with transaction(shopcare.sessions) as session:
        written = write_orders(
            session,
            [_order(clock), bad, *twice, other],
            now=clock(),
            carriers=shopcare.carrier_names,
            mode=Mode.BULK,
        )
    assert [w.outcome for w in written] == [
        Outcome.CREATED,
        Outcome.REJECTED,
        Outcome.CREATED,
        Outcome.UNCHANGED,
        Outcome.REJECTED,
    ]
    assert written[1].problems == ("order number is missing",)
    assert "belongs to another order" in written[4].problems[0]


def test_orders_without_a_usable_email_get_a_customer_each_and_a_warning(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    with transaction(shopcare.sessions) as session:
        written = write_orders(
            session,
            [
                _order(clock, "#1", external_id="1", email=""),
                _order(clock, "#2", external_id="2", email='=HYPERLINK("x")'),
            ],
            now=clock(),
            carriers=shopcare.carrier_names,
            mode=Mode.LIVE,
        )
    assert [w.warnings[0].split(":")[0] for w in written] == [
        "no email address",
        "'=HYPERLINK(\"x\")' is not an email address",
    ]
    assert _count(shopcare, Customer) == 2
    with shopcare.sessions() as session:
        assert [m.channel for m in session.exec(select(OutboxMessage)).all()] == []


def test_parcels_are_added_to_stored_orders_by_number_with_or_without_the_hash(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    _write(shopcare, [_order(clock)])
    parcels = [
        ParcelIn("1001", ShipmentIn(carrier="", tracking_number="SIMOK5", line_ids=[("12", 1)])),
        ParcelIn("#1001", ShipmentIn(carrier="simulated", tracking_number="simok5")),
        ParcelIn("", ShipmentIn(carrier="simulated", tracking_number="X"), "450789469", "shopify"),
        ParcelIn("404", ShipmentIn(carrier="simulated", tracking_number="SIMOK6")),
    ]
    with transaction(shopcare.sessions) as session:
        written = add_parcels(session, parcels, now=clock(), carriers=shopcare.carrier_names)
    assert [w.outcome for w in written] == [
        Outcome.UPDATED,
        Outcome.UNCHANGED,
        Outcome.UPDATED,
        Outcome.REJECTED,
    ]
    assert written[3].problems == ("no order 404",)
    with shopcare.sessions() as session:
        lines = session.exec(select(ShipmentLine)).all()
        towel = session.exec(select(OrderLine).where(OrderLine.sku == "TOWEL")).one()
    assert [(line.order_line_id, line.quantity) for line in lines] == [(towel.id, 1)]


def test_cancelling_twice_reports_the_second_as_no_change(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    _write(shopcare, [_order(clock)])
    with transaction(shopcare.sessions) as session:
        order_id = session.exec(select(ShopOrder.id)).one()
        assert cancel_order(session, order_id, now=clock()) is True
        assert cancel_order(session, order_id, now=clock()) is False
