"""Built panels kept per (panel, period) until the store changes, so reloading the dashboard,
switching back to a range, or downloading a table's CSV costs a handful of ``max(id)``
lookups instead of every panel's queries.

The store's "data version" is the newest id of each table new facts arrive in (scans, page
views, messages, orders, returns, problem reports, feedback, notes): reading it is one index
step per table. Changes that add no row (a message turning "failed", a report resolved, the
clock passing "not shipped after 2 days") are caught by ``MAX_AGE`` instead.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    Feedback,
    OrderNote,
    OutboxMessage,
    PageView,
    ProblemReport,
    ReturnRequest,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.insight import Panel, Period
from shopcare.services.insight.panels import PANELS, InsightContext, build_panel
from shopcare.services.shop.profile import load_profile
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.services.tracking.settings import load_tracking_settings

MAX_AGE = timedelta(minutes=2)
LIVE = frozenset({"action"})
"""Panels of what is true now, whatever the period, built afresh for every page: a parcel
turns "delayed" or "not shipped after 2 days" with no new row to notice it by, and these
counts are cheap."""
MAX_ENTRIES = 64
_WATCHED = (
    TrackingEvent, PageView, OutboxMessage, ShopOrder, ReturnRequest, ProblemReport, Feedback,
    OrderNote,
)  # fmt: skip

DataVersion = tuple[int, ...]


@dataclass(frozen=True)
class _Entry:
    version: tuple[object, ...]
    built_at: datetime
    panel: Panel


class PanelCache:
    """Per store; thread-safe (pages and CSV downloads build panels from worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()

    def get(
        self, key: str, period: Period, *, version: tuple[object, ...], now: datetime
    ) -> Panel | None:
        with self._lock:
            entry = self._entries.get((key, period.key()))
            if entry is None or entry.version != version or now - entry.built_at > MAX_AGE:
                return None
            self._entries.move_to_end((key, period.key()))
            return entry.panel

    def put(
        self, panel: Panel, period: Period, *, version: tuple[object, ...], now: datetime
    ) -> None:
        with self._lock:
            self._entries[(panel.key, period.key())] = _Entry(version, now, panel)
            self._entries.move_to_end((panel.key, period.key()))
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)


_caches: weakref.WeakKeyDictionary[SessionFactory, PanelCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def data_version(sessions: SessionFactory) -> DataVersion:
    """Writes the page views counted in memory first, so they count as arrived."""
    flush_views(sessions)
    newest = [sa.select(sa.func.max(col(t.id))).scalar_subquery() for t in _WATCHED]
    with sessions() as session:
        row = session.execute(sa.select(*newest)).one()
    return tuple(int(n or 0) for n in row)


def insight_context(session: Session, *, now: datetime) -> InsightContext:
    """The shop's calendar (the tracking settings' holidays) and currency."""
    profile = load_profile(session)
    holidays = load_tracking_settings(session).holiday_dates
    return InsightContext(now=now, holidays=holidays, currency=profile.currency)


def panels(
    sessions: SessionFactory, period: Period, *, now: datetime, keys: tuple[str, ...] = ()
) -> list[Panel]:
    """Every panel (or those named), from the cache when the store has not changed since."""
    cache = _cache(sessions)
    with sessions() as session:
        context = insight_context(session, now=now)
    # What the owner set counts too: another zone or calendar gives other figures.
    version = (
        *data_version(sessions),
        period.zone.key,
        *sorted(context.holidays),
        context.currency,
    )
    found: list[Panel] = []
    for key in keys or tuple(PANELS):
        panel = None if key in LIVE else cache.get(key, period, version=version, now=now)
        if panel is None:
            panel = build_panel(sessions, key, period, context)
            cache.put(panel, period, version=version, now=now)
        found.append(panel)
    return found


def _cache(sessions: SessionFactory) -> PanelCache:
    with _caches_lock:
        cache = _caches.get(sessions)
        if cache is None:
            cache = _caches[sessions] = PanelCache()
        return cache
