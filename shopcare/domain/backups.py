"""Which automatic backups to keep, and what a backup's file is called.

Retention counts backups, not the calendar (as restic's ``--keep-daily``/``--keep-weekly``
do): for the last 7 days that have a backup, the newest of each day; for the last 4 weeks
that have one, the newest of each week. A machine that was off for a month still keeps its
last seven, instead of deleting every backup as "too old".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from shopcare.domain.utc import as_utc

KEEP_DAILY = 7
KEEP_WEEKLY = 4
_NAME = re.compile(r"^shopcare-(\d{8}-\d{6})\.zip$")
_STAMP = "%Y%m%d-%H%M%S"


def backup_name(made_at: datetime) -> str:
    """``shopcare-20261205-033000.zip`` (UTC): sorts by time, and says when at a glance."""
    return f"shopcare-{as_utc(made_at).strftime(_STAMP)}.zip"


def made_at_of(name: str) -> datetime | None:
    """When (UTC) a backup named by ``backup_name`` was made; None for any other file,
    which retention therefore never deletes."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def to_keep(
    made: Iterable[datetime], *, daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY
) -> set[datetime]:
    newest_first = sorted(set(made), reverse=True)
    kept: set[datetime] = set()
    days: set[object] = set()
    weeks: set[object] = set()
    for moment in newest_first:
        day = moment.date()
        week = moment.isocalendar()[:2]
        if day not in days and len(days) < daily:
            days.add(day)
            kept.add(moment)
        if week not in weeks and len(weeks) < weekly:
            weeks.add(week)
            kept.add(moment)
    return kept
