"""Which configured adapter should follow a tracking number the owner did not assign.

A direct account with the detected carrier wins (cheapest, most detail); otherwise an
aggregator follows it, told which carrier it is so it need not guess; otherwise the
number cannot be followed until the owner sets up an account or picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shopcare.domain.tracking_numbers import detect

AGGREGATORS: tuple[str, ...] = ("17track", "ship24", "aftership", "easypost", "shippo")


@dataclass(frozen=True)
class CarrierChoice:
    adapter: str
    carrier_code: str
    """The carrier behind an aggregator ('' when the aggregator should detect it)."""
    detected: str
    confidence: float


def choose_carrier(
    number: str, *, configured: Sequence[str], preferred: Sequence[str] = ()
) -> CarrierChoice | None:
    candidates = detect(number, preferred=preferred)
    for candidate in candidates:
        if candidate.carrier in configured:
            return CarrierChoice(candidate.carrier, "", candidate.carrier, candidate.confidence)
    aggregator = next((a for a in AGGREGATORS if a in configured), None)
    if aggregator is None:
        return None
    if candidates:
        best = candidates[0]
        return CarrierChoice(aggregator, best.carrier, best.carrier, best.confidence)
    return CarrierChoice(aggregator, "", "", 0.0)
