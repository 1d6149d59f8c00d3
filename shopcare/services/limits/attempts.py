"""Each limit's counters in the ``rate_limit`` table: one row per (limit, key), counted up
by one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite 3.35+, PostgreSQL), so
two processes, or two threads, can never both take the last attempt. The window rule is the
domain's (``domain.ratelimit.next_window``); the statement computes the same in the store.

Keys are client addresses, email addresses, user names and order numbers: only their HMAC
under the app's secret is stored, so a copy of the store does not list who tried (every
process serving one store shares its secret already: the stored credentials are sealed
with it). Rows of ended windows are removed by ``forget_ended_windows``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import RateLimit
from shopcare.domain.ratelimit import Limit, Verdict, Window, next_window, verdict
from shopcare.domain.utc import as_utc


@dataclass(frozen=True)
class Limiter:
    """One limit on one store: what a page holds and asks before doing the work."""

    sessions: SessionFactory
    limit: Limit
    secret: str = field(repr=False)

    def attempt(self, key: str, *, now: datetime) -> Verdict:
        """Count an attempt for ``key``; refused when it is one too many. Blocking I/O:
        async handlers call it through ``run_in_threadpool``."""
        with transaction(self.sessions) as session:
            hits, ends_at = session.execute(
                _count_up(session, self.limit, self.hashed(key), now=now)
            ).one()
        return verdict(self.limit, Window(hits=int(hits), ends_at=as_utc(ends_at)), now=now)

    def retry_after(self, key: str, *, now: datetime) -> timedelta:
        """How long until ``key`` may try again (zero while it has attempts left); counts
        nothing."""
        with self.sessions() as session:
            row = session.get(RateLimit, (self.limit.name, self.hashed(key)))
        window = None if row is None else Window(hits=row.hits, ends_at=as_utc(row.ends_at))
        return verdict(self.limit, window, now=now).retry_after

    def hashed(self, key: str) -> str:
        return hmac.new(self.secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def forget_ended_windows(sessions: SessionFactory, *, now: datetime) -> int:
    """Drop the counters whose window has ended (the next attempt starts afresh anyway);
    how many went."""
    with transaction(sessions) as session:
        result = session.execute(sa.delete(RateLimit).where(col(RateLimit.ends_at) <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _count_up(session: Session, limit: Limit, key_hash: str, *, now: datetime) -> Any:
    """``next_window`` as one statement: a new row, or the stored one counted up (to one
    past the limit at most) or restarted when its window has ended; the row as it is now."""
    table = RateLimit.__table__  # type: ignore[attr-defined]
    fresh = next_window(limit, None, now=now)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(
        name=limit.name, key_hash=key_hash, hits=fresh.hits, ends_at=fresh.ends_at
    )
    ended = table.c.ends_at <= now
    return insert.on_conflict_do_update(
        index_elements=[table.c.name, table.c.key_hash],
        set_={
            "hits": sa.case(
                (ended, insert.excluded.hits),
                (table.c.hits <= limit.attempts, table.c.hits + 1),
                else_=table.c.hits,
            ),
            "ends_at": sa.case((ended, insert.excluded.ends_at), else_=table.c.ends_at),
        },
    ).returning(table.c.hits, table.c.ends_at)
