"""A SQLite store copied into an empty PostgreSQL one: every table, verified, and the copy
works as a store (new rows get new ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.backups.migrate_store import migrate_store
from shopcare.services.errors import InputError
from tests.conftest import FakeClock, set_up_shop
from tests.services.export_store import fill_every_table
from tests.services.helpers import make_order
from tests.store import postgres_only

pytestmark = postgres_only


def test_every_table_arrives_and_the_copy_takes_new_orders(
    tmp_path: Path, store_url: str, clock: FakeClock
) -> None:
    source = build(load_settings({}, data_dir=str(tmp_path / "sqlite")), clock=clock)
    set_up_shop(source)
    fill_every_table(source)
    sqlite_url = source.settings.database_url
    source.engine.dispose()

    copied = migrate_store(sqlite_url, store_url)
    assert all(n > 0 for n in copied.tables.values())  # every table had rows to copy

    settings = load_settings({"SHOPCARE_DATABASE_URL": store_url}, data_dir=str(tmp_path / "pg"))
    moved = build(settings, clock=clock, simulated=True)
    order = make_order(moved, number="AFTER-MOVE", tracking="SIMOK555555")
    assert order.id is not None and order.id > copied.tables["shop_order"]
    moved.engine.dispose()

    with pytest.raises(InputError, match="already holds a store"):
        migrate_store(sqlite_url, store_url)  # never mixes two shops


def test_only_postgresql_is_a_target(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="PostgreSQL URL"):
        migrate_store("sqlite:///a.db", f"sqlite:///{tmp_path / 'b.db'}")
