"""The switched-on offers, kept in memory per database so the tracking page does not read
them on every view.

The owner's changes go through :mod:`shopcare.services.offers.admin`, which drops the entry
after committing; a generation number makes sure a read that raced with a change is not
stored over it. Entries also expire after a short while, for a database changed by another
process (a restore, a second instance): the worst case is an old banner for that long.
The schedule is not cached: it is checked against ``now`` on every view.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import Offer
from shopcare.domain.segments import Schedule, Segment, SegmentError, parse_segment

log = logging.getLogger(__name__)

KEEP_SECONDS = 30.0


@dataclass(frozen=True)
class LiveOffer:
    """An offer as the shopper's pages need it (a ``segments.Candidate``)."""

    id: int
    position: int
    active: bool
    schedule: Schedule
    segment: Segment
    kind: str
    title: str
    body: str
    image_url: str
    button: str


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, tuple[LiveOffer, ...]]] = {}
        self._generation: dict[str, int] = {}

    def get(self, session: Session) -> tuple[LiveOffer, ...]:
        key = _database(session)
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation.get(key, 0)
        if entry is not None and time.monotonic() - entry[0] < KEEP_SECONDS:
            return entry[1]
        offers = _load(session)
        with self._lock:
            if self._generation.get(key, 0) == generation:
                self._entries[key] = (time.monotonic(), offers)
        return offers

    def forget(self, session: Session) -> None:
        self.forget_key(_database(session))

    def forget_key(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._generation[key] = self._generation.get(key, 0) + 1


_cache = _Cache()


def live_offers(session: Session) -> tuple[LiveOffer, ...]:
    """Switched-on offers with rules that can be read; the caller checks the schedule."""
    return _cache.get(session)


def forget_offers(sessions: SessionFactory) -> None:
    with sessions() as session:
        _cache.forget(session)


def forget_offers_at(url: str) -> None:
    """Drop the entry of the store at ``url`` without a session: that store was emptied or
    replaced under this process (a restore, a test's fresh database at the same address)."""
    _cache.forget_key(str(sa.make_url(url)))


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _load(session: Session) -> tuple[LiveOffer, ...]:
    rows = session.exec(
        select(Offer).where(col(Offer.active)).order_by(col(Offer.position), col(Offer.id))
    ).all()
    offers = []
    for row in rows:
        try:
            segment = parse_segment(row.rules)
        except SegmentError as exc:  # only a hand-edited row can get here: skip, never fail
            log.warning("offer %s is skipped: %s", row.id, exc)
            continue
        offers.append(
            LiveOffer(
                id=row.id or 0,
                position=row.position,
                active=row.active,
                schedule=Schedule(starts_at=row.starts_at, ends_at=row.ends_at),
                segment=segment,
                kind=row.kind,
                title=row.title,
                body=row.body,
                image_url=row.image_url,
                button=row.button,
            )
        )
    return tuple(offers)
