"""A table's rows as JSON objects (``{"column": value, …}``) for ``store.json``, a batch at a
time as one piece of text: the objects separated by commas, ready to go between the list's
brackets.

On SQLite, SQLite writes each object itself (``json_object``): one string per row crosses
into Python instead of a value per column, a dict and an encoding, which halved the JSON's
time. Elsewhere, and for the tables whose secrets are blanked in Python (``withheld``), the
rows of ``tables.batches`` are encoded by ``orjson``. Both write the same text: times as
``tables`` writes them, booleans as ``true``/``false``, numbers and text as stored.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import sqlalchemy as sa

from shopcare.services.export.tables import TablePlan, batches, driver_batches, sqlite_iso

MAX_SQLITE_COLUMNS = 60
"""``json_object`` takes at most 127 arguments (two a column) in SQLite's default build."""


def json_batches(connection: sa.Connection, plan: TablePlan) -> Iterator[tuple[int, bytes]]:
    """(rows, their objects as UTF-8 text) for each batch of the table, in primary-key order."""
    in_sqlite = (
        connection.dialect.name == "sqlite"
        and plan.scrub is None
        and len(plan.columns) <= MAX_SQLITE_COLUMNS
    )
    if in_sqlite:
        for part in driver_batches(connection, _sqlite_objects(plan)):
            yield len(part), ",".join([row[0] for row in part]).encode("utf-8")
        return
    names = plan.columns
    for part in batches(connection, plan):
        text = orjson.dumps([dict(zip(names, row, strict=True)) for row in part])
        yield len(part), text[1:-1]


def _sqlite_objects(plan: TablePlan) -> sa.Select[tuple[str]]:
    table, pairs = plan.table, []
    for i, name in enumerate(plan.columns):
        column = table.c[name]
        if i in plan.times:
            value = sqlite_iso(column)
        elif i in plan.flags:  # stored as 0 or 1; json() makes the words JSON, not text
            words = sa.case((column.is_(None), "null"), (column != 0, "true"), else_="false")
            value = sa.func.json(words)
        else:
            value = column
        pairs += [sa.literal(name), value]
    return sa.select(sa.func.json_object(*pairs)).order_by(*table.primary_key)
