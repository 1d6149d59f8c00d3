import sqlalchemy as sa
from alembic import command

from shopcare.config import Settings
from shopcare.db.engine import make_engine
from shopcare.db.migrate import alembic_config, is_current, upgrade


def test_migrations_build_exactly_the_schema_of_the_models(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    assert is_current(engine)
    command.check(alembic_config(engine))  # raises if models and migrations differ
    upgrade(engine)  # a second start changes nothing


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
        assert c.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
