"""Can the store be written right now? A write probe that cannot wait long.

``/healthz`` and the scheduled jobs ask it. It opens its own connection (not one from the
pool: when every pooled connection is stuck waiting on a lock, a checkout would wait too)
with a short busy timeout, takes the write lock with ``BEGIN IMMEDIATE``, sets the header's
``user_version`` to the value it has (a read-only connection takes the lock but refuses
this) and gives it all back with ``ROLLBACK``: nothing reaches the file, and a store another
process holds answers "busy" within the timeout instead of after the store's own five
seconds.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

import sqlalchemy as sa

PROBE_TIMEOUT_S = 0.25


class StoreState(StrEnum):
    WRITABLE = "writable"
    BUSY = "busy"
    """Another connection holds the write lock (a backup, a second process, a long write)."""
    READ_ONLY = "read_only"
    """The file, its directory or the connection refuses writes."""
    UNREACHABLE = "unreachable"


def probe_store(engine: sa.Engine, *, timeout_s: float = PROBE_TIMEOUT_S) -> StoreState:
    """Blocking, at most about ``timeout_s`` on SQLite: call it from a worker thread."""
    if engine.dialect.name != "sqlite":
        return _probe_server(engine)
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    params = {**cparams, "timeout": timeout_s, "isolation_level": None}
    try:
        connection = sqlite3.connect(*cargs, **params)
    except sqlite3.Error:
        return StoreState.UNREACHABLE
    try:
        connection.execute("BEGIN IMMEDIATE")
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        connection.execute(f"PRAGMA user_version={int(version)}")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        return store_state_of(exc)
    except sqlite3.Error:
        return StoreState.UNREACHABLE
    finally:
        connection.close()
    return StoreState.WRITABLE


def store_state_of(exc: BaseException) -> StoreState:
    """What a database error says about the store: busy, read-only, or something else."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreState.BUSY
    if "readonly" in text or "read-only" in text:
        return StoreState.READ_ONLY
    return StoreState.UNREACHABLE


def _probe_server(engine: sa.Engine) -> StoreState:
    """A database server (PostgreSQL) has no file lock to probe: a read-write transaction
    that is begun and rolled back, so a standby or a read-only role shows."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SET TRANSACTION READ WRITE"))
            connection.rollback()
    except sa.exc.OperationalError as exc:
        return store_state_of(exc)
    except sa.exc.SQLAlchemyError as exc:
        if "read-only" in str(exc).lower() or "recovery" in str(exc).lower():
            return StoreState.READ_ONLY
        return StoreState.UNREACHABLE
    return StoreState.WRITABLE
