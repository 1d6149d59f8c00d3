import pytest

from shopcare.app import ShopCare
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.shopper_site.lookup import find_order_token
from tests.conftest import FakeClock
from tests.services.helpers import make_order


def test_an_order_gets_an_unguessable_token_and_money_in_minor_units(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    assert len(order.public_token) >= 32
    assert order.total_minor == 2 * 1800 + 1250
    view = order_view_by_token(shopcare.sessions, order.public_token)
    assert view is not None and view.total == "48.50 EUR"


def test_bad_orders_are_refused_with_every_reason_and_nothing_is_stored(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    bad = OrderIn(
        order_number=" ",
        email="not-an-email",
        placed_at=clock(),
        lines=[LineIn(title="Mug", quantity=0)],
        shipments=[ShipmentIn(carrier="pigeon", tracking_number="1")],
    )
    with pytest.raises(InputError) as caught:
        create_order(shopcare.sessions, bad, now=clock(), carriers=shopcare.carrier_names)
    message = str(caught.value)
    for part in ("order number is missing", "at least 1", "unknown carrier"):
        assert part in message
    make_order(shopcare)
    with pytest.raises(InputError, match="exists already"):
        make_order(shopcare)


def test_an_order_is_found_by_number_and_email_or_postcode(shopcare: ShopCare) -> None:
    order = make_order(shopcare, email="Anna@Example.com", postcode="SW1A 1AA")
    find = shopcare.sessions
    assert (
        find_order_token(find, order_number="1001", secret="anna@example.com") == order.public_token
    )
    assert (
        find_order_token(find, order_number="#1001", secret=" ANNA@example.com ")
        == order.public_token
    )
    assert find_order_token(find, order_number="1001", secret="sw1a1aa") == order.public_token
    assert find_order_token(find, order_number="1001", secret="someone@else.com") is None
    assert find_order_token(find, order_number="9999", secret="anna@example.com") is None
    assert find_order_token(find, order_number="1001", secret="") is None


def test_a_shipment_without_a_carrier_gets_one_from_its_number(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    from sqlmodel import select

    from shopcare.db.models import Shipment

    order_in = OrderIn(
        order_number="2001",
        email="a@example.com",
        placed_at=clock(),
        lines=[LineIn(title="Mug")],
        shipments=[ShipmentIn(carrier="", tracking_number="1Z5R 8939 0357 5671 27")],
    )
    create_order(shopcare.sessions, order_in, now=clock(), carriers=["simulated", "17track"])
    with shopcare.sessions() as session:
        shipment = session.exec(select(Shipment)).one()
    assert (shipment.carrier, shipment.carrier_code) == ("17track", "ups")
    assert not shipment.carrier_pinned


def test_a_parcel_no_account_can_follow_is_kept_waiting_not_refused(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    from sqlmodel import select

    from shopcare.db.models import Shipment

    order_in = OrderIn(
        order_number="2002",
        email="a@example.com",
        placed_at=clock(),
        lines=[LineIn(title="Mug")],
        shipments=[ShipmentIn(carrier="", tracking_number="1Z5R 8939 0357 5671 27")],
    )
    create_order(shopcare.sessions, order_in, now=clock(), carriers=["simulated"])
    with shopcare.sessions() as session:
        shipment = session.exec(select(Shipment)).one()
    assert (shipment.carrier, shipment.carrier_code, shipment.next_poll_at) == ("", "ups", None)


def test_an_order_whose_email_is_not_an_address_is_kept_and_flagged_and_mails_nobody(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    from sqlmodel import select

    from shopcare.db.models import OutboxMessage, ShopOrder

    order_in = OrderIn(
        order_number="2003", email="not-an-email", placed_at=clock(), lines=[LineIn(title="Mug")]
    )
    create_order(shopcare.sessions, order_in, now=clock(), carriers=shopcare.carrier_names)
    with shopcare.sessions() as session:
        order = session.exec(select(ShopOrder)).one()
        queued = session.exec(select(OutboxMessage)).all()
    assert order.email == ""
    assert "not an email address" in order.email_problem
    assert [m.recipient for m in queued if m.channel == "email"] == []
