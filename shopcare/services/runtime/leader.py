"""Which process runs the jobs there must be one of (polling the carriers, reconciling with
the shop platform, reminders, backups) when several ShopCare processes share one
PostgreSQL store: the holder of a session-level advisory lock.

PostgreSQL releases the lock when the holder's connection ends, so a process killed with
``kill -9`` loses it as soon as the server notices the closed socket, and another process
takes it at its next try (every heartbeat, 15 s). The lock lives on a connection of its own,
outside the pool, checked at each try: a holder whose connection broke (the database
restarted) stops leading at once instead of polling beside the new leader.

SQLite has one ShopCare process per store (the data dir's lease says so): it always leads.
Everything else (pages, the admin, sending the outbox) runs in every process; outbox claims
are exactly-once across processes on their own.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import sqlalchemy as sa

log = logging.getLogger("shopcare")

LOCK_KEY = 0x5C0CA7E
"""The advisory lock's key: any number no other application on the database uses."""


class Leadership:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._held: sa.Connection | None = None
        self._guard = threading.Lock()

    @property
    def holding(self) -> bool:
        """Leads, as of the last try (no round trip: for /healthz)."""
        return not self.shared or self._held is not None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def leads(self) -> bool:
        """Whether this process runs the single jobs now; tries to take the lock if not.
        Blocking (one round trip): call it from a worker thread."""
        if not self.shared:
            return True
        with self._guard:
            if self._held is not None and self._alive(self._held):
                return True
            self._drop()
            connection = self.engine.connect()
            try:
                got = connection.execute(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY)))
                taken = bool(got.scalar())
                connection.commit()
            except sa.exc.SQLAlchemyError:
                connection.close()
                raise
            if not taken:
                connection.close()
                return False
            self._held = connection
            log.info("this process now runs the scheduled jobs (advisory lock %s)", LOCK_KEY)
            return True

    def release(self) -> None:
        with self._guard:
            self._drop()

    def _alive(self, connection: sa.Connection) -> bool:
        try:
            connection.execute(sa.text("SELECT 1"))
            connection.commit()
        except sa.exc.SQLAlchemyError:
            log.warning("the connection holding the scheduler's lock broke; trying again")
            return False
        return True

    def _drop(self) -> None:
        if self._held is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._held.invalidate()  # closes the socket: the server frees the lock
            self._held = None
