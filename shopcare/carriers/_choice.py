"""Which parcel is ours when a carrier answers one number with several.

Numbers get reused: FedEx answers with one ``trackResults`` entry per parcel that carried the
number, AfterShip keeps one tracking per courier, Ship24 lists every tracking it matched and
DHL every shipment of every division. Taking the first one followed an older parcel still
"in transit" while ours was delivered. The shipment's own context decides instead, in this
order:

1. the destination postcode, when both sides know it (ZIP and ZIP+4 agree);
2. a parcel whose journey began well before ours was shipped (``SLACK``) is an older one;
3. the ship date nearest to ours (the first scan stands in when no ship date is given);
4. the most recent activity.

When there was a choice the result carries a note for the order page that says which parcel
was followed and what the others were, so the owner can check it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from shopcare.carriers.base import TrackingQuery

T = TypeVar("T")
SLACK = timedelta(days=3)
"""A label printed a few days before the parcel was handed over is still ours."""
_FAR = 10**6


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """One of the carrier's answers for the number, with what it says about its parcel."""

    item: T
    shipped_on: date | None = None
    """Its ship (or pickup) date, else the day of its first scan."""
    postal_code: str = ""
    """Where it goes, when the answer says."""
    last_activity: datetime | None = None
    """Its newest scan."""


def choose(
    candidates: Sequence[Candidate[T]], query: TrackingQuery, *, provider: str
) -> tuple[T, str]:
    """The candidate that is the shipment of ``query``, and a note when there were others."""
    if not candidates:
        raise ValueError("choose() needs at least one candidate")
    if len(candidates) == 1:
        return candidates[0].item, ""
    ranked = sorted(candidates, key=lambda c: _rank(c, query))
    chosen, others = ranked[0], ranked[1:]
    note = (
        f"{provider} has {len(candidates)} parcels under {query.tracking_number}; "
        f"following the one {_describe(chosen)}"
        f" (not: {'; '.join(_describe(c) for c in others)})"
    )
    return chosen.item, note[:480]


def _rank(candidate: Candidate[T], query: TrackingQuery) -> tuple[int, int, int, float]:
    ours = _postcode(query.postal_code)
    theirs = _postcode(candidate.postal_code)
    postcode = 1 if not ours or not theirs else 0 if _same_place(ours, theirs) else 2
    shipped = query.shipped_at.date()
    began = candidate.shipped_on or (
        candidate.last_activity.date() if candidate.last_activity else None
    )
    older = int(began is not None and began < shipped - SLACK)
    distance = abs((candidate.shipped_on - shipped).days) if candidate.shipped_on else _FAR
    recent = -candidate.last_activity.timestamp() if candidate.last_activity else 0.0
    return postcode, older, distance, recent


def _postcode(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _same_place(ours: str, theirs: str) -> bool:
    """Equal, or one is the other with more digits (ZIP 75063 and ZIP+4 750631234)."""
    return ours.startswith(theirs) or theirs.startswith(ours)


def _describe(candidate: Candidate[T]) -> str:
    parts = []
    if candidate.shipped_on:
        parts.append(f"shipped {candidate.shipped_on.isoformat()}")
    if candidate.postal_code:
        parts.append(f"to {candidate.postal_code}")
    if candidate.last_activity:
        parts.append(f"last scan {candidate.last_activity.date().isoformat()}")
    return ", ".join(parts) or "without dates"
