"""What shoppers do on the public pages, counted for the owner's WISMO and engagement figures.

One row per view, lookup or click; nothing about the visitor beyond which order it was
(no address, no user agent, no cookie id).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import PageView


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
) -> None:
    with transaction(sessions) as session:
        session.add(PageView(at=now, kind=kind, order_id=order_id, offer_id=offer_id))
