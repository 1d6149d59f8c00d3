"""Everything that happened to one order, newest first, for the owner's order page: the
carrier's scans, the parcels handed over, each message with its delivery state (and why it
failed), the shopper's visits to the tracking page (one entry per day), returns and every
step of them, feedback, problem reports, and the owner's own notes.

One query per source, whatever the number of entries, so a busy order stays fast. Read only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    Feedback,
    OrderNote,
    OutboxMessage,
    PageView,
    ProblemReport,
    ReturnEvent,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.feedback import Aspect, ratings_in_words
from shopcare.services.orders.notes import ACTIONS
from shopcare.services.returns.history import SYSTEM
from shopcare.services.shopper_site.page_views import PageKind
from shopcare.services.shopper_site.problem_reports import RAISED_KINDS


class EntryKind(StrEnum):
    CARRIER_EVENT = "carrier_event"
    STATUS = "status"
    MESSAGE = "message"
    PAGE_VIEW = "page_view"
    RETURN = "return"
    FEEDBACK = "feedback"
    PROBLEM = "problem"
    NOTE = "note"
    ORDER = "order"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    """In the shop's zone."""
    kind: EntryKind
    title: str
    detail: str = ""
    state: str = ""
    """A message's delivery state (queued, sending, sent, failed, skipped), a problem's
    (open, resolved); "" where nothing has a state."""
    link: str = ""
    """The admin page that says more (a return's), "" if none."""
    actor: str = ""
    """"" for ShopCare itself, else who did it: shopper, owner, or the admin's user name."""


def order_timeline(
    sessions: SessionFactory, order_id: int, *, zone: ZoneInfo
) -> list[TimelineEntry]:
    """Newest first; among entries of the same moment, the later recorded one first."""
    with sessions() as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            return []
        notes = list(_notes(session, order_id))
        admin_cancelled = any(n.title == ACTIONS["cancelled"] for n in notes)
        entries = [
            *_order(order, cancel_entry=not admin_cancelled),
            *_parcels(session, order_id),
            *_messages(session, order_id),
            *_page_views(session, order_id, zone),
            *_returns(session, order_id),
            *_feedback(session, order_id),
            *_problems(session, order_id),
            *notes,
        ]
    ranked = sorted(enumerate(entries), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [_local(entry, zone) for _, entry in ranked]


def _local(entry: TimelineEntry, zone: ZoneInfo) -> TimelineEntry:
    return TimelineEntry(**{**vars(entry), "at": entry.at.astimezone(zone)})


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _order(order: ShopOrder, *, cancel_entry: bool) -> Iterable[TimelineEntry]:
    """``cancel_entry``: False when an admin's cancellation is in the notes, with who."""
    yield TimelineEntry(order.placed_at, EntryKind.ORDER, "Order placed", f"from {order.source}")
    if order.cancelled_at and cancel_entry:
        yield TimelineEntry(order.cancelled_at, EntryKind.ORDER, "Order cancelled")


def _parcels(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    shipments = session.exec(
        select(Shipment).where(Shipment.order_id == order_id).order_by(col(Shipment.id))
    ).all()
    for s in shipments:
        what = "Return parcel" if s.return_id else "Parcel"
        yield TimelineEntry(
            s.shipped_at,
            EntryKind.STATUS,
            f"{what} shipped",
            " ".join(
                filter(None, (carrier_label(s.carrier) if s.carrier else "", s.tracking_number))
            ),
        )
    numbers = {s.id: s.tracking_number for s in shipments}
    events = session.exec(
        select(TrackingEvent)
        .where(col(TrackingEvent.shipment_id).in_(list(numbers)))
        .order_by(col(TrackingEvent.occurred_at), col(TrackingEvent.id))
    ).all()
    for e in events:
        where = f" · {e.location}" if e.location else ""
        yield TimelineEntry(
            e.occurred_at,
            EntryKind.CARRIER_EVENT,
            _words(e.status),
            f"{e.description}{where} ({numbers[e.shipment_id]})",
        )


def _messages(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    messages = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.order_id == order_id)
        .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
    ).all()
    for m in messages:
        title = f"{_words(m.kind)} {'SMS' if m.channel == 'sms' else m.channel} to {m.recipient}"
        detail = " · ".join(filter(None, (m.subject, m.last_error)))
        yield TimelineEntry(m.sent_at or m.created_at, EntryKind.MESSAGE, title, detail, m.status)


def _page_views(session: Session, order_id: int, zone: ZoneInfo) -> Iterable[TimelineEntry]:
    """One entry per day in the shop's zone, at that day's last view."""
    moments = session.exec(
        select(PageView.at).where(
            PageView.order_id == order_id, PageView.kind == PageKind.TRACKING_VIEW
        )
    ).all()
    per_day: dict[date, list[datetime]] = {}
    for at in moments:
        per_day.setdefault(at.astimezone(zone).date(), []).append(at)
    for views in per_day.values():
        words = "1 tracking page view" if len(views) == 1 else f"{len(views)} tracking page views"
        yield TimelineEntry(max(views), EntryKind.PAGE_VIEW, words, actor="shopper")


def _returns(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    rows = session.exec(
        select(ReturnEvent, ReturnRequest.rma)
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnEvent.return_id))
        .where(ReturnRequest.order_id == order_id)
        .order_by(col(ReturnEvent.at), col(ReturnEvent.id))
    ).all()
    for event, rma in rows:
        yield TimelineEntry(
            event.at,
            EntryKind.RETURN,
            f"Return {rma}: {_words(event.action).lower()}",
            event.detail,
            link=f"/admin/returns/{event.return_id}",
            actor="" if event.actor == SYSTEM else event.actor,
        )


def _feedback(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    answers = session.exec(
        select(Feedback)
        .where(Feedback.order_id == order_id, col(Feedback.answered_at).is_not(None))
        .order_by(col(Feedback.id))
    ).all()
    for f in answers:
        assert f.answered_at is not None
        score = f"{f.score}/10" if f.score is not None else "no score"
        rated = ratings_in_words(f.csat, {a: getattr(f, a.column) for a in Aspect})
        detail = "\n".join(filter(None, (f"Rated {rated}" if rated else "", f.comment)))
        yield TimelineEntry(
            f.updated_at or f.answered_at, EntryKind.FEEDBACK, f"Feedback: {score}", detail,
            actor="shopper",
        )  # fmt: skip


def _problems(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    reports = session.exec(
        select(ProblemReport)
        .where(ProblemReport.order_id == order_id)
        .order_by(col(ProblemReport.id))
    ).all()
    for p in reports:
        what = _words(p.kind).lower()
        raised = p.kind in RAISED_KINDS  # by ShopCare (feedback, a return's watch)
        yield TimelineEntry(
            p.created_at,
            EntryKind.PROBLEM,
            f"Problem raised: {what}" if raised else f"Problem reported: {what}",
            p.message,
            p.status,
            actor="" if raised else "shopper",
        )
        if p.resolved_at:
            yield TimelineEntry(p.resolved_at, EntryKind.PROBLEM, f"Problem resolved: {what}")


def _notes(session: Session, order_id: int) -> Iterable[TimelineEntry]:
    notes = session.exec(
        select(OrderNote).where(OrderNote.order_id == order_id).order_by(col(OrderNote.id))
    ).all()
    for n in notes:
        if n.action:
            title = ACTIONS.get(n.action, n.action)
            yield TimelineEntry(n.created_at, EntryKind.ORDER, title, n.text, actor=n.author)
        else:
            yield TimelineEntry(n.created_at, EntryKind.NOTE, "Note", n.text, actor=n.author)
