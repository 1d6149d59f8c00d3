"""Times in UTC, whatever form they arrive in.

SQLite hands stored times back without their zone (they are written in UTC), and some
platform fields carry none either; a time with no zone is therefore read as UTC, one with a
zone is converted, so comparisons and arithmetic never mix naive and aware times.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
