from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from shopcare.app import ShopCare
from shopcare.carriers.base import CarrierError, TrackingQuery, TrackingResult
from shopcare.db.models import OutboxMessage, Shipment, TrackingEvent
from shopcare.domain.status import CarrierEvent, ShipmentStatus
from shopcare.services.tracking.recording import record_tracking
from tests.conftest import FakeClock
from tests.services.helpers import make_order


def shipment(app: ShopCare) -> Shipment:
    with app.sessions() as session:
        return session.exec(select(Shipment)).one()


def count(app: ShopCare, model: type) -> int:
    with app.sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def test_polling_stores_events_and_moves_the_status(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    report = await shopcare.poll_once()
    assert report.polled == 1 and report.new_events == 1
    assert shipment(shopcare).status == ShipmentStatus.INFO_RECEIVED
    clock.advance(hours=41)
    await shopcare.poll_once()
    assert shipment(shopcare).status == ShipmentStatus.OUT_FOR_DELIVERY
    assert count(shopcare, TrackingEvent) == 5


async def test_it_ignores_duplicate_carrier_events(shopcare: ShopCare, clock: FakeClock) -> None:
    make_order(shopcare)
    clock.advance(hours=25)
    await shopcare.poll_once()
    before = count(shopcare, TrackingEvent)
    carrier = shopcare.carriers["simulated"]
    query = TrackingQuery("SIMOK100001", shipped_at=shipment(shopcare).shipped_at)
    again = (await carrier.track([query]))["SIMOK100001"]
    assert isinstance(again, TrackingResult)
    for _ in range(3):
        record_tracking(shopcare.sessions, shipment(shopcare).id, again, now=clock())
    assert count(shopcare, TrackingEvent) == before


async def test_a_status_change_and_its_message_are_written_together(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    with shopcare.sessions() as session:
        kinds = sorted(m.kind for m in session.exec(select(OutboxMessage)))
    assert kinds == ["order_confirmed", "shipped"]


async def test_delivered_shipments_are_not_polled_again(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    clock.advance(days=3)
    await shopcare.poll_once()
    assert shipment(shopcare).status == ShipmentStatus.DELIVERED
    assert shipment(shopcare).next_poll_at is None
    assert shipment(shopcare).delivered_at is not None
    clock.advance(days=1)
    assert (await shopcare.poll_once()).polled == 0


class BrokenCarrier:
    """A carrier that answers 500 for a while, then recovers."""

    name = "simulated"
    label = "Broken"
    clock_speed = 1.0
    batch_size = 50

    async def check(self) -> str:
        return "ok"

    def __init__(self, healthy: object, failures: int) -> None:
        self.healthy = healthy
        self.failures = failures

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        if self.failures:
            self.failures -= 1
            raise CarrierError("500 from carrier", permanent=False)
        return await self.healthy.track(queries)  # type: ignore[attr-defined]


async def test_a_failing_carrier_keeps_the_history_and_is_retried_later(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    clock.advance(hours=25)
    await shopcare.poll_once()
    status_before, events_before = shipment(shopcare).status, count(shopcare, TrackingEvent)
    shopcare.carriers["simulated"] = BrokenCarrier(shopcare.carriers["simulated"], failures=1)  # type: ignore[assignment]
    clock.advance(hours=5)
    report = await shopcare.poll_once()
    failed = shipment(shopcare)
    assert report.errors == 1
    assert failed.status == status_before
    assert count(shopcare, TrackingEvent) == events_before
    assert failed.last_error == "500 from carrier"
    assert failed.next_poll_at is not None and failed.next_poll_at > clock()
    assert (await shopcare.poll_once()).polled == 0  # backing off
    clock.advance(hours=1)
    await shopcare.poll_once()
    assert shipment(shopcare).last_error == ""
    assert count(shopcare, TrackingEvent) > events_before


async def test_a_shipment_of_an_unconfigured_carrier_records_why(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    shopcare.carriers.clear()
    report = await shopcare.poll_once()
    assert report.errors == 1
    assert "no adapter configured" in shipment(shopcare).last_error


def test_the_first_estimate_shown_stays_when_the_carrier_moves_its_own(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """ "On time" on the dashboard is judged against the first promise, not a later one the
    carrier moved to fit a late parcel."""
    make_order(shopcare)
    parcel_id = shipment(shopcare).id
    promised = clock() + timedelta(days=2)
    record_tracking(
        shopcare.sessions, parcel_id, TrackingResult(estimated_delivery=promised), now=clock()
    )
    first = shipment(shopcare).first_estimate
    assert first is not None and first == shipment(shopcare).estimated_delivery
    clock.advance(days=1)
    record_tracking(
        shopcare.sessions,
        parcel_id,
        TrackingResult(estimated_delivery=promised + timedelta(days=3)),
        now=clock(),
    )
    assert shipment(shopcare).estimated_delivery > first
    assert shipment(shopcare).first_estimate == first


def test_saturday_deliveries_do_not_make_friday_parcels_late_on_saturday(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """Found by the soak bench on a Saturday: parcels handed over on Friday and delivered on
    Saturday counted 0 business days of transit (Saturday is not one), so the shop's history
    promised every Friday parcel for Friday, and each one still on its way on Saturday was
    flagged late and its shopper sent a "delayed" email. A delivery on a day off counts as
    arriving by the next business day: the history promises Monday."""
    clock.now = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)  # a Friday
    friday, saturday = clock(), clock() + timedelta(days=1, hours=3)
    orders = [make_order(shopcare, number=f"10{n}", tracking=f"SIMOK10000{n}") for n in range(6)]
    ids = []
    with shopcare.sessions() as session:
        for order in orders:
            parcel = session.exec(select(Shipment).where(Shipment.order_id == order.id)).one()
            ids.append(parcel.id)
    scan = CarrierEvent(friday + timedelta(hours=2), ShipmentStatus.IN_TRANSIT, "Picked up")
    for n, parcel_id in enumerate(ids[:5]):
        delivered = CarrierEvent(saturday + timedelta(minutes=n), ShipmentStatus.DELIVERED, "Done")
        record_tracking(shopcare.sessions, parcel_id, TrackingResult(events=[scan, delivered]),
                        now=saturday + timedelta(minutes=n))  # fmt: skip
    clock.now = saturday + timedelta(hours=1)
    record_tracking(shopcare.sessions, ids[5], TrackingResult(events=[scan]), now=clock())
    with shopcare.sessions() as session:
        waiting = session.get(Shipment, ids[5])
        assert waiting is not None
        assert waiting.estimate_source == "history"
        assert waiting.estimated_delivery is not None and waiting.estimated_delivery > clock()
        assert not waiting.delayed
        delayed = session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "delayed")
        ).one()
    assert delayed == 0
