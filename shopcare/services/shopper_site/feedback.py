"""Feedback after delivery, one answer per order, by the token in its link: the 0-10 score
(NPS), then optionally a comment, CSAT and aspect ratings. A second visit edits the answer;
a link answers for ``domain.feedback.LINK_LIFETIME``. A detractor's score puts the order on
the owner's problem list (``problem_reports``), so a disappointed shopper gets an answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, Feedback, ShopOrder
from shopcare.domain.feedback import (
    RATINGS,
    SCORES,
    Aspect,
    ScoreBand,
    link_expired,
    ratings_in_words,
    score_band,
)
from shopcare.domain.text import clean_text
from shopcare.domain.tokens import public_token
from shopcare.domain.utc import as_utc
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import load_profile
from shopcare.services.shopper_site.problem_reports import follow_low_score

MAX_COMMENT = 2000


@dataclass(frozen=True)
class FeedbackView:
    token: str
    order_number: str
    order_token: str
    locale: str
    """The order's shopper language: the pages speak it unless the shopper picks another."""
    score: int | None
    comment: str
    csat: int | None
    ratings: Mapping[Aspect, int | None]
    expired: bool

    @property
    def band(self) -> ScoreBand | None:
        return None if self.score is None else score_band(self.score)


@dataclass(frozen=True)
class FeedbackDetails:
    """The second step; None in a rating means "not rated"."""

    comment: str = ""
    csat: int | None = None
    ratings: Mapping[Aspect, int | None] = field(default_factory=dict)


class Recorded(StrEnum):
    SAVED = "saved"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ThanksView:
    """What the thank-you page offers: the owner's review page to promoters, and their
    thank-you code to everyone who answered."""

    order_token: str
    locale: str
    review_url: str
    discount_code: str


def feedback_by_token(
    sessions: SessionFactory, token: str, *, now: datetime
) -> FeedbackView | None:
    with sessions() as session:
        row = session.exec(select(Feedback).where(Feedback.public_token == token)).first()
        if row is None:
            return None
        order = session.get(ShopOrder, row.order_id)
        assert order is not None
        customer = session.get(Customer, order.customer_id)
        return FeedbackView(
            token=token, order_number=order.order_number, order_token=order.public_token,
            locale=customer.locale if customer else "", score=row.score,
            comment=row.comment, csat=row.csat,
            ratings={aspect: getattr(row, aspect.column) for aspect in Aspect},
            expired=link_expired(as_utc(row.created_at), now=now),
        )  # fmt: skip


def record_feedback(
    sessions: SessionFactory,
    token: str,
    *,
    score: int,
    details: FeedbackDetails | None = None,
    now: datetime,
) -> Recorded:
    """The latest answer counts (a shopper may change their mind); ``details`` None keeps
    the comment and ratings given before. ``InputError`` (nothing stored) for a score or a
    rating out of range."""
    if score not in SCORES:
        raise InputError("Choose a score from 0 to 10.")
    if details is not None:
        ratings = [details.csat, *details.ratings.values()]
        if any(r is not None and r not in RATINGS for r in ratings):
            raise InputError("Choose a rating from 1 to 5.")
    with transaction(sessions) as session:
        row = session.exec(select(Feedback).where(Feedback.public_token == token)).first()
        if row is None:
            return Recorded.UNKNOWN
        if link_expired(as_utc(row.created_at), now=now):
            return Recorded.EXPIRED
        if row.answered_at is None:
            row.answered_at = now
        else:
            row.updated_at = now
        row.score = score
        if details is not None:
            row.comment = clean_text(details.comment, multiline=True).strip()[:MAX_COMMENT]
            row.csat = details.csat
            for aspect in Aspect:
                setattr(row, aspect.column, details.ratings.get(aspect))
        session.add(row)
        follow_low_score(
            session, row.order_id, detractor=score_band(score) is ScoreBand.DETRACTOR,
            message=_story(row), now=now,
        )  # fmt: skip
    return Recorded.SAVED


def _story(row: Feedback) -> str:
    """The answer in the owner's words, for the problem list."""
    rated = ratings_in_words(row.csat, {a: getattr(row, a.column) for a in Aspect})
    lines = [f"Feedback score {row.score}/10", f"Rated {rated}" if rated else "", row.comment]
    return "\n".join(filter(None, lines))


def thanks_for(sessions: SessionFactory, token: str) -> ThanksView | None:
    """None until the link has an answer (the page thanks for something given)."""
    with sessions() as session:
        row = session.exec(select(Feedback).where(Feedback.public_token == token)).first()
        if row is None or row.score is None:
            return None
        order = session.get(ShopOrder, row.order_id)
        assert order is not None
        customer = session.get(Customer, order.customer_id)
        profile = load_profile(session)
        promoter = score_band(row.score) is ScoreBand.PROMOTER
        return ThanksView(
            order_token=order.public_token,
            locale=customer.locale if customer else "",
            review_url=profile.review_url if promoter else "",
            discount_code=profile.feedback_discount_code,
        )


def feedback_form(session: Session, order_id: int, *, now: datetime) -> Feedback:
    """The order's one feedback form, made on first use (by the feedback email or the
    tracking page's prompt, whichever comes first). An unanswered form whose link expired
    gets a fresh link, so a new email or prompt always leads somewhere. Not committed: the
    caller's transaction keeps it."""
    row = session.exec(select(Feedback).where(Feedback.order_id == order_id)).first()
    if row is None:
        row = Feedback(order_id=order_id, public_token=public_token(), created_at=now)
        session.add(row)
    elif not row.answered_at and link_expired(as_utc(row.created_at), now=now):
        row.public_token, row.created_at = public_token(), now
        session.add(row)
    return row


def feedback_token_after_delivery(sessions: SessionFactory, order_id: int, *, now: datetime) -> str:
    """The token of the order's feedback form (see ``feedback_form``); "" once the shopper
    has answered, so the tracking page stops asking."""
    with transaction(sessions) as session:
        row = feedback_form(session, order_id, now=now)
        return "" if row.answered_at else row.public_token


def feedback_form_for_order(
    sessions: SessionFactory, order_token: str, *, now: datetime
) -> str | None:
    """The feedback form's token for the order behind ``order_token``, made on first use;
    "" once answered, None for an unknown order."""
    with sessions() as session:
        order_id = session.exec(
            select(ShopOrder.id).where(ShopOrder.public_token == order_token)
        ).first()
    if order_id is None:
        return None
    return feedback_token_after_delivery(sessions, order_id, now=now)
