"""One finished parcel of the demo shop's past: its carrier's promise, its scans, and how
it ended. The three carriers differ the way owners see it in real life: UPS is quick and
reliable, DHL mostly on time, DPD slower, late more often and with more exceptions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from shopcare.domain.calendar import add_business_days, is_business_day
from shopcare.domain.status import ShipmentStatus as S


@dataclass(frozen=True)
class CarrierHabits:
    name: str
    share: int
    promise_days: int
    """Business days from hand-over that the shop's estimate promises."""
    late: float
    exception: float


CARRIERS = (
    CarrierHabits("dhl", share=45, promise_days=2, late=0.10, exception=0.03),
    CarrierHabits("ups", share=30, promise_days=2, late=0.05, exception=0.02),
    CarrierHabits("dpd", share=25, promise_days=3, late=0.22, exception=0.08),
)
RETURNED_AFTER_EXCEPTION = 0.2
FAILED_ATTEMPT = 0.06


@dataclass
class Parcel:
    carrier: str
    tracking_number: str
    shipped_at: datetime
    estimated_delivery: datetime
    status: S = S.DELIVERED
    ended_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))
    """Delivered, or back at the shop."""
    scans: list[tuple[S, datetime]] = field(default_factory=list)

    @property
    def delivered_at(self) -> datetime | None:
        return self.ended_at if self.status is S.DELIVERED else None

    @property
    def late(self) -> bool:
        return self.status is not S.DELIVERED or self.ended_at > self.estimated_delivery

    @property
    def had_exception(self) -> bool:
        return any(status is S.EXCEPTION for status, _ in self.scans)

    def in_transit_at(self, rng: random.Random) -> datetime:
        """A moment while it travelled (when a shopper would look it up)."""
        return self.shipped_at + (self.ended_at - self.shipped_at) * rng.random()


def make_parcel(rng: random.Random, *, number: int, placed: datetime) -> Parcel:
    habits = rng.choices(CARRIERS, weights=[c.share for c in CARRIERS])[0]
    shipped = _working_hours(placed + timedelta(hours=rng.uniform(3, 28)))
    promised = add_business_days(shipped.date(), habits.promise_days)
    parcel = Parcel(
        carrier=habits.name,
        tracking_number=_tracking_number(habits.name, number, rng),
        shipped_at=shipped,
        estimated_delivery=_at(promised, time(20, 0)),
    )
    exception = rng.random() < habits.exception
    late = exception or rng.random() < habits.late
    days = habits.promise_days + rng.choice((1, 1, 2, 2, 3, 4)) if late else habits.promise_days
    days -= 0 if late or rng.random() < 0.6 else 1
    days += 2 if exception else 0
    arrival = add_business_days(shipped.date(), max(days, 1))
    scans = parcel.scans
    scans += [(S.INFO_RECEIVED, shipped - timedelta(hours=2)), (S.IN_TRANSIT, shipped)]
    scans.append((S.IN_TRANSIT, shipped + timedelta(hours=rng.uniform(8, 14))))
    if exception:
        scans.append((S.EXCEPTION, shipped + timedelta(days=1, hours=rng.uniform(2, 10))))
        if rng.random() < RETURNED_AFTER_EXCEPTION:
            parcel.status = S.RETURNED_TO_SENDER
            parcel.ended_at = _at(arrival, time(15, 0))
            scans.append((S.RETURNED_TO_SENDER, parcel.ended_at))
            return parcel
        scans.append((S.IN_TRANSIT, scans[-1][1] + timedelta(days=1)))
    if rng.random() < FAILED_ATTEMPT:
        scans.append((S.OUT_FOR_DELIVERY, _at(arrival, time(7, 40))))
        scans.append((S.FAILED_ATTEMPT, _at(arrival, time(13, 5))))
        arrival = add_business_days(arrival, 1)
    scans.append((S.OUT_FOR_DELIVERY, _at(arrival, time(7, 30))))
    parcel.ended_at = _at(arrival, time(9, 0)) + timedelta(minutes=rng.randint(0, 540))
    scans.append((S.DELIVERED, parcel.ended_at))
    return parcel


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=UTC)


def _working_hours(moment: datetime) -> datetime:
    """Handed over on a working day between 9:00 and 17:00 (UTC, near enough for Europe)."""
    if is_business_day(moment.date()) and moment.hour < 17:
        return _at(moment.date(), time(max(moment.hour, 9), moment.minute))
    return _at(add_business_days(moment.date(), 1), time(10, moment.minute))


def _tracking_number(carrier: str, number: int, rng: random.Random) -> str:
    tail = f"{number:06d}{rng.randrange(10**6):06d}"
    return {"dhl": f"JJD0001{tail}", "ups": f"1Z9R8A64{tail[:10]}", "dpd": f"0{tail}55"}[carrier]
