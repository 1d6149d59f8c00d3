"""Banners and product recommendations on the shopper's pages (issue 5: offers).

PLACEHOLDER until the offers work lands: no offer matches yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shopcare.db.engine import SessionFactory


@dataclass(frozen=True)
class OfferView:
    id: int
    kind: str
    title: str
    body: str
    image_url: str
    button: str
    click_path: str
    """The counted redirect, ``/o/{offer id}/{order token}``."""


def offer_for_order(
    sessions: SessionFactory, order_token: str, *, now: datetime
) -> OfferView | None:
    return None
