"""Which store the suite runs on: SQLite files (the default), or PostgreSQL when
``SHOPCARE_TEST_POSTGRES`` names a server (``postgresql+psycopg://user@host:port``), as
``.ci/run``'s second run does.

On PostgreSQL each xdist worker has its own database, emptied before every test (its
schema dropped, after ending whatever connections earlier tests left open), so tests stay
as independent as with one SQLite file each.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from shopcare.services.insight import day_chunks
from shopcare.services.offers.cache import forget_offers_at
from shopcare.services.shopper_site.view_counts import discard_pending

SERVER = os.environ.get("SHOPCARE_TEST_POSTGRES", "").rstrip("/")

sqlite_only = pytest.mark.skipif(
    bool(SERVER), reason="about the SQLite file itself (PostgreSQL has its own tools)"
)


def on_postgres() -> bool:
    return bool(SERVER)


def fresh_database(worker: str) -> str:
    """The URL of this worker's database, empty."""
    run = os.environ.get("SHOPCARE_TEST_PG_PREFIX", "run")  # two suites on one server
    name = f"shopcare_test_{run}_{worker}".replace("-", "_")
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    url = f"{SERVER}/{name}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    discard_pending(url)  # what an earlier test left in memory for the same address
    forget_offers_at(url)
    day_chunks.forget()  # the dashboard's settled months, kept by the store's address
    return url


def lasting_store(worker: str, name: str) -> str | None:
    """A store for a fixture that outlives one test (a server for a module or package): on
    PostgreSQL a database of its own, which the per-test emptying does not touch; None on
    SQLite, where the fixture's data dir holds its store."""
    return fresh_database(f"{worker}_{name}") if SERVER else None


def child_env(**values: str) -> dict[str, str]:
    """A subprocess's whole environment: ``values`` plus the test's store, so a ``shopcare``
    command a test runs works on the same database as the test."""
    url = os.environ.get("SHOPCARE_DATABASE_URL")
    return {"PATH": "/usr/bin:/bin", **values, **({"SHOPCARE_DATABASE_URL": url} if url else {})}


postgres_only = pytest.mark.skipif(
    not SERVER, reason="several processes share a store on PostgreSQL (SHOPCARE_TEST_POSTGRES)"
)


def every_row_as_text(engine: sa.Engine) -> str:
    """The whole store as text, as a dump would hold it (SQLite's ``iterdump``; on
    PostgreSQL each row of each table cast to text): for tests that a secret is not in it."""
    with engine.connect() as db:
        if engine.dialect.name == "sqlite":
            return "\n".join(db.connection.driver_connection.iterdump())  # type: ignore[union-attr]
        return "\n".join(
            str(row[0])
            for name in sa.inspect(db).get_table_names()
            for row in db.exec_driver_sql(f'SELECT t::text FROM "{name}" t')
        )
