"""The tracking side of the admin GUI: carrier accounts, provider pauses, tracking settings,
and what the owner sees and does on one parcel.

Same set-up as ``test_admin.py``: a demo shop and a signed-in owner per test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import ProviderState, Shipment, TrackingEvent
from shopcare.services.tracking.carrier_accounts import MASK
from tests.conftest import free_port
from tests.ui.admin_support import only, open_dashboard, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
ADAPTERS = ("17TRACK", "AfterShip", "Ship24", "UPS", "USPS", "FedEx", "DHL", "EasyPost", "Shippo")


def pause(name: str, reason: str) -> None:
    """As the poller leaves a provider that refused our credentials."""
    app = build(load_settings())
    with transaction(app.sessions) as session:
        session.add(ProviderState(name=name, paused_reason=reason, errors_today=1))
    app.engine.dispose()


def change_shipment(shipment_id: int, **values: object) -> None:
    app = build(load_settings())
    with transaction(app.sessions) as session:
        shipment = session.get(Shipment, shipment_id)
        assert shipment is not None
        for name, value in values.items():
            setattr(shipment, name, value)
        session.add(shipment)
    app.engine.dispose()


def hold_every_parcel() -> None:
    """Out of the scheduler's reach, so what the test sets stays as set."""
    app = build(load_settings())
    with transaction(app.sessions) as session:
        session.execute(sa.update(Shipment).values(next_poll_at=datetime(2100, 1, 1, tzinfo=UTC)))
    app.engine.dispose()


def forget_events(shipment_id: int) -> None:
    app = build(load_settings())
    with transaction(app.sessions) as session:
        session.execute(sa.delete(TrackingEvent).where(TrackingEvent.shipment_id == shipment_id))
    app.engine.dispose()


async def eventually_text(user: User, marker: str, wanted: str) -> str:
    for _ in range(50):
        text = only(user, ui.label, marker).text
        if wanted in text:
            return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker!r} never showed {wanted!r}: {text!r}")


