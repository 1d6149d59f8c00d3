"""The owner's offers: create, change, reorder, delete, and the list with views and clicks.

Every change drops the in-memory list the shopper's pages use (``offer_cache``), so the
next tracking page shows it. Times come in aware (any zone) and are stored in UTC; the list
gives them back in the shop's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Offer, PageView
from shopcare.domain.segments import (
    Schedule,
    Segment,
    SegmentError,
    parse_segment,
    segment_json,
)
from shopcare.services.errors import InputError
from shopcare.services.offers.cache import forget_offers
from shopcare.services.shop.profile import load_profile
from shopcare.services.shopper_site.view_counts import flush_views

KINDS = ("banner", "product")
_LIMITS = {"name": 200, "title": 200, "image_url": 500, "link_url": 500, "button": 100}


@dataclass(frozen=True)
class OfferIn:
    name: str
    link_url: str
    kind: str = "banner"
    title: str = ""
    body: str = ""
    """A banner's text; for a product, its price as the shopper should read it."""
    image_url: str = ""
    button: str = ""
    segment: Segment = field(default_factory=Segment)
    active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class OfferRow:
    id: int
    position: int
    offer: OfferIn
    """Its times in the shop's zone."""
    views: int
    clicks: int

    @property
    def ctr(self) -> float | None:
        """Clicks per view; None before the first view."""
        return self.clicks / self.views if self.views else None

    def live(self, now: datetime) -> bool:
        schedule = Schedule(starts_at=self.offer.starts_at, ends_at=self.offer.ends_at)
        return self.offer.active and schedule.covers(now)


def create_offer(sessions: SessionFactory, data: OfferIn, *, now: datetime) -> int:
    """Added last; raises InputError."""
    _check(data)
    with transaction(sessions) as session:
        last = session.exec(select(func.max(Offer.position))).one()
        position = 0 if last is None else last + 1
        offer = Offer(name=data.name, created_at=now, position=position)
        _apply(offer, data)
        session.add(offer)
        session.flush()
        offer_id = offer.id or 0
    forget_offers(sessions)
    return offer_id


def update_offer(sessions: SessionFactory, offer_id: int, data: OfferIn) -> None:
    """Raises InputError, also for an offer deleted meanwhile. Counters stay."""
    _check(data)
    with transaction(sessions) as session:
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise InputError("this offer no longer exists")
        _apply(offer, data)
        session.add(offer)
    forget_offers(sessions)


def delete_offer(sessions: SessionFactory, offer_id: int) -> None:
    """Its views and clicks stay in the figures, no longer tied to it."""
    with transaction(sessions) as session:
        session.execute(
            sa.update(PageView).where(col(PageView.offer_id) == offer_id).values(offer_id=None)
        )
        session.execute(sa.delete(Offer).where(col(Offer.id) == offer_id))
    forget_offers(sessions)


def move_offer(sessions: SessionFactory, offer_id: int, *, step: int) -> None:
    """One place up (step -1) or down (+1), numbering all offers 0, 1, 2 … again so
    positions stay unique whatever was stored before."""
    with transaction(sessions) as session:
        offers = list(session.exec(select(Offer).order_by(col(Offer.position), col(Offer.id))))
        index = next((i for i, o in enumerate(offers) if o.id == offer_id), None)
        if index is None:
            return
        target = min(max(index + step, 0), len(offers) - 1)
        offers.insert(target, offers.pop(index))
        for position, offer in enumerate(offers):
            if offer.position != position:
                offer.position = position
                session.add(offer)
    forget_offers(sessions)


def list_offers(sessions: SessionFactory) -> list[OfferRow]:
    """In the order they compete in."""
    flush_views(sessions)  # the counters include every view counted so far
    with sessions() as session:
        zone = load_profile(session).zone
        rows = session.exec(select(Offer).order_by(col(Offer.position), col(Offer.id))).all()
    return [_row(o, zone) for o in rows]


def get_offer(sessions: SessionFactory, offer_id: int) -> OfferRow | None:
    flush_views(sessions)
    with sessions() as session:
        zone = load_profile(session).zone
        offer = session.get(Offer, offer_id)
    return _row(offer, zone) if offer else None


def _row(offer: Offer, zone: ZoneInfo) -> OfferRow:
    try:
        segment = parse_segment(offer.rules)
    except SegmentError:
        segment = Segment()
    local = {
        name: value.astimezone(zone) if value else None
        for name, value in (("starts_at", offer.starts_at), ("ends_at", offer.ends_at))
    }
    return OfferRow(
        id=offer.id or 0,
        position=offer.position,
        offer=OfferIn(
            name=offer.name,
            link_url=offer.link_url,
            kind=offer.kind,
            title=offer.title,
            body=offer.body,
            image_url=offer.image_url,
            button=offer.button,
            segment=segment,
            active=offer.active,
            **local,
        ),
        views=offer.views,
        clicks=offer.clicks,
    )


def _apply(offer: Offer, data: OfferIn) -> None:
    offer.name = data.name.strip()
    offer.kind = data.kind
    offer.title = data.title.strip()
    offer.body = data.body.strip()
    offer.image_url = data.image_url.strip()
    offer.link_url = data.link_url.strip()
    offer.button = data.button.strip()
    offer.rules = segment_json(data.segment)
    offer.active = data.active
    offer.starts_at = data.starts_at.astimezone(UTC) if data.starts_at else None
    offer.ends_at = data.ends_at.astimezone(UTC) if data.ends_at else None


def _check(data: OfferIn) -> None:
    if not data.name.strip():
        raise InputError("give the offer a name (only you see it)")
    if data.kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}")
    if not data.title.strip():
        raise InputError("the title is missing: it is what the shopper reads first")
    for name, limit in _LIMITS.items():
        if len(str(getattr(data, name)).strip()) > limit:
            raise InputError(f"{name.replace('_', ' ')} is longer than {limit} characters")
    if not _is_url(data.link_url.strip(), schemes=("http", "https")):
        raise InputError("the link must be a full http:// or https:// address")
    image = data.image_url.strip()
    if image and not _is_url(image, schemes=("https",)):
        raise InputError("the image must be an https:// address (or left empty)")
    for moment in (data.starts_at, data.ends_at):
        if moment is not None and moment.utcoffset() is None:
            raise InputError("start and end need a time zone")
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise InputError("the end must come after the start")


def _is_url(text: str, *, schemes: tuple[str, ...]) -> bool:
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname)
