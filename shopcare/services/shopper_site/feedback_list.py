"""Shoppers' answers as the owner reads them: one page at a time, newest first, by score
group (NPS: detractors 0-6, passives 7-8, promoters 9-10), with or without a comment, and
found by the order list's search box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import Feedback, ShopOrder
from shopcare.domain.paging import Page, page_within
from shopcare.services.orders.listing import PAGE_SIZES, search_order_ids
from shopcare.services.shop.profile import load_profile

GROUPS = {
    "detractors": ("Detractors (0-6)", 0, 6),
    "passives": ("Passives (7-8)", 7, 8),
    "promoters": ("Promoters (9-10)", 9, 10),
}


@dataclass(frozen=True)
class FeedbackQuery:
    search: str = ""
    group: str = ""
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


FeedbackPage = Page[FeedbackRow]


def feedback_page(sessions: SessionFactory, query: FeedbackQuery) -> FeedbackPage:
    per_page = query.per_page if query.per_page in PAGE_SIZES else PAGE_SIZES[0]
    where: list[Any] = [col(Feedback.answered_at).is_not(None), col(Feedback.score).is_not(None)]
    if query.group in GROUPS:
        _, low, high = GROUPS[query.group]
        where.append(col(Feedback.score).between(low, high))
    if query.with_comment:
        where.append(col(Feedback.comment) != "")
    if query.search.strip():
        where.append(col(Feedback.order_id).in_(search_order_ids(query.search)))
    with sessions() as session:
        zone = load_profile(session).zone
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
    rows = [
        FeedbackRow(
            id=f.id or 0,
            order_id=f.order_id,
            order_number=number,
            score=f.score or 0,
            comment=f.comment,
            answered_at=f.answered_at.astimezone(zone) if f.answered_at else datetime.min,
        )
        for f, number in found
    ]
    return FeedbackPage(rows, total, page, per_page)
