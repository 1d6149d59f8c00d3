"""Page views and offer views counted in memory and written in batches.

Every tracking page counted its view with its own write transaction (a page-view row, and
``UPDATE offer SET views = views + 1`` on the one row every banner view touches), so under
load the page waited on SQLite's single writer more than it worked. Here a view is appended
to a list in memory; :func:`flush_views` writes them all in one transaction (one
``executemany`` of page-view rows, one ``UPDATE`` per offer with the summed count). It runs
every few seconds from the scheduler, when the app stops, and before every read of the
figures, so whatever reads them sees every view counted until then.

The trade-off: views counted since the last flush are lost if the process dies without
stopping (a crash, ``kill -9``, power loss): at most a few seconds of counts, never an
order, a return or a message. The pending views are kept per store (by database URL), since
tests and the CLI build several stores in one process.

Several processes on one store: each writes the views it served, as rows and as additions
(``views = views + n``), never as a total kept in memory, so the store's counts are the sum
of all of them once each has flushed; a figure read in one process lacks at most the last
few seconds of the others'. Their flushes touch the offers in id order, so two cannot
deadlock on PostgreSQL (``tests/services/test_view_counts.py``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Offer, PageView, ShopOrder

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards the lists below; held only to append or to take them."""
    writing: threading.Lock = field(default_factory=threading.Lock)
    """Held through a flush, so a read that flushes waits for a flush already under way."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    offer_views: Counter[int] = field(default_factory=Counter)


_stores: dict[str, _Pending] = {}
_stores_lock = threading.Lock()
_keys: weakref.WeakKeyDictionary[SessionFactory, str] = weakref.WeakKeyDictionary()


def count_view(
    sessions: SessionFactory,
    kind: str,
    *,
    now: datetime,
    order_id: int | None = None,
    offer_id: int | None = None,
    offer_view: bool = False,
    message_kind: str | None = None,
) -> None:
    """One page-view row to write; ``offer_view`` also adds one to the offer's counter."""
    pending = _pending(sessions)
    row = {
        "at": now,
        "kind": str(kind),
        "order_id": order_id,
        "offer_id": offer_id,
        "message_kind": None if message_kind is None else str(message_kind),
    }
    with pending.lock:
        pending.rows.append(row)
        if offer_view and offer_id is not None:
            pending.offer_views[offer_id] += 1


def flush_views(sessions: SessionFactory) -> int:
    """Write the views counted so far; returns how many rows were written. On a failure the
    views are kept for the next flush and the error is raised."""
    pending = _pending(sessions)
    with pending.writing:
        with pending.lock:
            rows, pending.rows = pending.rows, []
            offers, pending.offer_views = pending.offer_views, Counter()
        if not rows and not offers:
            return 0
        try:
            with transaction(sessions) as session:
                db = session.connection()
                if rows:
                    db.execute(_INSERT, rows)
                if offers:  # in id order, as every process does: no two flushes deadlock
                    db.execute(_BUMP, [{"offer": i, "n": n} for i, n in sorted(offers.items())])
        except BaseException:
            with pending.lock:
                pending.rows[:0] = rows
                pending.offer_views.update(offers)
            raise
    return len(rows)


def discard_pending(url: str) -> None:
    """Forget the views counted for the store at ``url`` without writing them: that store
    was emptied or replaced under this process (a restore, a test's fresh database at the
    same address), and its old views must not land in the new rows."""
    with _stores_lock:
        for key in [k for k in _stores if sa.make_url(k) == sa.make_url(url)]:
            del _stores[key]


def _pending(sessions: SessionFactory) -> _Pending:
    with _stores_lock:
        key = _keys.get(sessions)
    if key is None:
        with sessions() as session:
            key = str(session.get_bind().engine.url)
    with _stores_lock:
        _keys[sessions] = key
        return _stores.setdefault(key, _Pending())


def _nullable_id(table_id: Any, name: str) -> sa.ScalarSelect[Any]:
    """The id when its row still exists, else NULL: an offer deleted between the view and
    the flush keeps its view in the figures without the link, as deleting one does."""
    return sa.select(table_id).where(table_id == sa.bindparam(name)).scalar_subquery()


_COLUMNS = sa.inspect(PageView).columns
_INSERT = sa.insert(PageView).from_select(
    ["at", "kind", "order_id", "offer_id", "message_kind"],
    sa.select(
        sa.bindparam("at", type_=_COLUMNS["at"].type),
        sa.bindparam("kind", type_=_COLUMNS["kind"].type),
        _nullable_id(col(ShopOrder.id), "order_id"),
        _nullable_id(col(Offer.id), "offer_id"),
        sa.bindparam("message_kind", type_=_COLUMNS["message_kind"].type),
    ),
)
_BUMP = (
    sa.update(Offer)
    .where(col(Offer.id) == sa.bindparam("offer"))
    .values(views=col(Offer.views) + sa.bindparam("n"))
)
