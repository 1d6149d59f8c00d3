"""The cadence through the real poller: AfterShip's adapter against a loopback AfterShip,
the clock moved from one due poll to the next as the scheduler would."""

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OutboxMessage, Shipment
from shopcare.domain.intake import LineIn, OrderIn, ShipmentIn
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.by_hand import create_order
from shopcare.services.shop.profile import update_profile
from shopcare.services.tracking.carrier_accounts import save_account
from tests.adapters.carrier_server import CarrierServer, Handler, Reply, Request
from tests.conftest import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NUMBER = "1Z5R89390357567127"
PICKED_UP = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # Monday
SCAN = datetime(2026, 11, 3, 7, 10, tzinfo=BERLIN)  # Tuesday, the van is loaded


def checkpoint(at: datetime, tag: str, subtag: str, message: str) -> dict[str, str]:
    return {"checkpoint_time": at.isoformat(), "tag": tag, "subtag": subtag, "message": message}


def aftership_answering_as_of(clock: FakeClock, asked: list[datetime]) -> Handler:
    """Picked up on Monday, due on Tuesday, out for delivery from ``SCAN`` on."""
    due = {"estimated_delivery_date": "2026-11-03T18:00:00+01:00"}

    def answer(request: Request) -> Reply:
        now = clock()
        asked.append(now)
        points = [checkpoint(PICKED_UP, "InTransit", "InTransit_002", "Picked up")]
        if now >= SCAN:
            points.append(
                checkpoint(SCAN, "OutForDelivery", "OutForDelivery_001", "Out for delivery")
            )
        tracking = {
            "tracking_number": NUMBER, "slug": "ups", "tag": points[-1]["tag"],
            "courier_estimated_delivery_date": due, "checkpoints": points,
        }  # fmt: skip
        return Reply(200, json.dumps({"meta": {"code": 200}, "data": {"trackings": [tracking]}}))

    return answer


async def test_a_parcel_due_today_is_asked_within_the_hour_in_the_morning_and_not_at_night(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer
) -> None:
    asked: list[datetime] = []
    carrier_server.route(
        "GET", "/tracking/2025-01/trackings", aftership_answering_as_of(clock, asked)
    )
    update_profile(shopcare.sessions, timezone="Europe/Berlin")
    save_account(
        shopcare.sessions, "aftership", enabled=True, values={"api_key": "k"},
        base_url=f"{carrier_server.url}/tracking/2025-01", now=clock(),
    )  # fmt: skip
    shopcare.reload_carriers()
    order = OrderIn(
        order_number="2001", email="ana@example.com", placed_at=clock(),
        lines=[LineIn(title="Mug")],
        shipments=[ShipmentIn(carrier="aftership", tracking_number=NUMBER)],
    )  # fmt: skip
    create_order(shopcare.sessions, order, now=clock(), carriers=["aftership"])
    while clock() < SCAN + timedelta(hours=3):
        await shopcare.poll_once()
        with shopcare.sessions() as session:
            parcel = session.exec(select(Shipment)).one()
        if parcel.status != ShipmentStatus.IN_TRANSIT:
            break
        assert parcel.next_poll_at is not None
        clock.now = max(parcel.next_poll_at, clock() + timedelta(seconds=5))
    await shopcare.stop()
    assert parcel.status == ShipmentStatus.OUT_FOR_DELIVERY
    with shopcare.sessions() as session:
        email = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "out_for_delivery")
        ).one()
    assert timedelta(0) < email.created_at - SCAN < timedelta(hours=1)
    night = [t for t in asked if not 5 <= t.astimezone(BERLIN).hour < 22]
    assert night == []
    morning = [t for t in asked if t.astimezone(BERLIN).date() == SCAN.date()]
    assert morning[0].astimezone(BERLIN).hour == 5
    assert all(b - a <= timedelta(minutes=52) for a, b in pairwise(morning))
