"""When the review and reorder reminders are due, per order line, and for whom never.

A reminder is about what a shopper bought, so its delay depends on the product: the owner
maps product tags to days ("consumable" → reorder after 30 days); lines without such a tag
wait the message's own delay. A shopper who sent the item back, or told us they were
unhappy (0-6), is not asked to review or buy it again. Each line is reminded once: the
outbox key of a reminder names the lines it covers (``lines_occurrence``), which is how a
later pass knows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from shopcare.domain.messages import MessageKind

REMINDER_KINDS: tuple[MessageKind, ...] = (
    MessageKind.REVIEW_REMINDER,
    MessageKind.REORDER_REMINDER,
)
CATCH_UP = timedelta(days=7)
"""A reminder missed by this much is dropped, not sent late: turning reminders on must not
mail every shopper of the last year at once, and a reminder a month late reads oddly."""
DETRACTOR_MAX = 6
"""Scores 0-6 are detractors (NPS): they are not asked for a review or another order."""
MAX_TAG_DAYS = 730
_TAG = re.compile(r"^[\w][\w \-/&.]{0,63}$")
_PREFIX = "lines:"


@dataclass(frozen=True)
class ReminderLine:
    """One delivered order line, with what the shopper did since."""

    line_id: int
    order_id: int
    delivered_at: datetime
    tags: str = ""
    returned: bool = False
    score: int | None = None
    """The order's feedback score, None when not given."""


def split_tags(tags: str) -> set[str]:
    """Tags as the platforms send them: comma separated, any case."""
    return {t.strip().lower() for t in tags.split(",") if t.strip()}


def check_tag_days(table: Mapping[str, int]) -> dict[str, int]:
    """The owner's tag → days table, cleaned (tags lower case); ValueError says what is wrong."""
    clean: dict[str, int] = {}
    for tag, days in table.items():
        name = tag.strip().lower()
        if not _TAG.match(name):
            raise ValueError(f"{tag!r} is not a product tag")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TAG_DAYS:
            raise ValueError(f"the days for {name!r} are a whole number from 1 to {MAX_TAG_DAYS}")
        clean[name] = days
    return clean


def parse_tag_table(text: str) -> dict[str, int]:
    """The owner's table as typed, one ``tag = days`` a line (blank lines ignored)."""
    table: dict[str, int] = {}
    for number, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        tag, sep, days = row.rpartition("=")
        if not sep or not days.strip().isdigit():
            raise ValueError(
                f"line {number}: write a tag, '=' and whole days, like consumable = 30"
            )
        table[tag] = int(days)
    return check_tag_days(table)


def format_tag_table(table: Mapping[str, int]) -> str:
    return "\n".join(f"{tag} = {days}" for tag, days in sorted(table.items()))


def line_delay(tags: str, *, tag_days: Mapping[str, int], default: timedelta) -> timedelta:
    """The shortest delay of the line's tags in the table (the first thing to run out),
    else ``default``."""
    days = [tag_days[t] for t in split_tags(tags) if t in tag_days]
    return timedelta(days=min(days)) if days else default


def delivery_window(
    *, tag_days: Mapping[str, int], default: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """The deliveries that can have a reminder due now: ``(earliest, latest)``."""
    delays = [default, *(timedelta(days=d) for d in tag_days.values())]
    return now - max(delays) - CATCH_UP, now - min(delays)


def lines_occurrence(line_ids: Iterable[int]) -> str:
    return _PREFIX + ".".join(str(i) for i in sorted(line_ids))


def reminded_lines(keys: Iterable[str], kind: MessageKind) -> set[int]:
    """The lines already covered by a reminder of ``kind``, read from outbox keys."""
    found: set[int] = set()
    marker = f":{kind}:{_PREFIX}"
    for key in keys:
        _, hit, rest = key.partition(marker)
        if hit:
            found.update(int(p) for p in rest.split("@")[0].split(".") if p.isdigit())
    return found


def due_reminders(
    lines: Iterable[ReminderLine],
    *,
    tag_days: Mapping[str, int],
    default: timedelta,
    now: datetime,
    reminded: set[int],
) -> dict[int, list[int]]:
    """Per order, the lines whose reminder is due now and was never sent (one message per
    order covers them). Lines returned, or of an order scored 0-6, are never due."""
    due: dict[int, list[int]] = {}
    for line in lines:
        if line.line_id in reminded or line.returned:
            continue
        if line.score is not None and line.score <= DETRACTOR_MAX:
            continue
        at = line.delivered_at + line_delay(line.tags, tag_days=tag_days, default=default)
        if now - CATCH_UP < at <= now:
            due.setdefault(line.order_id, []).append(line.line_id)
    return due


def count_follow_ups(
    sent: Iterable[tuple[int, datetime]],
    *,
    events: Iterable[tuple[int, datetime]],
    within: timedelta,
) -> int:
    """How many reminders (``(key, sent_at)``) were followed within ``within`` by an event
    with the same key (``(key, at)``): a view of the order's page by order id, a new order
    by customer id. Each reminder counts once however many events followed it."""
    times: dict[int, list[datetime]] = {}
    for key, at in events:
        times.setdefault(key, []).append(at)
    return sum(
        1
        for key, sent_at in sent
        if any(sent_at < at <= sent_at + within for at in times.get(key, ()))
    )
