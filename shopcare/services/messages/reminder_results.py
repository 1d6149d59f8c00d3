"""What the review and reorder reminders achieved in a period, as plain figures for the
owner's dashboard: how many went out, how many were followed by a look at the order's page,
and, for reorder reminders, how many by a new order from the same shopper.

A page view is put down to a reminder when the order's tracking page was viewed within
``VIEWED_WITHIN`` of sending (the link does not yet say which message it came from); a
repeat order when the shopper ordered again within ``REORDER_WITHIN``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.models import OutboxMessage, PageView, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.reminders import count_follow_ups
from shopcare.domain.utc import as_utc
from shopcare.services.shopper_site.page_views import PageKind

VIEWED_WITHIN = timedelta(days=7)
REORDER_WITHIN = timedelta(days=30)
_SENT = "sent"


@dataclass(frozen=True)
class ReminderFigures:
    sent: int
    """Reminder emails sent in the period (one per order and group of lines)."""
    failed: int
    viewed: int
    """Of those sent, followed by a view of the order's tracking page within a week."""
    reordered: int
    """Of those sent, followed by a new order from the same shopper within 30 days."""


@dataclass(frozen=True)
class ReminderResults:
    review: ReminderFigures
    reorder: ReminderFigures
    viewed_within_days: int = VIEWED_WITHIN.days
    reordered_within_days: int = REORDER_WITHIN.days


def reminder_results(session: Session, start: datetime, end: datetime) -> ReminderResults:
    """The reminders sent (or failed) in ``[start, end)`` and what followed them, also
    after ``end``: a reminder sent on the period's last day may bring an order next week."""
    return ReminderResults(
        review=_figures(session, MessageKind.REVIEW_REMINDER, start, end),
        reorder=_figures(session, MessageKind.REORDER_REMINDER, start, end),
    )


def _figures(
    session: Session, kind: MessageKind, start: datetime, end: datetime
) -> ReminderFigures:
    sent = [
        (order_id, customer_id, as_utc(sent_at))
        for order_id, customer_id, sent_at in session.execute(
            sa.select(OutboxMessage.order_id, ShopOrder.customer_id, OutboxMessage.sent_at)
            .join(ShopOrder, col(ShopOrder.id) == col(OutboxMessage.order_id))
            .where(
                col(OutboxMessage.kind) == kind,
                col(OutboxMessage.channel) == "email",
                col(OutboxMessage.status) == _SENT,
                col(OutboxMessage.sent_at) >= start,
                col(OutboxMessage.sent_at) < end,
            )
        ).all()
    ]
    failed = session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.kind) == kind,
            col(OutboxMessage.status) == "failed",
            col(OutboxMessage.created_at) >= start,
            col(OutboxMessage.created_at) < end,
        )
    )
    if not sent:
        return ReminderFigures(sent=0, failed=failed or 0, viewed=0, reordered=0)
    first, last = min(s[2] for s in sent), max(s[2] for s in sent)
    order_ids = sorted({s[0] for s in sent})
    views = session.execute(
        sa.select(PageView.order_id, PageView.at).where(
            col(PageView.kind) == PageKind.TRACKING_VIEW,
            col(PageView.order_id).in_(order_ids),
            col(PageView.at) > first,
            col(PageView.at) <= last + VIEWED_WITHIN,
        )
    ).all()
    reordered = 0
    if kind is MessageKind.REORDER_REMINDER:
        customers = sorted({s[1] for s in sent})
        orders = session.execute(
            sa.select(ShopOrder.customer_id, ShopOrder.placed_at).where(
                col(ShopOrder.customer_id).in_(customers),
                col(ShopOrder.placed_at) > first,
                col(ShopOrder.placed_at) <= last + REORDER_WITHIN,
            )
        ).all()
        reordered = count_follow_ups(
            [(c, at) for _, c, at in sent],
            events=[(c, as_utc(at)) for c, at in orders],
            within=REORDER_WITHIN,
        )
    return ReminderFigures(
        sent=len(sent),
        failed=failed or 0,
        viewed=count_follow_ups(
            [(o, at) for o, _, at in sent],
            events=[(o, as_utc(at)) for o, at in views if o is not None],
            within=VIEWED_WITHIN,
        ),
        reordered=reordered,
    )
