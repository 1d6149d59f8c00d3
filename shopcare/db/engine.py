"""Engine creation: SQLite gets WAL, a busy timeout and foreign keys on every connection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

SessionFactory = Callable[[], Session]

BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_SIZE = 16
SQLITE_POOL_OVERFLOW = 32
"""Shopper pages are served from a pool of up to 40 worker threads, and in WAL mode SQLite
lets them all read at once: with SQLAlchemy's default (5 + 10) most of them queued for a
connection. Connections are opened as needed; above the pool size they close when
returned, so a quiet app keeps at most 16."""


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        pool: dict[str, Any] = {}
        if sa.make_url(url).database not in (None, "", ":memory:"):  # a file: a queue pool
            pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **pool)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def follow_given_ids(session: Session, tables: Iterable[type[Any]]) -> None:
    """After rows were inserted with their ids given (the demo's bulk inserts), move each
    table's PostgreSQL id sequence past the largest id, so the next row added the usual way
    does not get an id already taken. SQLite takes the next id from the table itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        rows: sa.Table = table.__table__
        largest = sa.select(sa.func.max(rows.c.id)).scalar_subquery()
        sequence = sa.func.pg_get_serial_sequence(rows.name, "id")
        session.execute(
            sa.select(sa.func.setval(sequence, sa.func.coalesce(largest, 0) + 1, False))
        )


def reads_only(session: Session) -> None:
    """For a session that only reads, each read on its own (no snapshot across them): on
    PostgreSQL its connection is taken in autocommit, which spares the ``BEGIN`` and the
    ``ROLLBACK``, two of the tracking page's six round trips to the server (in-process about
    2 ms a page down to 1.2). SQLite's driver opens no transaction for reads anyway, and
    switching its mode costs more than it saves, so it is left as it is. Call it before the
    session's first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: sa.Engine, *, info: dict[str, Any] | None = None) -> SessionFactory:
    """``info`` is copied into every session: what services need beside the engine (the
    store's secret box, see ``services.secret_box``)."""

    def new_session() -> Session:
        return Session(engine, expire_on_commit=False, info=dict(info or {}))

    return new_session


@contextmanager
def transaction(sessions: SessionFactory) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
