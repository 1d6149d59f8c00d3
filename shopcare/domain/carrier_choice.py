"""Which configured adapter should follow a tracking number the owner did not assign.

A direct account with the detected carrier wins (cheapest, most detail); otherwise an
aggregator follows it, told which carrier it is so it need not guess; otherwise the
number cannot be followed until the owner sets up an account or picks one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shopcare.domain.tracking_numbers import Candidate, detect

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
    return choose_from(detect(number, preferred=preferred), configured=configured)


def choose_from(
    candidates: Sequence[Candidate], *, configured: Sequence[str]
) -> CarrierChoice | None:
    """``choose_carrier`` for a number already detected (its candidates, best first)."""
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


_NAMED: tuple[tuple[str, str], ...] = (
    ("usps", "usps"), ("united states postal", "usps"), ("ups", "ups"), ("united parcel", "ups"),
    ("fedex", "fedex"), ("federal express", "fedex"), ("dhl", "dhl"), ("deutsche post", "dhl"),
    ("canada post", "canadapost"), ("postes canada", "canadapost"), ("canadapost", "canadapost"),
    ("dpd", "dpd"), ("amazon", "amazon"),
)  # fmt: skip


def carrier_from_name(name: str) -> str:
    """Our carrier code for the name a platform or a file gives ('DHL Express',
    'United States Postal Service', 'usps'), or "" when we know no such carrier."""
    words = " ".join(re.split(r"[^a-z0-9]+", name.lower())).strip()
    for prefix, code in _NAMED:
        if words == prefix or words.startswith(prefix + " "):
            return code
    return ""