async def test_the_carriers_page_has_a_card_for_every_adapter(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    for label in ADAPTERS:
        await user.should_see(label)
    assert len(user.find(marker="account-dhl").elements) == 1
    webhook = only(user, ui.label, "aftership-webhook").text
    assert webhook == "http://127.0.0.1:8080/webhooks/carrier/aftership"
    await user.should_not_see(marker="dhl-webhook")
    await user.should_see("No provider has been asked anything yet.")


async def test_an_enabled_account_needs_its_credentials(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    user.find(marker="dhl-enabled").click()
    user.find(marker="dhl-save").click()
    assert user.notify.contains("DHL needs: API key")


async def test_a_saved_secret_comes_back_masked(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    user.find(marker="dhl-enabled").click()
    user.find(marker="dhl-api_key").type("dhl-secret-key")
    user.find(marker="dhl-save").click()
    assert user.notify.contains("DHL saved")
    assert only(user, ui.input, "dhl-api_key").value == MASK
    await user.open("/admin/carriers")
    assert only(user, ui.input, "dhl-api_key").value == MASK
    assert only(user, ui.switch, "dhl-enabled").value is True
    assert only(user, ui.switch, "ups-enabled").value is False
    user.find(marker="dhl-save").click()  # the masked secret is kept, not replaced
    assert user.notify.contains("DHL saved")


async def test_a_failed_connection_test_says_why(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    user.find(marker="dhl-enabled").click()
    user.find(marker="dhl-api_key").type("dhl-secret-key")
    user.find(marker="dhl-base-url").type(f"http://127.0.0.1:{free_port()}")
    user.find(marker="dhl-save").click()
    user.find(marker="dhl-test").click()
    text = await eventually_text(user, "dhl-test-result", "failed:")
    assert "cannot connect" in text
    assert "text-negative" in only(user, ui.label, "dhl-test-result").classes


async def test_a_paused_provider_is_announced_until_dismissed(user: User) -> None:
    pause("dhl", "DHL refused the API key (401)")
    await sign_in(user)
    await user.open("/admin")
    await user.should_see("DHL is paused: DHL refused the API key (401). Fix the account")
    user.find(marker="dismiss-dhl").click()
    await user.should_not_see("DHL is paused")
    await user.open("/admin")
    await user.should_see("Needs action now")
    await user.should_not_see("DHL is paused")


async def test_a_paused_provider_can_be_resumed(user: User) -> None:
    pause("ups", "UPS refused the client secret (401)")
    await sign_in(user)
    await user.open("/admin/carriers")
    table = only(user, ui.table, "provider-health")
    assert table.rows[0]["paused"] == "UPS refused the client secret (401)"
    user.find(marker="resume-ups").click()
    assert user.notify.contains("UPS resumed")
    await user.should_not_see(marker="resume-ups")
    assert only(user, ui.table, "provider-health").rows[0]["paused"] == "—"


async def test_a_delayed_parcel_is_counted_and_flagged(user: User) -> None:
    hold_every_parcel()  # the demo's late parcels may turn delayed on their own meanwhile
    await sign_in(user)
    await open_dashboard(user)
    before = int(only(user, ui.label, "action-delayed-value").text)
    change_shipment(1, delayed=True, stall_reason="no_movement")  # on time, never delayed
    await open_dashboard(user)
    assert only(user, ui.label, "action-delayed-value").text == str(before + 1)
    await user.open("/admin/orders/1")
    assert only(user, ui.badge, "delayed-1").text == "Delayed (no movement)"


async def test_an_expired_parcel_can_be_followed_again(user: User) -> None:
    change_shipment(2, status="expired", next_poll_at=None)
    await sign_in(user)
    await user.open("/admin/orders/2")
    user.find(marker="retrack-2").click()
    assert user.notify.contains("Following SIMFAIL100002 again")
    await user.should_not_see(marker="retrack-2")


async def test_tracking_settings_are_saved_and_kept(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/tracking")
    await user.should_see("asked every 45 minutes between 05:00 and 13:00")
    user.find(marker="expire-days").clear().type("45")
    user.find(marker="cadence-in_transit").clear().type("6")
    user.find(marker="holidays").type("2026-12-26\n2026-12-25\n")
    user.find(marker="save-tracking").click()
    assert user.notify.contains("Tracking settings saved")
    await user.open("/admin/tracking")
    assert only(user, ui.number, "expire-days").value == 45
    assert only(user, ui.number, "cadence-in_transit").value == 6
    assert only(user, ui.textarea, "holidays").value == "2026-12-25\n2026-12-26"


async def test_tracking_settings_refuse_what_makes_no_sense(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/tracking")
    user.find(marker="holidays").type("25.12.2026")
    user.find(marker="save-tracking").click()
    assert user.notify.contains("holidays must be dates like 2026-12-25")
    user.find(marker="holidays").clear()
    user.find(marker="transit-days-min").clear().type("9")
    user.find(marker="save-tracking").click()
    assert user.notify.contains("the fastest must not exceed the slowest")
    await user.open("/admin/tracking")
    assert only(user, ui.number, "transit-days-min").value == 2


async def test_refresh_now_asks_the_carrier_and_shows_the_estimate(user: User) -> None:
    # Out of the scheduler's way and with no scans yet, so the carrier surely has news.
    change_shipment(1, next_poll_at=datetime(2100, 1, 1, tzinfo=UTC))
    forget_events(1)
    await sign_in(user)
    await user.open("/admin/orders/1")
    await user.should_see("Order 1001")
    user.find(marker="refresh-1").click()
    for _ in range(50):
        if user.notify.contains("Simulated carrier"):
            break
        await asyncio.sleep(0.1)
    assert user.notify.contains("new scan(s) from Simulated carrier")
    await user.should_see(marker="estimate-1")  # the redraw follows the notice
    await eventually_text(user, "estimate-1", "Expected by ")


async def test_a_changed_carrier_survives_the_refresh_while_typing(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/1")
    user.find(marker="change-carrier-1").click()
    user.find(marker="change-carrier-code").type("SimPost")
    for timer in user.find(ui.timer).elements:  # the page's periodic redraw, now
        timer.callback()
    assert only(user, ui.input, "change-carrier-code").value == "SimPost"
    user.find(marker="change-carrier-save").click()
    assert user.notify.contains("Carrier changed")
    await user.should_see("via Simulated carrier as simpost · chosen by you")


async def test_a_number_no_account_follows_is_saved_to_wait_for_one(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/orders/new")
    assert only(user, ui.select, "carrier").value == ""
    await user.should_see("Detect from the number")
    fields = {
        "order-number": "2003",
        "email": "mia@example.com",
        "item-1-title": "Mug",
        "item-1-price": "4",
        "tracking": "1Z999AA10123456784",
    }
    for marker, text in fields.items():
        user.find(marker=marker).type(text)
    await user.should_see("Looks like UPS — no carrier account can follow this yet")
    user.find(marker="create-order").click()
    await user.should_see(marker="add-parcel")
    await user.should_see("No carrier account can follow this yet")
