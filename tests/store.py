"""Which store the suite runs on: SQLite files (the default), or PostgreSQL when
``SHOPCARE_TEST_POSTGRES`` names a server (``postgresql+psycopg://user@host:port``), as
``.ci/run``'s second run does.

On PostgreSQL each xdist worker has its own database, emptied before every test (its
tables truncated, or its schema dropped when a test changed it or marks itself
``pristine_store``; after ending whatever connections earlier tests left open), so tests
stay as independent as with one SQLite file each.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import shopcare.db.models  # noqa: F401 - every table in SQLModel.metadata
from shopcare.db.migrate import HEAD
from shopcare.services.insight import day_chunks
from shopcare.services.offers.cache import forget_offers_at
from shopcare.services.shopper_site.view_counts import discard_pending

SERVER = os.environ.get("SHOPCARE_TEST_POSTGRES", "").rstrip("/")

sqlite_only = pytest.mark.skipif(
    bool(SERVER), reason="about the SQLite file itself (PostgreSQL has its own tools)"
)


STORE_INDEPENDENT = (
    "domain",  # pure rules: the architecture test keeps the store out of shopcare.domain
    "adapters",  # carriers, senders, templates: adapters may not import the store either
    "pdf",  # the slips' bytes, from an order read back
    "browser",  # what Chromium shows (CSP, axe, layout), over pages tests/ui runs on both
    "e2e/test_request_bodies.py",  # body caps, in front of everything (its server: SQLite)
    "test_architecture.py",
    "test_dockerfile.py",
    "test_operations_docs.py",
)
"""Folders and modules under tests/ whose outcome does not depend on the database behind the
store: marked ``store_independent`` (``tests/conftest.py``), so CI's PostgreSQL run, which
is there for what the store does, leaves them out (``-m "not store_independent"``)."""


def store_independent(path: Path) -> bool:
    """Whether the test module at ``path`` is one of ``STORE_INDEPENDENT``."""
    parts = path.relative_to(Path(__file__).parent).parts
    return any(parts[: len(p.split("/"))] == tuple(p.split("/")) for p in STORE_INDEPENDENT)


pristine_store = pytest.mark.pristine_store
"""On PostgreSQL, the test's database starts with no schema at all (the migration tests
build it from nothing), not with the tables emptied."""


def on_postgres() -> bool:
    return bool(SERVER)


_made: set[str] = set()
"""The databases this process has made sure exist (one round trip to ``postgres`` each)."""


def fresh_database(worker: str, *, pristine: bool = False) -> str:
    """The URL of this worker's database, empty: its tables emptied (``TRUNCATE``, a tenth
    of the time of building them again) when they are exactly what ``upgrade`` makes, else,
    or when ``pristine``, its schema dropped (a test that migrates from nothing)."""
    run = os.environ.get("SHOPCARE_TEST_PG_PREFIX", "run")  # two suites on one server
    name = f"shopcare_test_{run}_{worker}".replace("-", "_")
    if name not in _made:
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
        _made.add(name)
    url = f"{SERVER}/{name}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            tables = _tables(connection)
            if not pristine and tables is not None:
                if tables:
                    listed = ", ".join(f'"{t}"' for t in sorted(tables))
                    connection.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
            else:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    discard_pending(url)  # what an earlier test left in memory for the same address
    forget_offers_at(url)
    day_chunks.forget()  # the dashboard's settled months, kept by the store's address
    return url


def _tables(connection: sa.Connection) -> set[str] | None:
    """The tables to empty when the schema is nothing, or exactly the models' at ``HEAD``
    with nothing a test added (a trigger, a function); None when it must be dropped."""
    found = set(
        connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).scalars()
    )
    if not found:
        return set()
    if found != {*SQLModel.metadata.tables, "alembic_version"}:
        return None
    added = connection.exec_driver_sql(
        "SELECT (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)"
        " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        "    WHERE n.nspname = 'public')"
    ).scalar()
    revision = connection.exec_driver_sql("SELECT max(version_num) FROM alembic_version").scalar()
    return found - {"alembic_version"} if added == 0 and revision == HEAD else None


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
