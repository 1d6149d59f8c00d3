"""0019 gives every credit issued before it a balance: nothing recorded a redemption then, so
each is still worth what it was issued for, with no expiry."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from shopcare.config import Settings
from shopcare.db.engine import make_engine
from shopcare.db.migrate import run, upgrade
from tests.store import on_postgres, pristine_store

pytestmark = pristine_store  # it migrates from 0018, not from an emptied HEAD schema


def test_credits_issued_before_the_balance_keep_their_whole_amount(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    run(engine, command.upgrade, "0018")
    with engine.connect() as c:
        c.exec_driver_sql(  # the credit rows alone are enough here: no foreign keys checked
            "SET session_replication_role = replica" if on_postgres() else "PRAGMA foreign_keys=OFF"
        )
        c.execute(
            sa.text(
                "INSERT INTO store_credit (id, code, return_id, amount_minor, currency, created_at)"
                " VALUES (1, 'CREDIT-AAAA-BBBB', 1, 4400, 'EUR', '2026-11-01 10:00:00'),"
                " (2, 'CREDIT-CCCC-DDDD', 2, 1250, 'GBP', '2026-11-02 10:00:00')"
            )
        )
        c.commit()
    engine.dispose()
    upgrade(engine)
    with engine.connect() as c:
        rows = c.execute(
            sa.text(
                "SELECT code, balance_minor, expires_at, voided_at FROM store_credit ORDER BY id"
            )
        ).all()
        assert c.execute(sa.text("SELECT count(*) FROM store_credit_redemption")).scalar() == 0
    assert [tuple(r) for r in rows] == [
        ("CREDIT-AAAA-BBBB", 4400, None, None),
        ("CREDIT-CCCC-DDDD", 1250, None, None),
    ]
    engine.dispose()
