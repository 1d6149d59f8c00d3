""" "Report a problem" from the tracking page, a detractor's feedback score, and the owner's
list of both to answer (one list of what needs the owner, each item linked to its order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ProblemReport, Shipment, ShopOrder
from shopcare.domain.paging import Page, page_within
from shopcare.domain.text import clean_text
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import load_profile

MAX_MESSAGE = 2000
OPEN, RESOLVED = "open", "resolved"


class ProblemKind(StrEnum):
    NOT_ARRIVED = "not_arrived"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    OTHER = "other"
    LOW_SCORE = "low_score"
    """Raised by a feedback score of 0-6, not chosen by the shopper."""
    RETURN_NOT_SENT = "return_not_sent"
    """Raised by the instant-exchange watch (services.returns.instant): the replacement went
    out and the return parcel has no carrier scan after the owner's days."""


RAISED_KINDS = frozenset({ProblemKind.LOW_SCORE, ProblemKind.RETURN_NOT_SENT})
"""Opened by ShopCare itself, not chosen by a shopper."""
SHOPPER_KINDS = frozenset(ProblemKind) - RAISED_KINDS


def likely_problem(statuses: list[str]) -> ProblemKind:
    """The choice the form starts on: once every parcel has arrived, "has not arrived" is
    the one thing that cannot be the problem; before that, it is the likeliest."""
    if statuses and all(status == "delivered" for status in statuses):
        return ProblemKind.DAMAGED
    return ProblemKind.NOT_ARRIVED


def report_problem(
    sessions: SessionFactory,
    order_token: str,
    *,
    kind: str,
    message: str,
    shipment_id: int | None,
    now: datetime,
) -> bool:
    """Store the shopper's report; False for an unknown order. ``InputError`` (nothing
    stored) for an unknown kind, a missing message for "other", a message too long, or a
    parcel that is not this order's."""
    chosen = next((k for k in SHOPPER_KINDS if k == kind), None)
    if chosen is None:
        raise InputError("Please choose what the problem is.")
    text = clean_text(message, multiline=True).strip()
    if chosen is ProblemKind.OTHER and not text:
        raise InputError("Please describe the problem.")
    if len(text) > MAX_MESSAGE:
        raise InputError("Please keep the description under 2000 characters.")
    with transaction(sessions) as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.public_token == order_token)).first()
        if order is None or order.id is None:
            return False
        if shipment_id is not None:
            shipment = session.get(Shipment, shipment_id)
            if shipment is None or shipment.order_id != order.id:
                raise InputError("Please choose one of this order's parcels.")
        session.add(
            ProblemReport(
                order_id=order.id, shipment_id=shipment_id, kind=chosen, message=text,
                status=OPEN, created_at=now,
            )
        )  # fmt: skip
        return True


def follow_low_score(
    session: Session, order_id: int, *, detractor: bool, message: str, now: datetime
) -> None:
    """Keep the order's item for a low feedback score in step with the shopper's latest
    answer: opened by a detractor's score (0-6), its text updated when they edit it while it
    is open, resolved by itself when they raise the score out of the detractor band (the
    shopper changed their mind). At most one open item per order."""
    item = session.exec(
        select(ProblemReport).where(
            ProblemReport.order_id == order_id,
            ProblemReport.kind == ProblemKind.LOW_SCORE,
            ProblemReport.status == OPEN,
        )
    ).first()
    if item is None and detractor:
        item = ProblemReport(
            order_id=order_id, kind=ProblemKind.LOW_SCORE, status=OPEN, created_at=now
        )
    if item is None:
        return
    item.message = message
    if not detractor:
        item.status, item.resolved_at = RESOLVED, now
    session.add(item)


@dataclass(frozen=True)
class ReportRow:
    id: int
    order_id: int
    order_number: str
    kind: ProblemKind
    message: str
    tracking_number: str
    created_at: datetime
    """In the shop's time zone."""


ReportPage = Page[ReportRow]


def report_page(
    sessions: SessionFactory, *, status: str = OPEN, page: int = 1, per_page: int = 25
) -> ReportPage:
    """One page: open reports oldest first (the owner answers in the order shoppers asked),
    resolved ones newest first."""
    resolved = status == RESOLVED
    with sessions() as session:
        zone = load_profile(session).zone
        where = ProblemReport.status == (RESOLVED if resolved else OPEN)
        total = session.exec(select(func.count()).select_from(ProblemReport).where(where)).one()
        page = page_within(page, total, per_page)
        order = (
            (col(ProblemReport.resolved_at).desc(), col(ProblemReport.id).desc())
            if resolved
            else (col(ProblemReport.created_at), col(ProblemReport.id))
        )
        rows = session.exec(
            select(ProblemReport, ShopOrder.order_number, Shipment.tracking_number)
            .join(ShopOrder, col(ShopOrder.id) == col(ProblemReport.order_id))
            .join(Shipment, col(Shipment.id) == col(ProblemReport.shipment_id), isouter=True)
            .where(where)
            .order_by(*order)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    return ReportPage(
        [
            ReportRow(
                id=report.id or 0,
                order_id=report.order_id,
                order_number=number,
                kind=ProblemKind(report.kind),
                message=report.message,
                tracking_number=tracking or "",
                created_at=report.created_at.astimezone(zone),
            )
            for report, number, tracking in rows
        ],
        total,
        page,
        per_page,
    )


def resolve_report(sessions: SessionFactory, report_id: int, *, now: datetime) -> bool:
    with transaction(sessions) as session:
        report = session.get(ProblemReport, report_id)
        if report is None:
            return False
        if report.status != RESOLVED:
            report.status, report.resolved_at = RESOLVED, now
            session.add(report)
        return True
