"""Finding an order for a shopper who has no link: order number plus email or postcode.

Wrong email and unknown order give the same answer, so the form cannot be used to learn
which order numbers exist.
"""

from __future__ import annotations

import hmac

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ShopOrder


def find_order_token(sessions: SessionFactory, *, order_number: str, secret: str) -> str | None:
    """The order's public token when ``secret`` is its email or shipping postcode."""
    number = order_number.strip().lstrip("#")
    given = _fold(secret)
    if not number or not given:
        return None
    with sessions() as session:
        order = session.exec(
            select(ShopOrder).where(col(ShopOrder.order_number).in_([number, f"#{number}"]))
        ).first()
    if order is None:
        hmac.compare_digest(given, given)  # same work either way
        return None
    matches = hmac.compare_digest(given, _fold(order.email)) or (
        bool(order.ship_postcode) and hmac.compare_digest(given, _fold(order.ship_postcode))
    )
    return order.public_token if matches else None


def _fold(value: str) -> str:
    return "".join(value.split()).casefold()
