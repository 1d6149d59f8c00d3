"""Shoppers' answers as the owner reads them: one page at a time, newest first, narrowed by
score band (NPS: detractors 0-6, passives 7-8, promoters 9-10), an aspect rated low, the
order's carrier, the day answered (in the shop's time zone), with or without a comment, and
found by the order list's search box. Every row carries its order, to open its story."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, func, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import Feedback, Shipment, ShopOrder
from shopcare.domain.feedback import BAND_SCORES, LOW_RATING, Aspect, ScoreBand, ratings_in_words
from shopcare.domain.paging import Page, page_within
from shopcare.services.orders.listing import PAGE_SIZES, search_order_ids
from shopcare.services.shop.profile import load_profile

BANDS: dict[str, str] = {
    ScoreBand.PROMOTER: "Promoters (9-10)",
    ScoreBand.PASSIVE: "Passives (7-8)",
    ScoreBand.DETRACTOR: "Detractors (0-6)",
}
ANY_ASPECT = "any"
LOW_ASPECTS: dict[str, str] = {
    ANY_ASPECT: "Any aspect",
    Aspect.PRODUCT: "Product",
    Aspect.DELIVERY: "Delivery speed",
    Aspect.PACKAGING: "Packaging",
    Aspect.COMMUNICATION: "Communication",
}
"""The "rated low" filter (1 or 2 out of 5)."""


@dataclass(frozen=True)
class FeedbackQuery:
    search: str = ""
    band: str = ""
    """A ``ScoreBand`` value; anything else: every score."""
    low_aspect: str = ""
    """An ``Aspect`` value or ``ANY_ASPECT``: answers that rated it (any of them) 1 or 2."""
    carrier: str = ""
    """Answers about orders with a parcel by this carrier."""
    since: date | None = None
    until: date | None = None
    """Answered on these days, both included, in the shop's time zone."""
    with_comment: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    order_id: int
    order_number: str
    score: int
    comment: str
    answered_at: datetime
    """In the shop's time zone."""
    csat: int | None = None
    ratings: str = ""
    """What was rated, in words: "satisfaction 4/5, delivery 2/5"."""
    carriers: str = ""


FeedbackPage = Page[FeedbackRow]


def feedback_page(sessions: SessionFactory, query: FeedbackQuery) -> FeedbackPage:
    per_page = query.per_page if query.per_page in PAGE_SIZES else PAGE_SIZES[0]
    with sessions() as session:
        zone = load_profile(session).zone
        where = _conditions(query, zone)
        total = session.exec(select(func.count()).select_from(Feedback).where(*where)).one()
        page = page_within(query.page, total, per_page)
        found = session.exec(
            select(Feedback, ShopOrder.order_number)
            .join(ShopOrder, col(ShopOrder.id) == col(Feedback.order_id))
            .where(*where)
            .order_by(col(Feedback.answered_at).desc(), col(Feedback.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        carriers: dict[int, set[str]] = defaultdict(set)
        for order_id, carrier in session.exec(
            select(Shipment.order_id, Shipment.carrier).where(
                col(Shipment.order_id).in_([f.order_id for f, _ in found]),
                col(Shipment.return_id).is_(None),
            )
        ).all():
            carriers[order_id].add(carrier_label(carrier))
    rows = [
        FeedbackRow(
            id=f.id or 0,
            order_id=f.order_id,
            order_number=number,
            score=f.score or 0,
            comment=f.comment,
            answered_at=f.answered_at.astimezone(zone) if f.answered_at else datetime.min,
            csat=f.csat,
            ratings=ratings_in_words(f.csat, {a: getattr(f, a.column) for a in Aspect}),
            carriers=", ".join(sorted(carriers[f.order_id])),
        )
        for f, number in found
    ]
    return FeedbackPage(rows, total, page, per_page)


def carriers_with_feedback(sessions: SessionFactory) -> dict[str, str]:
    """The carriers of answered orders' parcels, name to label, for the carrier filter."""
    with sessions() as session:
        names = session.exec(
            select(Shipment.carrier)
            .where(col(Shipment.order_id).in_(select(Feedback.order_id).where(_answered())))
            .distinct()
        ).all()
    return {name: carrier_label(name) for name in sorted(names)}


def _answered() -> Any:
    return sa.and_(col(Feedback.answered_at).is_not(None), col(Feedback.score).is_not(None))


def _conditions(query: FeedbackQuery, zone: ZoneInfo) -> list[Any]:
    where: list[Any] = [_answered()]
    if query.band in BANDS:
        low, high = BAND_SCORES[ScoreBand(query.band)]
        where.append(col(Feedback.score).between(low, high))
    aspects = list(Aspect) if query.low_aspect == ANY_ASPECT else []
    aspects += [a for a in Aspect if a == query.low_aspect]
    if aspects:
        where.append(sa.or_(*(getattr(Feedback, a.column) <= LOW_RATING for a in aspects)))
    if query.carrier:
        parcels = select(Shipment.order_id).where(col(Shipment.carrier) == query.carrier)
        where.append(col(Feedback.order_id).in_(parcels))
    if query.since:
        where.append(col(Feedback.answered_at) >= _start_of(query.since, zone))
    if query.until:
        where.append(col(Feedback.answered_at) < _start_of(query.until + timedelta(days=1), zone))
    if query.with_comment:
        where.append(col(Feedback.comment) != "")
    if query.search.strip():
        where.append(col(Feedback.order_id).in_(search_order_ids(query.search)))
    return where


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)
