"""Banners and product recommendations on the shopper's pages: which one an order sees, and
the counted click that leads to the shop.

The tracking page is the busiest page of the app, so choosing an offer must cost next to
nothing: the switched-on offers live in memory (:mod:`shopcare.services.offers.cache`,
dropped on every change from the admin), the order is only read as far as the live offers'
rules need, and a view is counted in memory and written in batches
(:mod:`shopcare.services.shopper_site.view_counts`); a click is written at once.
The owner's CRUD is in :mod:`shopcare.services.offers.admin`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Offer, OrderLine, Shipment, ShopOrder
from shopcare.domain.segments import OrderFacts, first_match, live, order_facts
from shopcare.domain.status import ShipmentStatus
from shopcare.services.offers.cache import LiveOffer, live_offers
from shopcare.services.orders.views import OrderView
from shopcare.services.shopper_site.page_views import PageKind, add_page_view
from shopcare.services.shopper_site.view_counts import count_view, flush_views

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfferView:
    id: int
    kind: str
    title: str
    body: str
    """A banner's text; a product's price as the owner wrote it."""
    image_url: str
    button: str
    click_path: str
    """The counted redirect, ``/o/{offer id}/{order token}``."""


def offer_for_order(
    sessions: SessionFactory,
    order_token: str,
    *,
    now: datetime,
    order: OrderView | None = None,
) -> OfferView | None:
    """The first live offer whose segment holds for the order, its view counted; None when
    none does or the token is unknown. Pass ``order`` when the page has it already: its
    lines and parcels are then not read again."""
    with sessions() as session:
        candidates = live(live_offers(session), now=now)
        if not candidates:
            return None
        facts = _facts(session, order_token, order, candidates)
        if facts is None:
            return None
        order_id, known = facts
        chosen = first_match(candidates, known, now=now)
    if chosen is None:
        return None
    count_view(
        sessions,
        PageKind.OFFER_VIEW,
        now=now,
        order_id=order_id,
        offer_id=chosen.id,
        offer_view=True,
    )
    return OfferView(
        id=chosen.id,
        kind=chosen.kind,
        title=chosen.title,
        body=chosen.body,
        image_url=chosen.image_url,
        button=chosen.button,
        click_path=f"/o/{chosen.id}/{order_token}",
    )


def follow_offer(
    sessions: SessionFactory, offer_id: int, order_token: str, *, now: datetime
) -> str | None:
    """Counts a click and returns the offer's stored link; None for an unknown offer or
    order (the caller answers 404). Only the stored link is ever returned, so the click
    path cannot be turned into a redirect to anywhere else."""
    flush_views(sessions)  # the views before it are written first: the figures keep their order
    with transaction(sessions) as session:
        offer = session.get(Offer, offer_id)
        order_id = session.exec(
            select(ShopOrder.id).where(ShopOrder.public_token == order_token)
        ).first()
        if offer is None or order_id is None or not offer.link_url:
            return None
        session.execute(
            sa.update(Offer).where(col(Offer.id) == offer_id).values(clicks=col(Offer.clicks) + 1)
        )
        add_page_view(session, PageKind.OFFER_CLICK, now=now, order_id=order_id, offer_id=offer_id)
        return offer.link_url


def _facts(
    session: Session, token: str, order: OrderView | None, candidates: list[LiveOffer]
) -> tuple[int, OrderFacts] | None:
    """What the rules of ``candidates`` need, and nothing more: lines only for SKU or tag
    rules, parcels only for status rules, earlier orders only for first/repeat rules."""
    segments = [c.segment for c in candidates]
    need_lines = any(s.skus or s.tags for s in segments)
    need_statuses = any(s.statuses for s in segments)
    need_history = any(s.needs_history for s in segments)
    if order is not None and order.token == token:
        skus = [line.sku for line in order.lines]
        tags = [tag for line in order.lines for tag in line.tags]
        statuses = [s.status for s in order.shipments]
        row = (order.id, order.customer_id, order.placed_at, order.total_minor, order.currency)
        country = order.ship_country
    else:
        found = session.exec(select(ShopOrder).where(ShopOrder.public_token == token)).first()
        if found is None or found.id is None:
            return None
        row = (found.id, found.customer_id, found.placed_at, found.total_minor, found.currency)
        country = found.ship_country
        skus, tags, statuses = _lines_and_parcels(session, found.id, need_lines, need_statuses)
    order_id, customer_id, placed_at, total_minor, currency = row
    repeat = need_history and _has_earlier_order(session, customer_id, order_id, placed_at)
    return order_id, order_facts(
        skus=skus,
        tags=tags,
        total_minor=total_minor,
        currency=currency,
        country=country,
        statuses=statuses,
        repeat=repeat,
    )


def _lines_and_parcels(
    session: Session, order_id: int, need_lines: bool, need_statuses: bool
) -> tuple[list[str], list[str], list[ShipmentStatus]]:
    skus: list[str] = []
    tags: list[str] = []
    if need_lines:
        for sku, line_tags in session.exec(
            select(OrderLine.sku, OrderLine.tags).where(OrderLine.order_id == order_id)
        ):
            skus.append(sku)
            tags.extend(t for t in line_tags.split(","))
    statuses: list[ShipmentStatus] = []
    if need_statuses:
        for status in session.exec(select(Shipment.status).where(Shipment.order_id == order_id)):
            try:
                statuses.append(ShipmentStatus(status))
            except ValueError:
                log.warning("shipment of order %s has an unknown status %r", order_id, status)
    return skus, tags, statuses


def _has_earlier_order(
    session: Session, customer_id: int, order_id: int, placed_at: datetime
) -> bool:
    """A repeat customer placed another order before this one (ties broken by id, so two
    orders at the same moment still make one first and one repeat)."""
    earlier = session.exec(
        select(ShopOrder.id)
        .where(
            ShopOrder.customer_id == customer_id,
            ShopOrder.id != order_id,
            sa.or_(
                col(ShopOrder.placed_at) < placed_at,
                sa.and_(col(ShopOrder.placed_at) == placed_at, col(ShopOrder.id) < order_id),
            ),
        )
        .limit(1)
    ).first()
    return earlier is not None
