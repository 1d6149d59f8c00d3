from pathlib import Path

import sqlalchemy as sa
from alembic import command

from shopcare.config import Settings
from shopcare.db.engine import make_engine
from shopcare.db.migrate import HEAD, alembic_head, is_current, run, upgrade
from tests.store import fresh_database, on_postgres, pristine_store, sqlite_only

pytestmark = pristine_store  # each test migrates from nothing, or from an old revision


def test_migrations_build_exactly_the_schema_of_the_models(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    run(engine, command.upgrade, "head")  # every migration, as an old store meets them
    assert is_current(engine)
    run(engine, command.check)  # raises if models and migrations differ
    upgrade(engine)  # a second start changes nothing


def test_a_new_store_is_made_from_the_models_with_the_schema_the_migrations_build(
    settings: Settings, tmp_path: Path, worker_id: str
) -> None:
    """A new store skips the migrations; it must end exactly where they would (on the same
    kind of database: a second one of the test's PostgreSQL server, or a second SQLite file)."""
    fresh = make_engine(settings.database_url)
    upgrade(fresh)
    assert is_current(fresh)
    run(fresh, command.check)
    other = (
        fresh_database(f"{worker_id}_migrated", pristine=True)
        if on_postgres()
        else f"sqlite:///{tmp_path / 'migrated.db'}"
    )
    migrated = make_engine(other)
    run(migrated, command.upgrade, "head")
    assert _schema(fresh) == _schema(migrated)
    for engine in (fresh, migrated):  # reflection skips expression indexes: read them
        assert "lower(name)" in _index_sql(engine, "ix_customer_name_lower")
        engine.dispose()


def _index_sql(engine: sa.Engine, name: str) -> str:
    query = (
        "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        if engine.dialect.name == "postgresql"
        else "SELECT sql FROM sqlite_master WHERE name = :name"
    )
    with engine.connect() as connection:
        found = str(connection.execute(sa.text(query), {"name": name}).scalar())
    return found.replace("((name)::text)", "(name)")  # PostgreSQL's own spelling


def _schema(engine: sa.Engine) -> dict[str, object]:
    """Tables with their columns (name, type, nullable; migrations add new columns last, so
    their order is not compared), indexes, unique constraints and foreign keys."""
    inspector = sa.inspect(engine)
    return {
        table: (
            sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            sorted(
                (i["name"], tuple(i["column_names"]), i["unique"])
                for i in inspector.get_indexes(table)
            ),
            sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
        )
        for table in sorted(inspector.get_table_names())
    }


@sqlite_only  # SQLite's own journal and locking settings
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
        assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_an_existing_store_upgrades_in_place_and_keeps_its_data(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    run(engine, command.upgrade, "0001")
    with engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO customer (id, email, name, locale, created_at) "
                "VALUES (1, 'a@example.com', '', 'en', '2026-11-01 10:00:00')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO shop_order (id, order_number, customer_id, email, placed_at, currency,"
                " total_minor, ship_name, ship_address1, ship_city, ship_postcode, ship_country,"
                " source, public_token, created_at) VALUES (1, '1001', 1, 'a@example.com',"
                " '2026-11-01 10:00:00', 'EUR', 0, '', '', '', '', '', 'manual', 'tok',"
                " '2026-11-01 10:00:00')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO shipment (id, order_id, carrier, tracking_number, status, shipped_at,"
                " poll_failures, last_error, created_at) VALUES (1, 1, 'dhl', 'JD1', 'in_transit',"
                " '2026-11-01 10:00:00', 0, '', '2026-11-01 10:00:00')"
            )
        )
    upgrade(engine)
    with engine.connect() as c:
        row = c.execute(
            sa.text("SELECT status, carrier_code, carrier_pinned, delayed FROM shipment")
        ).one()
    assert tuple(row) == ("in_transit", "", 0, 0)


def test_head_is_the_newest_migration(settings: Settings) -> None:
    """``HEAD`` lets a current store start without loading Alembic: it must be Alembic's."""
    engine = make_engine(settings.database_url)
    assert alembic_head(engine) == HEAD
    upgrade(engine)
    assert is_current(engine)
    engine.dispose()


def test_a_return_history_written_before_user_names_reads_the_same_after(
    settings: Settings,
) -> None:
    """0013 widens ``return_event.actor`` for admins' user names; old rows keep "owner"."""
    engine = make_engine(settings.database_url)
    run(engine, command.upgrade, "0012")
    with engine.connect() as c:
        c.exec_driver_sql(  # the history row alone is enough here: no foreign keys checked
            "SET session_replication_role = replica" if on_postgres() else "PRAGMA foreign_keys=OFF"
        )
        c.execute(
            sa.text(
                "INSERT INTO return_event (id, return_id, at, actor, action, detail)"
                " VALUES (1, 1, '2026-11-01 10:00:00', 'owner', 'approved', '')"
            )
        )
        c.commit()
    engine.dispose()  # a fresh connection, with foreign keys checked again
    upgrade(engine)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT actor FROM return_event")).scalar() == "owner"
        actor = {col["name"]: col for col in sa.inspect(c).get_columns("return_event")}["actor"]
    assert actor["type"].length == 100  # a user name of up to 100 characters fits
    engine.dispose()
