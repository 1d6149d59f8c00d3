"""The poller's behaviour with several providers: budgets, breakers, pauses, isolation."""

import asyncio
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.carriers.base import (
    Budget,
    CarrierError,
    ErrorKind,
    TrackingQuery,
    TrackingResult,
)
from shopcare.carriers.simulated import journey
from shopcare.db.models import OutboxMessage, ProviderState, Shipment
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.by_hand import ShipmentIn
from shopcare.services.tracking.polling import Poller, ProviderLimits
from shopcare.services.tracking.providers import provider_statuses
from shopcare.services.tracking.settings import update_tracking_settings
from tests.conftest import FakeClock
from tests.services.helpers import make_order


class ScriptedCarrier:
    """A provider at the Carrier seam: plays simulated journeys, or fails as told."""

    label = "Scripted"
    clock_speed = 1.0

    def __init__(
        self,
        name: str,
        clock: FakeClock,
        *,
        batch_size: int = 10,
        delay: float = 0.0,
        estimates: bool = True,
    ) -> None:
        self.name = name
        self.estimates = estimates
        self.clock = clock
        self.batch_size = batch_size
        self.delay = delay
        self.fail: CarrierError | None = None
        self.calls: list[list[str]] = []

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        self.calls.append([q.tracking_number for q in queries])
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        results = {
            q.tracking_number: journey(q.tracking_number, shipped_at=q.shipped_at, now=self.clock())
            for q in queries
        }
        if not self.estimates:
            results = {n: TrackingResult(events=r.events) for n, r in results.items()}
        return results

    async def check(self) -> str:
        return "ok"


def orders(app: ShopCare, carrier: str, count: int, *, start: int = 1000) -> None:
    from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order

    for n in range(count):
        create_order(
            app.sessions,
            OrderIn(
                order_number=f"{carrier}-{start + n}",
                email=f"c{n}@example.com",
                placed_at=app.clock(),
                lines=[LineIn(title="Mug")],
                shipments=[ShipmentIn(carrier=carrier, tracking_number=f"SIMOK{start + n}")],
            ),
            now=app.clock(),
            carriers=[carrier],
        )


def statuses(app: ShopCare, carrier: str) -> list[str]:
    with app.sessions() as session:
        return [s.status for s in session.exec(select(Shipment).where(Shipment.carrier == carrier))]


