"""A carrier that plays scripted journeys, so the demo and the tests move without a network.

The journey is a pure function of the tracking number, the time the parcel was handed over
and the current time: ``SIMOK…`` arrives on time, ``SIMLATE…`` stalls, ``SIMFAIL…`` has a
failed attempt then arrives, ``SIMEXC…`` ends in an exception, ``SIMRTS…`` goes back to the
sender; any other number picks one of these by its hash. ``speed`` compresses the journey
(1440: one simulated day per real minute) for the demo.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from shopcare.carriers.base import CarrierError, TrackingQuery, TrackingResult
from shopcare.domain.status import CarrierEvent
from shopcare.domain.status import ShipmentStatus as S


class Scenario(StrEnum):
    ON_TIME = "OK"
    DELAYED = "LATE"
    FAILED_ATTEMPT = "FAIL"
    EXCEPTION = "EXC"
    RETURNED = "RTS"


# (hours after hand-over, status, carrier code, carrier text, location)
Step = tuple[float, S, str, str, str]

_START: list[Step] = [
    (0, S.INFO_RECEIVED, "LC", "Shipping label created", "Berlin, DE"),
    (8, S.IN_TRANSIT, "PU", "Picked up by carrier", "Berlin, DE"),
    (20, S.IN_TRANSIT, "AR", "Arrived at sorting centre", "Leipzig, DE"),
]
_JOURNEYS: dict[Scenario, list[Step]] = {
    Scenario.ON_TIME: [
        *_START,
        (30, S.IN_TRANSIT, "DP", "Departed sorting centre", "Leipzig, DE"),
        (40, S.OUT_FOR_DELIVERY, "OD", "Out for delivery", "Munich, DE"),
        (46, S.DELIVERED, "DL", "Delivered, handed to recipient", "Munich, DE"),
    ],
    Scenario.DELAYED: [
        *_START,
        (120, S.IN_TRANSIT, "DP", "Departed sorting centre after a delay", "Leipzig, DE"),
        (130, S.OUT_FOR_DELIVERY, "OD", "Out for delivery", "Munich, DE"),
        (136, S.DELIVERED, "DL", "Delivered, left with neighbour", "Munich, DE"),
    ],
    Scenario.FAILED_ATTEMPT: [
        *_START,
        (40, S.OUT_FOR_DELIVERY, "OD", "Out for delivery", "Munich, DE"),
        (46, S.FAILED_ATTEMPT, "NH", "Delivery attempted, recipient not at home", "Munich, DE"),
        (64, S.OUT_FOR_DELIVERY, "OD", "Out for delivery, second attempt", "Munich, DE"),
        (70, S.DELIVERED, "DL", "Delivered, handed to recipient", "Munich, DE"),
    ],
    Scenario.EXCEPTION: [
        *_START,
        (30, S.EXCEPTION, "DM", "Parcel damaged in transit, held for inspection", "Leipzig, DE"),
    ],
    Scenario.RETURNED: [
        *_START,
        (40, S.OUT_FOR_DELIVERY, "OD", "Out for delivery", "Munich, DE"),
        (46, S.FAILED_ATTEMPT, "NA", "Delivery attempted, address not found", "Munich, DE"),
        (60, S.IN_TRANSIT, "RS", "Returning to sender", "Munich, DE"),
        (96, S.RETURNED_TO_SENDER, "RT", "Returned to sender", "Berlin, DE"),
    ],
}
_PROMISED_HOURS = 48


def scenario_for(tracking_number: str) -> Scenario:
    number = tracking_number.upper()
    for scenario in sorted(Scenario, key=lambda s: -len(s.value)):
        if number.startswith(f"SIM{scenario.value}"):
            return scenario
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    return list(Scenario)[digest[0] % len(Scenario)]


def journey(
    tracking_number: str, *, shipped_at: datetime, now: datetime, speed: float = 1.0
) -> TrackingResult:
    """The events that have happened by ``now``, and the carrier's promised delivery."""
    events = [
        CarrierEvent(
            occurred_at=shipped_at + timedelta(hours=hours) / speed,
            status=status,
            description=text,
            location=where,
            raw_code=code,
            provider="simulated",
        )
        for hours, status, code, text, where in _JOURNEYS[scenario_for(tracking_number)]
        if shipped_at + timedelta(hours=hours) / speed <= now
    ]
    return TrackingResult(
        events=events,
        estimated_delivery=shipped_at + timedelta(hours=_PROMISED_HOURS) / speed,
    )


class SimulatedCarrier:
    name = "simulated"
    label = "Simulated carrier (demo)"
    batch_size = 100

    def __init__(self, *, clock: Callable[[], datetime], speed: float = 1.0) -> None:
        self._clock = clock
        self.clock_speed = speed

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        now = self._clock()
        return {
            q.tracking_number: journey(
                q.tracking_number, shipped_at=q.shipped_at, now=now, speed=self.clock_speed
            )
            for q in queries
        }

    async def check(self) -> str:
        return "ok: the simulated carrier needs no account"
