"""What happened to an order's parcels, in the words the owner asks about: on time against
the first estimate the shopper was shown, late, or not known (no estimate, not delivered);
and whether anything went wrong on the way (an exception)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Timing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    UNKNOWN = "unknown"
    """No estimate was shown, or nothing was delivered: its own bucket, never counted as
    on time."""


class Experience(StrEnum):
    """One word for an order's delivery, an exception first (it is what the shopper
    remembers), then the timing."""

    ON_TIME = "on_time"
    LATE = "late"
    EXCEPTION = "exception"
    UNKNOWN = "unknown"


LABELS: dict[str, str] = {
    "on_time": "On time",
    "late": "Late",
    "exception": "Exception",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class DeliveryFlags:
    """An order's parcels as SQL sums them up (each flag: any parcel of the order)."""

    late: bool
    """A parcel was delivered after the first estimate shown."""
    judged: bool
    """A parcel was delivered and had an estimate to judge it by."""
    exception: bool
    """A parcel had an exception at some point."""

    @property
    def timing(self) -> Timing:
        """Late if any parcel was late: the shopper waited for the last one."""
        if self.late:
            return Timing.LATE
        return Timing.ON_TIME if self.judged else Timing.UNKNOWN

    @property
    def experience(self) -> Experience:
        return Experience.EXCEPTION if self.exception else Experience(self.timing.value)