async def test_a_slow_or_broken_provider_does_not_stall_the_others(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    good = ScriptedCarrier("good", clock)
    bad = ScriptedCarrier("bad", clock, delay=0.3)
    bad.fail = CarrierError("bad: server error (500)", permanent=False)
    orders(shopcare, "good", 3)
    orders(shopcare, "bad", 3, start=2000)
    clock.advance(hours=25)
    poller = Poller(shopcare.sessions, {"good": good, "bad": bad}, clock=clock)
    report = await poller.poll()
    assert set(statuses(shopcare, "good")) == {ShipmentStatus.IN_TRANSIT}
    assert set(statuses(shopcare, "bad")) == {ShipmentStatus.PENDING}
    assert report.errors == 3 and report.polled == 3
    with shopcare.sessions() as session:
        broken = session.exec(select(Shipment).where(Shipment.carrier == "bad")).first()
        assert broken is not None and "500" in broken.last_error
        assert broken.next_poll_at is not None and broken.next_poll_at > clock()


async def test_refused_credentials_pause_the_provider_and_tell_the_owner_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("acme", clock, batch_size=1)
    carrier.fail = CarrierError("acme: refused (401)", permanent=True, kind=ErrorKind.AUTH)
    orders(shopcare, "acme", 3)
    poller = Poller(shopcare.sessions, {"acme": carrier}, clock=clock)
    await poller.poll()
    (status,) = provider_statuses(shopcare.sessions)
    assert status.paused_reason == "acme: refused (401)" and status.alert_seen is False
    calls = len(carrier.calls)
    clock.advance(hours=2)
    report = await poller.poll()
    assert len(carrier.calls) == calls  # paused: not asked again
    assert report.providers_paused == ["acme"] and report.deferred == 3


async def test_five_failures_open_the_circuit_for_fifteen_minutes(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("flaky", clock, batch_size=1)
    carrier.fail = CarrierError("flaky: no answer in time", permanent=False, kind=ErrorKind.NETWORK)
    orders(shopcare, "flaky", 8)
    poller = Poller(shopcare.sessions, {"flaky": carrier}, clock=clock, limits={})
    update_tracking_settings(shopcare.sessions, provider_concurrency=1)
    await poller.poll()
    assert len(carrier.calls) == 5  # the sixth to eighth waited behind the open circuit
    with shopcare.sessions() as session:
        state = session.get(ProviderState, "flaky")
        assert state is not None and state.open_until == clock() + timedelta(minutes=15)
    carrier.fail = None
    clock.advance(minutes=16)
    await poller.poll(only_ids=[1])
    with shopcare.sessions() as session:
        state = session.get(ProviderState, "flaky")
        assert state is not None and state.failures == 0 and state.open_until is None


async def test_a_rate_limited_provider_waits_as_long_as_it_asked(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("busy", clock)
    carrier.fail = CarrierError(
        "busy: rate limit", permanent=False, retry_after=600, kind=ErrorKind.RATE_LIMITED
    )
    orders(shopcare, "busy", 2)
    await Poller(shopcare.sessions, {"busy": carrier}, clock=clock).poll()
    with shopcare.sessions() as session:
        rows = session.exec(select(Shipment)).all()
        assert all(r.next_poll_at >= clock() + timedelta(seconds=600) for r in rows)  # type: ignore[operator]
        state = session.get(ProviderState, "busy")
        assert state is not None and state.open_until == clock() + timedelta(seconds=600)


async def test_a_short_budget_serves_the_most_urgent_parcels_first(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("dhl", clock, batch_size=1)
    orders(shopcare, "dhl", 4)
    poller = Poller(
        shopcare.sessions,
        {"dhl": carrier},
        clock=clock,
        limits={"dhl": ProviderLimits(budget=Budget(per_day=5))},
    )
    await poller.poll()  # 4 calls: all become info_received
    with shopcare.sessions() as session:
        rows = session.exec(select(Shipment).order_by(Shipment.id)).all()
        rows[2].status = ShipmentStatus.OUT_FOR_DELIVERY
        for row in rows:
            row.next_poll_at = clock()
            session.add(row)
        session.commit()
    carrier.calls.clear()
    report = await poller.poll()
    assert carrier.calls == [["SIMOK1002"]]  # one call left today: the out-for-delivery one
    assert report.deferred == 3
    with shopcare.sessions() as session:
        later = session.exec(select(Shipment).where(Shipment.tracking_number == "SIMOK1000")).one()
        assert later.next_poll_at is not None and later.next_poll_at.date() > clock().date()


async def test_calls_are_batched_to_the_providers_batch_size(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("agg", clock, batch_size=4)
    orders(shopcare, "agg", 10)
    await Poller(shopcare.sessions, {"agg": carrier}, clock=clock).poll()
    assert sorted(len(c) for c in carrier.calls) == [2, 4, 4]
    with shopcare.sessions() as session:
        state = session.get(ProviderState, "agg")
        assert state is not None and state.calls_today == 3


async def test_a_stalled_parcel_is_flagged_once_and_clears_when_it_moves(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_tracking_settings(shopcare.sessions, stall_transit_days=2)
    carrier = ScriptedCarrier("late", clock, estimates=False)
    poller = Poller(shopcare.sessions, {"late": carrier}, clock=clock)
    orders(shopcare, "late", 1, start=777)  # SIMOK777 would be on time: make it late
    with shopcare.sessions() as session:
        row = session.exec(select(Shipment)).one()
        row.tracking_number = "SIMLATE777"
        session.add(row)
        session.commit()

    async def poll_at(hours_after_handover: float) -> Shipment:
        clock.now = row.shipped_at + timedelta(hours=hours_after_handover)
        await poller.poll(only_ids=[row.id or 0])
        with shopcare.sessions() as session:
            return session.exec(select(Shipment)).one()

    assert not (await poll_at(21)).delayed  # Tuesday: in transit since +20 h
    stalled = await poll_at(21 + 48)  # Thursday: two business days without a scan
    assert stalled.delayed and stalled.stall_reason == "no_movement"
    assert (await poll_at(21 + 50)).delayed  # asked again during the same stall
    with shopcare.sessions() as session:
        kinds = [m.kind for m in session.exec(select(OutboxMessage))]
    assert kinds.count("delayed") == 1  # told once
    moving = await poll_at(121)  # Saturday: it moved again
    assert not moving.delayed and moving.stall_key == ""


async def test_refresh_now_asks_at_once_whatever_the_schedule(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    clock.advance(hours=9)
    assert (await shopcare.poll_once()).polled == 1  # due again after 6 h ± jitter
    clock.advance(minutes=1)
    assert (await shopcare.poll_once()).polled == 0
    report = await shopcare.refresh_now(1)
    assert report.polled == 1


async def test_a_provider_that_pushes_is_polled_only_daily_to_catch_lost_pushes(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    carrier = ScriptedCarrier("agg", clock)
    orders(shopcare, "agg", 1)
    poller = Poller(
        shopcare.sessions,
        {"agg": carrier},
        clock=clock,
        limits={"agg": ProviderLimits(pushes=True)},
    )
    clock.advance(hours=25)
    await poller.poll()
    with shopcare.sessions() as session:
        shipment = session.exec(select(Shipment)).one()
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert shipment.next_poll_at is not None
    assert shipment.next_poll_at - clock() >= timedelta(hours=24)
