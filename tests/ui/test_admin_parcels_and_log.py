"""The parcel list and the message log, one page at a time from the store, on a generated
shop of 2,000 orders (the counts come from the store itself)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import OutboxMessage, Shipment
from shopcare.services.demo.many_orders import seed_many_orders
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("new_shop")
COUNT = 2_000


@pytest.fixture(autouse=True)
def many(new_shop: Path) -> tuple[list[Shipment], list[OutboxMessage]]:
    app = build(load_settings())
    seed_many_orders(app.sessions, COUNT, now=app.clock())
    with app.sessions() as session:
        parcels = list(session.exec(select(Shipment)).all())
        messages = list(session.exec(select(OutboxMessage)).all())
    app.engine.dispose()
    return parcels, messages


async def test_the_parcel_list_pages_and_searches_on_the_server(
    user: User, many: tuple[list[Shipment], list[OutboxMessage]]
) -> None:
    parcels, _ = many
    await sign_in(user)
    await user.open("/admin/parcels")
    table = only(user, ui.table)
    assert table.pagination["rowsNumber"] == len(parcels)
    assert len(table.rows) == 25
    wanted = parcels[100]
    await user.open(f"/admin/parcels?q={wanted.tracking_number.lower()}")
    assert [r["order"] for r in only(user, ui.table).rows] == [f"B{wanted.order_id:07d}"]
    await user.open("/admin/parcels?exception=1&page=2")
    table = only(user, ui.table)
    assert table.pagination["page"] == 2
    assert {r["status"] for r in table.rows} <= {
        "Exception",
        "Failed attempt",
        "Returned to sender",
    }


async def test_the_message_log_shows_failed_messages_one_page_at_a_time(
    user: User, many: tuple[list[Shipment], list[OutboxMessage]]
) -> None:
    _, messages = many
    failed = sum(m.status == "failed" for m in messages)
    await sign_in(user)
    await user.open("/admin/orders")
    user.find(marker="message-log").click()
    await user.should_see(f"{len(messages):,} messages")
    await user.open("/admin/messages/log?status=failed")
    table = only(user, ui.table)
    assert table.pagination["rowsNumber"] == failed > 0
    assert {row["status"] for row in table.rows} == {"Failed"}


async def test_the_message_log_says_what_twilio_reported(
    user: User, new_shop: Path, many: tuple[list[Shipment], list[OutboxMessage]]
) -> None:
    _, messages = many
    newest = max(m.id or 0 for m in messages)
    app = build(load_settings())
    with transaction(app.sessions) as session:
        row = session.get(OutboxMessage, newest)
        assert row is not None
        row.status, row.channel, row.delivery, row.delivery_error = (
            "sent",
            "whatsapp",
            "failed",
            63016,
        )
        session.add(row)
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/messages/log?status=not_delivered")
    (only_one,) = only(user, ui.table).rows
    assert only_one["status"] == (
        "Failed: 63016 — WhatsApp needs an approved template outside the 24-hour window"
    )
