"""Messages panel: per kind, what went out, failed, bounced, made shoppers unsubscribe, and
how often its tracking link was followed (page views that carry the kind, see
``domain.messages.link_in_message``).

Messages count in the period they were written to the outbox. A bounce is a message whose
recipient the mail server refused (``notify.smtp.REFUSED_RECIPIENT``); later bounce emails
are not read. An unsubscribe counts against the kind of the last email the shopper had been
sent before it (the link they most likely used); a shopper who later subscribed again has
no date left and is not counted. Views are those written so far: the page counts them in
memory for a few seconds (``services.shopper_site.view_counts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.models import Customer, OutboxMessage, PageView, ShopOrder
from shopcare.domain.insight import Figure, Panel, Period, Table, share
from shopcare.domain.metrics.messages import FAILED, SENT, KindRow, by_kind, total
from shopcare.notify.base import Channel
from shopcare.notify.smtp import REFUSED_RECIPIENT
from shopcare.services.insight.charts import bar, percent
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.panels import InsightContext
from shopcare.services.messages.reminder_results import (
    REORDER_WITHIN,
    VIEWED_WITHIN,
    ReminderFigures,
    reminder_results,
)

KEY = "messages"


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    rows = kind_rows(session, period, now=context.now)
    now, before = total(rows), total(kind_rows(session, period.previous(), now=context.now))
    table = Table(
        "by-kind",
        "Messages by kind",
        ("Kind", "Sent", "Failed", "Bounced", "Unsubscribed", "Link views", "Views per sent %"),
        tuple(
            (_label(r.kind), r.sent, r.failed, r.bounced, r.unsubscribed, r.views,
             percent(r.view_rate))
            for r in rows
        ),
    )  # fmt: skip
    sent_now, sent_before = (
        _reminders(session, p, now=context.now) for p in (period, period.previous())
    )
    return Panel(
        key=KEY,
        title="Messages",
        figures=(
            Figure("sent", "Sent", now.sent, before.sent),
            Figure("failed", "Failed", now.failed, before.failed, better="down"),
            Figure("bounced", "Bounced", now.bounced, before.bounced, better="down"),
            Figure(
                "unsubscribed",
                "Unsubscribed",
                now.unsubscribed,
                before.unsubscribed,
                better="down",
            ),
            Figure("views", "Tracking link views", now.views, before.views),
            Figure(
                "view-rate",
                "Link views per message sent",
                now.view_rate,
                before.view_rate,
                unit="%",
            ),
            Figure(
                "bounce-rate",
                "Bounce rate",
                _bounce_rate(now),
                _bounce_rate(before),
                unit="%",
                better="down",
            ),
            *_reminder_figures(sent_now, sent_before),
        ),
        charts=(bar(table, series=(1, 2, 3), stack=True), bar(table, series=(1, 5))),
        tables=(table, _reminder_table(sent_now, sent_before)),
        note="Messages written in the period; link views are tracking page visits through "
        "a message's link; an unsubscribe counts against the last email sent before it. "
        f"Reminders count in the period they were sent, followed by a look at the order's "
        f"page within {VIEWED_WITHIN.days} days or (reorder) a new order within "
        f"{REORDER_WITHIN.days} days.",
    )


_REMINDERS = {"review": "Review request", "reorder": "Reorder reminder"}


def _reminders(session: Session, period: Period, *, now: datetime) -> dict[str, ReminderFigures]:
    """The review and reorder reminders' results (``services.messages.reminder_results``),
    added up per month (``by_month``): each reminder counts in the month it was sent (or
    failed), with what followed it, also after the month."""
    found = {kind: ReminderFigures(0, 0, 0, 0) for kind in _REMINDERS}
    for kind, figures in by_month(session, period, name=f"{KEY}:reminders", now=now,
                                  compute=_month_reminders):  # fmt: skip
        was = found[kind]
        found[kind] = ReminderFigures(
            was.sent + figures.sent,
            was.failed + figures.failed,
            was.viewed + figures.viewed,
            was.reordered + figures.reordered,
        )
    return found


def _month_reminders(session: Session, period: Period) -> list[tuple[str, ReminderFigures]]:
    results = reminder_results(session, *period.utc_bounds())
    return [("review", results.review), ("reorder", results.reorder)]


def _reminder_figures(
    now: dict[str, ReminderFigures], before: dict[str, ReminderFigures]
) -> tuple[Figure, ...]:
    def viewed(found: dict[str, ReminderFigures]) -> float | None:
        return share(sum(f.viewed for f in found.values()), sum(f.sent for f in found.values()))

    return (
        Figure("reminders-sent", "Reminders sent", sum(f.sent for f in now.values()),
               sum(f.sent for f in before.values())),
        Figure("reminders-viewed", "Reminders followed by a page view", viewed(now),
               viewed(before), unit="%"),
        Figure("reordered", "Ordered again after a reorder reminder",
               now["reorder"].reordered, before["reorder"].reordered),
        Figure("reorder-rate", "Reorder reminders followed by an order",
               share(now["reorder"].reordered, now["reorder"].sent),
               share(before["reorder"].reordered, before["reorder"].sent), unit="%"),
    )  # fmt: skip


def _reminder_table(now: dict[str, ReminderFigures], before: dict[str, ReminderFigures]) -> Table:
    return Table(
        "reminders",
        "Reminder results",
        ("Reminder", "Sent", "Failed", "Viewed the order", "Viewed %", "Ordered again",
         "Ordered again %", "Sent before", "Viewed % before", "Ordered again % before"),
        tuple(
            (label, f.sent, f.failed, f.viewed, percent(share(f.viewed, f.sent)),
             f.reordered if kind == "reorder" else None,
             percent(share(f.reordered, f.sent)) if kind == "reorder" else None,
             b.sent, percent(share(b.viewed, b.sent)),
             percent(share(b.reordered, b.sent)) if kind == "reorder" else None)
            for kind, label in _REMINDERS.items()
            for f, b in [(now[kind], before[kind])]
        ),
    )  # fmt: skip


def kind_rows(session: Session, period: Period, *, now: datetime) -> list[KindRow]:
    """Counted per month (``by_month``): every count belongs to the day its row was written
    (a message, an unsubscribe, a page view), so a year's months add up to the year."""
    counts = by_month(session, period, name=KEY, now=now, compute=_month_counts)
    outcomes: dict[tuple[str, str], int] = {}
    other: dict[str, dict[str, int]] = {"bounced": {}, "unsubscribed": {}, "views": {}}
    for what, kind, status, n in counts:
        if what == "outcome":
            outcomes[(kind, status)] = outcomes.get((kind, status), 0) + n
        else:
            other[what][kind] = other[what].get(kind, 0) + n
    return by_kind(
        [(k, s, n) for (k, s), n in outcomes.items()],
        bounced=other["bounced"],
        unsubscribed=other["unsubscribed"],
        views=other["views"],
    )


