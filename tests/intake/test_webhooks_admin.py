"""The owner's list of webhook deliveries (NiceGUI's simulated user on the demo shop): what
arrived, for which order, and why one failed; one left unapplied by a stop is applied when
the app starts."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.accounts.auth import set_password
from shopcare.services.intake.webhooks import (
    apply_delivery,
    receive_delivery,
    set_webhook_secret,
)
from tests.intake.webhook_helpers import payload, signature
from tests.ui.admin_support import OWNER, PASSWORD, sign_in

SECRET = "shpss_admin"


def _headers(body: bytes, webhook_id: str, topic: str) -> dict[str, str]:
    return {
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": signature(body, SECRET),
        "x-shopify-webhook-id": webhook_id,
    }


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo shop with three deliveries: one applied, one failed, one stored but not
    applied (as if the process stopped right after answering)."""
    monkeypatch.setenv("SHOPCARE_DATA_DIR", str(tmp_path))
    for name in ("SHOPCARE_DATABASE_URL", "SHOPCARE_SMTP_URL", "SHOPCARE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    app = build(load_settings(), demo=True)
    now = app.clock()
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=now)
    set_webhook_secret(app.sessions, "shopify", SECRET, now=now)
    order = payload("shopify_order.json")
    order["name"] = "#7001"
    stray = payload("shopify_fulfillment.json") | {"order_id": 1, "name": "#404.1"}
    deliveries = [
        (json.dumps(order).encode(), "w1", "orders/create"),
        (json.dumps(stray).encode(), "w2", "fulfillments/create"),
    ]
    for body, webhook_id, topic in deliveries:
        received = receive_delivery(
            app.sessions, "shopify", _headers(body, webhook_id, topic), body, now=now
        )
        assert received.delivery_id is not None
        apply_delivery(app.sessions, received.delivery_id, now=now, carriers=app.carrier_names)
    late = payload("shopify_order.json")
    late["name"], late["id"] = "#7002", 5880113578299
    body = json.dumps(late).encode()
    receive_delivery(app.sessions, "shopify", _headers(body, "w3", "orders/create"), body, now=now)
    app.engine.dispose()
    yield tmp_path


async def _applied_at_start_up(database: Path, key: str) -> None:
    """Start-up applies what was left waiting in a background task: wait for it (bounded)."""
    for _ in range(100):
        with sqlite3.connect(database) as db:
            (status,) = db.execute(
                "SELECT status FROM webhook_delivery WHERE delivery_key = ?", (key,)
            ).fetchone()
        if status != "received":
            break
        await asyncio.sleep(0.05)
    assert status == "applied"


@pytest.mark.usefixtures("data_dir")
async def test_the_owner_sees_each_delivery_and_why_one_failed(data_dir: Path, user: User) -> None:
    await sign_in(user)
    await _applied_at_start_up(data_dir / "shopcare.db", "w3")
    await user.open("/admin/webhooks")
    await user.should_see("The last 200 deliveries")
    table = user.find(marker="deliveries").elements.pop()
    rows = {row["order"]: row for row in table.rows}
    assert (rows["#7001"]["topic"], rows["#7001"]["result"]) == ("orders/create", "Applied")
    assert rows["#7001"]["platform"] == "Shopify"
    assert (rows["#404"]["topic"], rows["#404"]["result"]) == ("fulfillments/create", "Failed")
    assert "no order #404" in rows["#404"]["error"]
    assert rows["#7002"]["result"] == "Applied"


@pytest.mark.usefixtures("data_dir")
async def test_the_page_is_in_the_navigation(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    user.find("Webhooks").click()
    await user.should_see("The last 200 deliveries")
