"""A call after every commit that wrote outbox rows, whoever wrote them (the ORM, a bulk
Core insert, raw SQL): the dispatcher is woken then instead of finding the rows at its next
5-second tick, so a shopper's email leaves within a fraction of a second of the event.

The flag travels with the pooled connection: set when an ``INSERT INTO outbox_message``
runs, kept by the transaction's commit, dropped by a rollback, and reported when the
connection goes back to the pool, which is after the commit has finished: a dispatcher
woken earlier could look before the rows are visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

_INSERT = "INSERT INTO OUTBOX_MESSAGE"


def on_new_outbox_rows(engine: sa.Engine, notify: Callable[[], None]) -> None:
    # Keys of this registration's own: two listeners on one engine each see every commit.
    _WRITTEN, _COMMITTED = object(), object()

    def executed(conn: sa.Connection, _c: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[: len(_INSERT)].upper() == _INSERT:
            conn.info[_WRITTEN] = True

    def committed(conn: sa.Connection) -> None:
        if conn.info.pop(_WRITTEN, False):
            conn.info[_COMMITTED] = True

    def rolled_back(conn: sa.Connection) -> None:
        conn.info.pop(_WRITTEN, None)

    def returned(_dbapi: Any, record: Any) -> None:
        if record.info.pop(_COMMITTED, False):
            notify()

    sa.event.listen(engine, "after_cursor_execute", executed)
    sa.event.listen(engine, "commit", committed)
    sa.event.listen(engine, "rollback", rolled_back)
    sa.event.listen(engine.pool, "checkin", returned)
