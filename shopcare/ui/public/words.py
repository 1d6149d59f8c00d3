"""Shopper-facing words for status codes. They are presentation text, not rules, so they live
with the templates; each is passed through ``_()`` when rendered, and ``N_`` marks them for
extraction (``pybabel extract -k N_``)."""

from __future__ import annotations

from shopcare.domain.progress import Step, StepState
from shopcare.domain.status import ShipmentStatus as S


def N_(text: str) -> str:
    return text


STATUS_WORDS: dict[S, str] = {
    S.PENDING: N_("Waiting for the carrier"),
    S.INFO_RECEIVED: N_("Label created"),
    S.IN_TRANSIT: N_("On its way"),
    S.OUT_FOR_DELIVERY: N_("Out for delivery"),
    S.AVAILABLE_FOR_PICKUP: N_("Ready for pickup"),
    S.FAILED_ATTEMPT: N_("Delivery attempt failed"),
    S.EXCEPTION: N_("There is a problem with the delivery"),
    S.DELIVERED: N_("Delivered"),
    S.RETURNED_TO_SENDER: N_("Returned to sender"),
    S.EXPIRED: N_("No news from the carrier"),
}

STEP_WORDS: dict[Step, str] = {
    Step.ORDERED: N_("Ordered"),
    Step.SHIPPED: N_("Shipped"),
    Step.IN_TRANSIT: N_("In transit"),
    Step.OUT_FOR_DELIVERY: N_("Out for delivery"),
    Step.DELIVERED: N_("Delivered"),
}

# Read out by screen readers: the stepper's colours alone say nothing to them.
STATE_WORDS: dict[StepState, str] = {
    StepState.DONE: N_("(done)"),
    StepState.CURRENT: N_("(current step)"),
    StepState.PROBLEM: N_("(problem)"),
    StepState.TODO: N_("(to come)"),
}

# Why a parcel is late (StallReason values); "" when the reason is not known.
LATE_WORDS: dict[str, str] = {
    "no_scan_after_label": N_(
        "The carrier has not scanned your parcel yet. We are checking with them and will "
        "let you know."
    ),
    "no_movement": N_(
        "The carrier has not reported any progress for a few days. We are keeping an eye on "
        "it and will let you know when it moves."
    ),
    "estimate_passed": N_(
        "Your parcel is later than expected, sorry for the wait. It is still on its way."
    ),
    "": N_("Your parcel is taking longer than expected. We are keeping an eye on it."),
}

# The questions shown until the owner writes their own.
DEFAULT_FAQ: tuple[tuple[str, str], ...] = (
    (
        N_("When will my order arrive?"),
        N_(
            "The date on this page comes from the carrier and is updated with every scan. "
            "This page always shows the latest news."
        ),
    ),
    (
        N_("It says delivered, but I have no parcel."),
        N_(
            "Please look around your door and mailbox and ask your neighbours. If it does not "
            "turn up within a day, contact us and we will help."
        ),
    ),
    (
        N_("How do I return something?"),
        N_("Use the button on this page to start a return and follow the steps."),
    ),
)
