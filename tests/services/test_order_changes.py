"""The owner's changes to a stored order: parcels added later, edits, cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    Shipment,
    ShipmentLine,
    ShopOrder,
)
from shopcare.domain.intake import LineIn, OrderIn
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import create_order
from shopcare.services.orders.changes import (
    LineEdit,
    add_parcel,
    cancel,
    order_edit,
    update_order,
)
from shopcare.services.orders.facts import order_facts
from tests.conftest import FakeClock
from tests.services.return_builders import open_return_rows


def new_order(app: ShopCare, number: str = "4001", *, email: str = "ben@example.com") -> int:
    order = create_order(
        app.sessions,
        OrderIn(
            order_number=number,
            email=email,
            customer_name="Ben Ott",
            placed_at=app.clock(),
            lines=[
                LineIn(title="Mug", quantity=2, unit_price_minor=1800, sku="MUG"),
                LineIn(title="Towel", quantity=1, unit_price_minor=1250, sku="TOWEL"),
            ],
            total_minor=5350,  # 4,850 of items and 5.00 shipping, as a platform reports it
        ),
        now=app.clock(),
        carriers=app.carrier_names,
    )
    assert order.id is not None
    return order.id


def lines(app: ShopCare, order_id: int) -> dict[str, OrderLine]:
    with app.sessions() as session:
        found = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        return {li.title: li for li in found}


def test_editing_items_moves_the_total_by_what_the_items_changed(shopcare: ShopCare) -> None:
    order_id = new_order(shopcare)
    edit = order_edit(shopcare.sessions, order_id)
    assert edit is not None and edit.email == "ben@example.com"
    mug = lines(shopcare, order_id)["Mug"]
    changed = replace(
        edit,
        lines=[LineEdit("Mug, blue", 1, 1900, mug.id), LineEdit("Saucer", 2, 500)],
    )
    assert update_order(shopcare.sessions, order_id, changed, now=shopcare.clock()) == ""
    stored = lines(shopcare, order_id)
    assert sorted(stored) == ["Mug, blue", "Saucer"] and stored["Mug, blue"].id == mug.id
    with shopcare.sessions() as session:
        order = session.get(ShopOrder, order_id)
        assert order is not None and order.total_minor == 1900 + 1000 + 500  # shipping kept


def test_a_line_in_a_return_cannot_be_removed(shopcare: ShopCare, clock: FakeClock) -> None:
    order_id = new_order(shopcare)
    open_return_rows(shopcare.sessions, "4001", now=clock(), quantities={"MUG": 1})
    edit = order_edit(shopcare.sessions, order_id)
    assert edit is not None
    towel = lines(shopcare, order_id)["Towel"]
    with pytest.raises(InputError, match="'Mug' is part of a return"):
        update_order(
            shopcare.sessions,
            order_id,
            replace(edit, lines=[LineEdit("Towel", 1, 1250, towel.id)]),
            now=clock(),
        )
    assert sorted(lines(shopcare, order_id)) == ["Mug", "Towel"]


def test_a_new_email_moves_the_order_and_its_queued_messages(shopcare: ShopCare) -> None:
    first = new_order(shopcare, "4001", email="ben@exmaple.com")
    other = new_order(shopcare, "4002", email="ben@example.com")
    edit = order_edit(shopcare.sessions, first)
    assert edit is not None
    update_order(
        shopcare.sessions, first, replace(edit, email="Ben@Example.com"), now=shopcare.clock()
    )
    with shopcare.sessions() as session:
        moved, known = session.get(ShopOrder, first), session.get(ShopOrder, other)
        assert moved is not None and known is not None
        assert (moved.email, moved.customer_id) == ("ben@example.com", known.customer_id)
        recipients = session.exec(
            select(OutboxMessage.recipient).where(OutboxMessage.order_id == first)
        ).all()
        assert recipients == ["ben@example.com"]


def test_removing_the_email_flags_the_order_and_skips_its_messages(shopcare: ShopCare) -> None:
    order_id = new_order(shopcare)
    edit = order_edit(shopcare.sessions, order_id)
    assert edit is not None
    warning = update_order(
        shopcare.sessions, order_id, replace(edit, email=""), now=shopcare.clock()
    )
    assert warning == "no email address: no message can reach this shopper"
    facts = order_facts(shopcare.sessions, order_id)
    assert facts is not None and facts.email_problem == "no email address"
    with shopcare.sessions() as session:
        order = session.get(ShopOrder, order_id)
        assert order is not None
        customer = session.get(Customer, order.customer_id)
        assert customer is not None and customer.email is None
        statuses = session.exec(
            select(OutboxMessage.status).where(OutboxMessage.order_id == order_id)
        ).all()
        assert statuses == ["skipped"]


def test_a_parcel_added_later_records_its_items_and_refuses_what_cannot_be(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order_id = new_order(shopcare)
    mug_id = lines(shopcare, order_id)["Mug"].id
    assert mug_id is not None

    def add(
        number: str,
        *,
        carrier: str = "",
        shipped_at: datetime | None = None,
        packed: dict[int, int] | None = None,
    ) -> Shipment:
        return add_parcel(
            shopcare.sessions,
            order_id,
            tracking_number=number,
            carrier=carrier,
            shipped_at=shipped_at,
            lines={mug_id: 1} if packed is None else packed,
            now=clock(),
            carriers=shopcare.carrier_names,
        )

    with pytest.raises(InputError, match="between 0 and 2"):
        add("1Z999AA10123456784", packed={mug_id: 3})
    with pytest.raises(InputError, match="in the future"):
        add("1Z999AA10123456784", shipped_at=clock() + timedelta(days=1))
    with pytest.raises(InputError, match="no account for carrier 'ups'"):
        add("1Z999AA10123456784", carrier="ups")
    shipment = add("1z 999 aa1 0123456784")
    with pytest.raises(InputError, match="on this order already"):
        add("1Z999AA10123456784")
    facts = order_facts(shopcare.sessions, order_id)
    assert facts is not None
    assert shipment.id is not None and facts.packed == {shipment.id: [(1, "Mug")]}
    with shopcare.sessions() as session:
        assert len(session.exec(select(ShipmentLine)).all()) == 1


def test_cancelling_twice_is_harmless(shopcare: ShopCare, clock: FakeClock) -> None:
    order_id = new_order(shopcare)
    assert cancel(shopcare.sessions, order_id, now=clock()) is True
    assert cancel(shopcare.sessions, order_id, now=clock()) is False
    facts = order_facts(shopcare.sessions, order_id)
    assert facts is not None and facts.cancelled_at == clock()
    with pytest.raises(InputError, match="does not exist"):
        cancel(shopcare.sessions, 999, now=clock())
