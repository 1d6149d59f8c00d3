"""The shopper's progress stepper: how far along a parcel is, and whether something is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shopcare.domain.status import ShipmentStatus as S


class Step(StrEnum):
    ORDERED = "ordered"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    PROBLEM = "problem"
    TODO = "todo"


@dataclass(frozen=True)
class Progress:
    step: Step
    state: StepState


_REACHED: dict[S, tuple[Step, bool]] = {
    S.PENDING: (Step.ORDERED, False),
    S.INFO_RECEIVED: (Step.SHIPPED, False),
    S.IN_TRANSIT: (Step.IN_TRANSIT, False),
    S.OUT_FOR_DELIVERY: (Step.OUT_FOR_DELIVERY, False),
    S.AVAILABLE_FOR_PICKUP: (Step.OUT_FOR_DELIVERY, False),
    S.FAILED_ATTEMPT: (Step.OUT_FOR_DELIVERY, True),
    S.EXCEPTION: (Step.IN_TRANSIT, True),
    S.DELIVERED: (Step.DELIVERED, False),
    S.RETURNED_TO_SENDER: (Step.IN_TRANSIT, True),
    S.EXPIRED: (Step.IN_TRANSIT, True),
}


def progress(status: S) -> list[Progress]:
    """Every step before the one reached is done; the reached one is current or a problem."""
    reached, trouble = _REACHED[status]
    steps = list(Step)
    at = steps.index(reached)
    result = []
    for i, step in enumerate(steps):
        if i < at or (i == at and step is Step.DELIVERED):
            state = StepState.DONE
        elif i == at:
            state = StepState.PROBLEM if trouble else StepState.CURRENT
        else:
            state = StepState.TODO
        result.append(Progress(step, state))
    return result
