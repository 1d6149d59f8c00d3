"""Two offers for the demo shop, so the tracking pages show both kinds at once: a product
recommendation for the orders with the pour-over set, and a banner for everyone else (the
product comes first: the first match wins)."""

from __future__ import annotations

from datetime import datetime

from shopcare.db.engine import SessionFactory
from shopcare.domain.segments import segment_from_rules
from shopcare.services.offers.admin import OfferIn, create_offer, list_offers

DEMO_OFFERS = (
    OfferIn(
        name="Beans for the pour-over set",
        kind="product",
        title="Single-origin beans, 250 g",
        body="14.50 EUR",
        link_url="https://demo-coffee.example/beans?from=tracking",
        button="Add beans",
        segment=segment_from_rules({"skus": ["POUR-SET"]}),
    ),
    OfferIn(
        name="Newsletter for everyone",
        title="10% off your next order",
        body="Join our newsletter and get a code for your next coffee order.",
        link_url="https://demo-coffee.example/newsletter?from=tracking",
        button="Get my code",
    ),
)


def seed_demo_offers(sessions: SessionFactory, *, now: datetime) -> bool:
    """Only when the shop has no offers yet; returns whether it added them."""
    if list_offers(sessions):
        return False
    for offer in DEMO_OFFERS:
        create_offer(sessions, offer, now=now)
    return True
