"""Reading every table for the export: in primary-key order, a batch at a time from one
cursor (SQLite steps it lazily; PostgreSQL gets a server-side cursor), so memory stays the
same at 100 rows or 10 million, and all tables from one snapshot, so the CSV files, the JSON
document and the manifest's counts agree even while the shop keeps taking orders.

Values leave as stored: money in minor units, statuses as their words, JSON settings as
their text; times, stored in UTC, as ISO 8601 with microseconds and offset
(``2026-11-02T09:00:00.000000+00:00``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

import shopcare.db.models  # noqa: F401  (every table, registered on the metadata)
from shopcare.services.export.withheld import RowScrub, left_out, row_scrub

BATCH = 2_000
"""Rows fetched at a time: big enough that the per-batch cost vanishes, small enough that
memory does not notice."""

Row = Sequence[Any]


@dataclass(frozen=True)
class TablePlan:
    name: str
    table: sa.Table
    columns: tuple[str, ...]
    """What is exported, in the model's order: every column but the secret ones."""
    left_out: tuple[str, ...]
    times: tuple[int, ...]
    """Positions of the date-time columns (written as ISO 8601)."""
    flags: tuple[int, ...]
    """Positions of the booleans (``true``/``false`` in CSV)."""
    scrub: RowScrub | None


def table_plans() -> list[TablePlan]:
    """Every table of the models, by name (``alembic_version`` is the manifest's revision)."""
    return [_plan(t) for t in sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name)]


def _plan(table: sa.Table) -> TablePlan:
    withheld = left_out(table.name)
    columns = [c for c in table.columns if c.name not in withheld]
    return TablePlan(
        name=table.name,
        table=table,
        columns=tuple(c.name for c in columns),
        left_out=tuple(c.name for c in table.columns if c.name in withheld),
        times=tuple(i for i, c in enumerate(columns) if _python_type(c) is datetime),
        flags=tuple(i for i, c in enumerate(columns) if _python_type(c) is bool),
        scrub=row_scrub(table.name),
    )


def _python_type(column: sa.Column[Any]) -> type | None:
    """What the column's values are in Python (SQLModel's times are a type decorator)."""
    kind = column.type
    try:
        return getattr(kind, "impl", kind).python_type
    except NotImplementedError:
        return None


def open_snapshot(session: Session) -> sa.Connection:
    """The session's connection, reading one snapshot of the store until the session ends.
    Python's sqlite3 opens a transaction only before a write, so each SELECT would see the
    store as it is at that moment: an explicit BEGIN holds one read view (WAL lets the app
    write meanwhile). Other databases get REPEATABLE READ."""
    if session.get_bind().dialect.name != "sqlite":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN")
    return connection


def count_rows(connection: sa.Connection, plan: TablePlan) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(plan.table)).scalar_one())


def batches(connection: sa.Connection, plan: TablePlan) -> Iterator[list[Row]]:
    """The table's rows in primary-key order, ``BATCH`` at a time: times as ISO text,
    booleans as ``bool``, secrets blanked (``withheld``)."""
    if connection.dialect.name == "sqlite":
        parts, convert = _sqlite_rows(connection, plan), _converter(plan, flags=plan.flags)
    else:
        parts, convert = _streamed_rows(connection, plan), _converter(plan, times=plan.times)
    for part in parts:
        yield part if convert is None else [convert(row) for row in part]


def _sqlite_rows(connection: sa.Connection, plan: TablePlan) -> Iterator[list[Row]]:
    table = plan.table
    columns = [
        sqlite_iso(table.c[name]).label(name) if i in plan.times else table.c[name]
        for i, name in enumerate(plan.columns)
    ]
    return driver_batches(connection, sa.select(*columns).order_by(*table.primary_key))


def driver_batches(connection: sa.Connection, query: sa.Select[Any]) -> Iterator[list[Row]]:
    """``query`` on SQLite straight from the driver's cursor, which steps through the table
    as it is read, ``BATCH`` rows at a time: SQLAlchemy's result rows cost a fifth of the
    export and add nothing here."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        while part := cursor.fetchmany(BATCH):
            yield list(part)
    finally:
        cursor.close()


def _streamed_rows(connection: sa.Connection, plan: TablePlan) -> Iterator[list[Row]]:
    """A server-side cursor (PostgreSQL), ``BATCH`` rows a trip."""
    table = plan.table
    query = sa.select(*(table.c[name] for name in plan.columns)).order_by(*table.primary_key)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    yield from result.partitions()  # type: ignore[misc]


def sqlite_iso(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """SQLite keeps times as text, ``2026-11-02 09:00:00.000000`` in UTC (SQLAlchemy's
    form): made ISO 8601 by SQLite itself, at no cost per row in Python (parsing each into a
    ``datetime`` and formatting it back took two thirds of the export's time). Text in any
    other form is left as stored."""
    text = sa.type_coerce(column, sa.types.NullType())
    day, rest = sa.func.substr(text, 1, 10), sa.func.substr(text, 12)
    iso_text = day.op("||")("T").op("||")(rest).op("||")("+00:00")
    shaped = sa.and_(sa.func.length(text).in_([19, 26]), sa.func.substr(text, 11, 1) == " ")
    return sa.case((shaped, iso_text), else_=text)


def _converter(
    plan: TablePlan, *, times: tuple[int, ...] = (), flags: tuple[int, ...] = ()
) -> Callable[[Row], Row] | None:
    """What each row needs in Python; None when nothing (most tables: the cheapest path)."""
    if not times and not flags and plan.scrub is None:
        return None
    scrub, names = plan.scrub, plan.columns

    def convert(row: Row) -> Row:
        values = list(row)
        for i in times:
            if values[i] is not None:
                values[i] = iso(values[i])
        for i in flags:
            if values[i] is not None:
                values[i] = bool(values[i])
        if scrub is not None:
            named = dict(zip(names, values, strict=True))
            scrub(named)
            values = [named[name] for name in names]
        return values

    return convert


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and offset, as SQLite's stored text becomes (so both
    databases export the same text); a naive time is UTC, as the store keeps them all."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds")
