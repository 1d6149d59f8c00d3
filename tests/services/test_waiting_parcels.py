"""Parcels no carrier account can follow yet: kept with the order, not polled, and followed
from the moment an account that can follow them is set up."""

from __future__ import annotations

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Shipment, TrackingEvent
from shopcare.domain.intake import LineIn, OrderIn, ShipmentIn
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.by_hand import create_order
from shopcare.services.orders.changes import cancel
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.services.tracking.waiting_parcels import assign_waiting_parcels, follow_hint
from tests.adapters.carrier_server import CarrierServer, Reply, fixture
from tests.conftest import FakeClock

UPS_NUMBER = "1Z999AA10123456784"
POST_NUMBER = "LX123456789CN"  # the number in 17TRACK's sample journey


def order_with_parcel(app: ShopCare, number: str, *, order_number: str = "3001") -> int:
    order = create_order(
        app.sessions,
        OrderIn(
            order_number=order_number,
            email="lea@example.com",
            placed_at=app.clock(),
            lines=[LineIn(title="Teapot", unit_price_minor=3900)],
            shipments=[ShipmentIn(carrier="", tracking_number=number)],
        ),
        now=app.clock(),
        carriers=app.carrier_names,
    )
    assert order.id is not None
    return order.id


def parcel(app: ShopCare, order_id: int) -> Shipment:
    with app.sessions() as session:
        return session.exec(select(Shipment).where(Shipment.order_id == order_id)).one()


def test_an_order_whose_parcel_no_account_can_follow_is_saved_with_it_waiting(
    shopcare: ShopCare,
) -> None:
    assert shopcare.carrier_names == ["simulated"]
    order_id = order_with_parcel(shopcare, UPS_NUMBER)
    waiting = parcel(shopcare, order_id)
    assert (waiting.carrier, waiting.carrier_code, waiting.next_poll_at) == ("", "ups", None)
    assert assign_waiting_parcels(shopcare.sessions, shopcare.carrier_names, shopcare.clock()) == 0
    assert parcel(shopcare, order_id).next_poll_at is None


def test_an_account_for_the_carrier_itself_takes_a_waiting_parcel_at_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order_id = order_with_parcel(shopcare, UPS_NUMBER)
    clock.advance(hours=3)
    values = {"client_id": "id", "client_secret": "secret"}
    save_account(shopcare.sessions, "ups", enabled=True, values=values, now=clock())
    shopcare.reload_carriers()
    followed = parcel(shopcare, order_id)
    assert (followed.carrier, followed.carrier_code) == ("ups", "")
    assert followed.next_poll_at == clock() and not followed.carrier_pinned
    assert assign_waiting_parcels(shopcare.sessions, shopcare.carrier_names, clock()) == 0


def test_the_carrier_a_platform_named_is_followed_once_its_account_exists(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """A number of no known shape, which the shop's platform said was DHL's."""
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="3002",
            email="lea@example.com",
            placed_at=clock(),
            lines=[LineIn(title="Teapot", unit_price_minor=3900)],
            shipments=[ShipmentIn("", "CS123DE", carrier_code="DHL Express")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    assert order.id is not None
    assert parcel(shopcare, order.id).carrier_code == "dhl"
    ups = {"client_id": "i", "client_secret": "s"}
    save_account(shopcare.sessions, "ups", enabled=True, values=ups, now=clock())
    shopcare.reload_carriers()
    assert parcel(shopcare, order.id).carrier == ""
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": "k"}, now=clock())
    shopcare.reload_carriers()
    followed = parcel(shopcare, order.id)
    assert (followed.carrier, followed.carrier_code, followed.next_poll_at) == ("dhl", "", clock())


def test_a_cancelled_orders_parcel_keeps_waiting(shopcare: ShopCare, clock: FakeClock) -> None:
    order_id = order_with_parcel(shopcare, UPS_NUMBER)
    assert cancel(shopcare.sessions, order_id, now=clock())
    save_account(shopcare.sessions, "17track", enabled=True, values={"api_key": "k"}, now=clock())
    shopcare.reload_carriers()
    assert parcel(shopcare, order_id).carrier == ""


async def test_a_waiting_parcel_is_followed_through_an_aggregator_once_one_is_set_up(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer
) -> None:
    carrier_server.route(
        "POST", "/track/v2.2/register", Reply(200, fixture("17track", "register.json"))
    )
    carrier_server.route(
        "POST", "/track/v2.2/gettrackinfo", Reply(200, fixture("17track", "journey.json"))
    )
    order_id = order_with_parcel(shopcare, POST_NUMBER)
    assert (await shopcare.poll_once()).new_events == 0  # nothing can ask about it yet
    save_account(
        shopcare.sessions,
        "17track",
        enabled=True,
        values={"api_key": "k-17"},
        base_url=carrier_server.url,
        now=clock(),
    )
    shopcare.reload_carriers()
    assert parcel(shopcare, order_id).carrier == "17track"
    report = await shopcare.poll_once()
    assert report.new_events > 0
    followed = parcel(shopcare, order_id)
    assert followed.status == ShipmentStatus.DELIVERED
    with shopcare.sessions() as session:
        events = session.exec(
            select(TrackingEvent).where(TrackingEvent.shipment_id == followed.id)
        ).all()
    assert events and all(e.provider == "17track" for e in events)
    await shopcare.stop()


def test_the_owner_is_told_what_will_follow_a_number_as_it_is_typed() -> None:
    assert follow_hint("", carrier="", carriers=["17track"]) == ""
    assert follow_hint(UPS_NUMBER, carrier="", carriers=["17track"]) == (
        "Looks like UPS — followed through 17TRACK"
    )
    assert follow_hint(UPS_NUMBER, carrier="", carriers=["ups", "17track"]) == (
        "Looks like UPS — followed by UPS"
    )
    alone = follow_hint(UPS_NUMBER, carrier="", carriers=["simulated"])
    assert alone.startswith("Looks like UPS — no carrier account can follow this yet")
    assert follow_hint("ABC", carrier="", carriers=["simulated"]).startswith(
        "No carrier account can follow this yet"
    )
    assert follow_hint("ABC", carrier="simulated", carriers=["simulated"]).startswith("Followed by")
