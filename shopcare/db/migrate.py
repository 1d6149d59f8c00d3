"""Schema upgrades through Alembic, run on every start so the store always matches the code.

A store already at ``HEAD`` (every start but the first after an upgrade) is recognised by one
query, without loading Alembic and its templates (~45 ms of each start)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import SQLModel

import shopcare.db.models  # noqa: F401  (the tables, for a new store)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0023"
"""The newest migration's revision (``tests/test_migrations.py`` checks it is Alembic's)."""
_VERSION = sa.Table(  # as Alembic makes it
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def alembic_config(engine: sa.Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine) -> None:
    """Bring the store to the current schema. A new, empty store is made from the models in
    one step and stamped as current (Alembic's advice for new databases: replaying every
    migration, each copying tables on SQLite, took 0.4 s on each first start); a store with
    tables is migrated. ``tests/test_migrations.py`` checks that both give the same schema."""
    with engine.connect() as connection:
        empty = not sa.inspect(connection).get_table_names()
        current = None if empty else stored_revision(connection)
    if empty:
        with engine.begin() as connection:
            SQLModel.metadata.create_all(connection)
            _VERSION.create(connection)
            connection.execute(_VERSION.insert().values(version_num=HEAD))
    elif current != HEAD:
        from alembic import command

        run(engine, command.upgrade, "head")


def stored_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.select(_VERSION.c.version_num)).scalar()


def run(engine: sa.Engine, action: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run an Alembic command on one connection. On SQLite, foreign keys are off meanwhile:
    altering a table there means copying it, which existing references would refuse."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        try:
            action(config, *args, **kwargs)
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def is_current(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return stored_revision(connection) == HEAD


def alembic_head(engine: sa.Engine) -> str | None:
    """The head as Alembic reads it from the migration files (for the test of ``HEAD``)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
