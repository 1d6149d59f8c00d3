"""What the writer did with each order it was given."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"
    """An older copy than the one stored (a late retry): nothing changed."""
    REJECTED = "rejected"


@dataclass(frozen=True)
class Written:
    order_number: str
    order_id: int | None
    outcome: Outcome
    problems: tuple[str, ...] = ()
    """Why it was rejected."""
    warnings: tuple[str, ...] = ()
    """Stored all the same, but the owner should know (no email can reach this shopper)."""