def _month_counts(session: Session, period: Period) -> list[tuple[str, str, str, int]]:
    """``(what, kind, status, n)``: what is "outcome" (by status), "bounced",
    "unsubscribed" or "views"."""
    start, end = period.utc_bounds()
    created = col(OutboxMessage.created_at)
    in_range = sa.and_(created >= start, created < end)
    kind, status = col(OutboxMessage.kind), col(OutboxMessage.status)
    outcomes = session.execute(
        sa.select(kind, status, sa.func.count()).where(in_range).group_by(kind, status)
    ).all()
    bounced = session.execute(
        sa.select(kind, sa.func.count())
        .where(
            status == FAILED,
            in_range,
            col(OutboxMessage.last_error).startswith(REFUSED_RECIPIENT, autoescape=True),
        )
        .group_by(kind)
    ).all()
    found = [("outcome", str(k), str(s), int(n)) for k, s, n in outcomes]
    for what, rows in (
        ("bounced", bounced),
        ("unsubscribed", _unsubscribes(session, start, end)),
        ("views", _views(session, start, end)),
    ):
        found += [(what, k, "", n) for k, n in _counts(rows).items()]
    return found


def _unsubscribes(session: Session, start: Any, end: Any) -> Any:
    left = col(Customer.unsubscribed_at)
    last_kind = (
        sa.select(col(OutboxMessage.kind))
        .join(ShopOrder, col(ShopOrder.id) == col(OutboxMessage.order_id))
        .where(
            col(ShopOrder.customer_id) == col(Customer.id),
            col(OutboxMessage.channel) == Channel.EMAIL,
            col(OutboxMessage.status) == SENT,
            col(OutboxMessage.sent_at) <= left,
        )
        .order_by(col(OutboxMessage.sent_at).desc())
        .limit(1)
        .correlate(Customer)
        .scalar_subquery()
    )
    kind = sa.func.coalesce(last_kind, "").label("kind")
    return session.execute(
        sa.select(kind, sa.func.count())
        .select_from(Customer)
        .where(left >= start, left < end)
        .group_by(kind)
    ).all()


def _views(session: Session, start: Any, end: Any) -> Any:
    kind, at = col(PageView.message_kind), col(PageView.at)
    return session.execute(
        sa.select(kind, sa.func.count())
        .where(kind.is_not(None), at >= start, at < end)
        .group_by(kind)
    ).all()


def _counts(rows: Any) -> dict[str, int]:
    return {str(kind): int(n) for kind, n in rows}


def _bounce_rate(row: KindRow) -> float | None:
    return share(row.bounced, row.sent + row.failed + row.bounced)


def _label(kind: str) -> str:
    """ "out_for_delivery" -> "Out for delivery"; "" (no email before) -> "No email"."""
    return kind.replace("_", " ").capitalize() if kind else "No email"
