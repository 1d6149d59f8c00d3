"""What shoppers do on the public pages, counted for the owner's WISMO and engagement figures.

One row per view, lookup or click; nothing about the visitor beyond which order it was
(no address, no user agent, no cookie id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import PageView
from shopcare.domain.messages import MessageKind
from shopcare.services.shopper_site.view_counts import count_view, flush_views


class PageKind(StrEnum):
    TRACKING_VIEW = "tracking_view"
    LOOKUP = "lookup"
    """A lookup that found an order."""
    LOOKUP_FAILED = "lookup_failed"
    NUMBER_LOOKUP = "number_lookup"
    """A lookup by tracking number alone."""
    OFFER_VIEW = "offer_view"
    OFFER_CLICK = "offer_click"
    THANKS_VIEW = "thanks_view"
    ACCOUNT_VIEW = "account_view"
    RETURN_VIEW = "return_view"


def record_page_view(
    sessions: SessionFactory,
    kind: PageKind,
    *,
    now: datetime,
    order_id: int | None = None,
    offer_id: int | None = None,
    message_kind: MessageKind | None = None,
) -> None:
    """Counted in memory and written within seconds (see :mod:`view_counts`): the shopper's
    page does not wait for a write. ``message_kind``: the message whose link was followed."""
    count_view(
        sessions, kind, now=now, order_id=order_id, offer_id=offer_id, message_kind=message_kind
    )


def add_page_view(
    session: Session,
    kind: PageKind,
    *,
    now: datetime,
    order_id: int | None = None,
    offer_id: int | None = None,
) -> None:
    """The same row inside a caller's transaction (an offer's counter and its row commit
    together)."""
    session.add(PageView(at=now, kind=kind, order_id=order_id, offer_id=offer_id))


@dataclass(frozen=True)
class KindCount:
    views: int = 0
    orders: int = 0
    """Distinct orders among them."""


def counts_by_kind(
    sessions: SessionFactory, *, since: datetime, until: datetime
) -> dict[PageKind, KindCount]:
    """Every kind from ``since`` up to and including ``until``, zero when nothing happened;
    one grouped query over the (kind, at) index."""
    flush_views(sessions)
    with sessions() as session:
        rows = session.exec(
            select(PageView.kind, func.count(), func.count(col(PageView.order_id).distinct()))
            .where(col(PageView.at) >= since, col(PageView.at) <= until)
            .group_by(col(PageView.kind))
        ).all()
    found = {kind: KindCount(int(n), int(orders)) for kind, n, orders in rows}
    return {kind: found.get(kind, KindCount()) for kind in PageKind}
