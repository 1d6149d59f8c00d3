"""Counts other parts of the admin show: orders (the demo), open problems, shoppers' page
activity (``engagement``). The dashboard itself draws ``services.insight.panels``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ProblemReport, ShopOrder
from shopcare.services.shopper_site.page_views import PageKind, counts_by_kind

ENGAGEMENT_DAYS = 30


def count_orders(sessions: SessionFactory) -> int:
    with sessions() as session:
        return int(session.exec(select(func.count()).select_from(ShopOrder)).one())


def count_open_problems(sessions: SessionFactory) -> int:
    """Shoppers' problem reports the owner has not marked resolved yet."""
    with sessions() as session:
        query = select(func.count()).select_from(ProblemReport)
        return int(session.exec(query.where(ProblemReport.status == "open")).one())


@dataclass(frozen=True)
class Engagement:
    """What shoppers did on the public pages over the last ``days``."""

    days: int
    tracking_views: int
    orders_viewed: int
    lookups_found: int
    lookups_failed: int
    number_lookups: int
    offer_views: int
    offer_clicks: int
    thanks_views: int

    @property
    def views_per_order(self) -> float | None:
        """The WISMO proxy: how often a shopper came back to ask "where is my order?"."""
        return self.tracking_views / self.orders_viewed if self.orders_viewed else None

    @property
    def offer_ctr(self) -> float | None:
        return self.offer_clicks / self.offer_views if self.offer_views else None


def engagement(
    sessions: SessionFactory, *, now: datetime, days: int = ENGAGEMENT_DAYS
) -> Engagement:
    counts = counts_by_kind(sessions, since=now - timedelta(days=days), until=now)
    return Engagement(
        days=days,
        tracking_views=counts[PageKind.TRACKING_VIEW].views,
        orders_viewed=counts[PageKind.TRACKING_VIEW].orders,
        lookups_found=counts[PageKind.LOOKUP].views,
        lookups_failed=counts[PageKind.LOOKUP_FAILED].views,
        number_lookups=counts[PageKind.NUMBER_LOOKUP].views,
        offer_views=counts[PageKind.OFFER_VIEW].views,
        offer_clicks=counts[PageKind.OFFER_CLICK].views,
        thanks_views=counts[PageKind.THANKS_VIEW].views,
    )
