"""``shopcare migrate-store --to postgresql+psycopg://…``: the shop's SQLite store copied
into an empty PostgreSQL one, for the shop that outgrows one file and one process.

Both are brought to the current schema first (the same Alembic migrations), then every
table is copied in foreign-key order a batch at a time, PostgreSQL's id sequences are moved
past the copied ids, and each table is compared: row count, and a SHA-256 over its rows read
back from both sides in id order. Nothing is written to the source; a target that already
holds rows is refused, so a second run cannot mix two shops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from shopcare.db.engine import make_engine
from shopcare.db.migrate import upgrade
from shopcare.services.errors import InputError

BATCH = 2_000


@dataclass(frozen=True)
class Copied:
    tables: dict[str, int]
    """Rows per table, equal on both sides and with equal checksums."""

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def migrate_store(
    source_url: str, target_url: str, *, progress: Callable[[str, int], None] | None = None
) -> Copied:
    if not target_url.startswith("postgresql"):
        raise InputError("--to takes a PostgreSQL URL: postgresql+psycopg://user:pass@host/db")
    if source_url == target_url:
        raise InputError("the store would be copied onto itself")
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        upgrade(source)
        _refuse_filled(target)
        upgrade(target)
        tables = SQLModel.metadata.sorted_tables
        with source.connect() as read, target.begin() as write:
            for table in tables:
                copied = 0
                for rows in _batches(read, table):
                    write.execute(table.insert(), rows)
                    copied += len(rows)
                if progress is not None:
                    progress(table.name, copied)
            _move_sequences(write, tables)
        found = {}
        with source.connect() as read, target.connect() as check:
            for table in tables:
                mine, theirs = _digest(read, table), _digest(check, table)
                if mine != theirs:
                    raise InputError(
                        f"table {table.name} differs after the copy ({mine[0]} rows here, "
                        f"{theirs[0]} there): the target was changed meanwhile; empty it and rerun"
                    )
                found[table.name] = mine[0]
        return Copied(found)
    finally:
        source.dispose()
        target.dispose()


def _refuse_filled(target: sa.Engine) -> None:
    try:
        with target.connect() as connection:
            names = set(sa.inspect(connection).get_table_names())
            for table in SQLModel.metadata.sorted_tables:
                if (
                    table.name in names
                    and connection.execute(
                        sa.select(sa.literal(1)).select_from(table).limit(1)
                    ).first()
                ):
                    raise InputError(
                        f"the target already holds a store (table {table.name} has rows): "
                        "give an empty database"
                    )
    except sa.exc.OperationalError as exc:
        raise InputError(f"cannot reach the target database: {exc.orig}") from None


def _order(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def _batches(connection: sa.Connection, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    result = connection.execution_options(stream_results=True).execute(
        sa.select(table).order_by(*_order(table))
    )
    while rows := result.mappings().fetchmany(BATCH):
        yield [dict(row) for row in rows]


def _move_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """Ids were copied as they were: each table's sequence goes on after its largest."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, sa.Integer) and key[0].autoincrement:
            largest = connection.execute(sa.select(sa.func.max(key[0]))).scalar() or 0
            connection.execute(
                sa.select(
                    sa.func.setval(
                        sa.func.pg_get_serial_sequence(table.name, key[0].name), largest + 1, False
                    )
                )
            )


def _digest(connection: sa.Connection, table: sa.Table) -> tuple[int, str]:
    """Rows and a checksum of their values as Python reads them back (times compared as
    instants, whatever zone form each database returns)."""
    digest = hashlib.sha256()
    count = 0
    for row in connection.execute(sa.select(table).order_by(*_order(table))):
        digest.update(repr(tuple(_plain(v) for v in row)).encode())
        count += 1
    return count, digest.hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value
