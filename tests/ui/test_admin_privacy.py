"""Settings → Customers' data (issue 15, §5): the owner finds a shopper by email, downloads
the JSON, erases only after typing the address again; retention days are saved; staff
cannot open the page."""

from __future__ import annotations

import json

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import AdminUser, Customer
from shopcare.services.accounts.auth import set_password
from shopcare.services.privacy.retention import retention_settings
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


async def test_find_download_then_erase_with_the_address_typed_again(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/privacy")
    only(user, ui.input, "privacy-email").set_value("nobody@example.com")
    user.find(marker="privacy-search").click()
    await user.should_see("Nothing found for nobody@example.com.")

    only(user, ui.input, "privacy-email").set_value(" Anna@Example.com ")
    user.find(marker="privacy-search").click()
    await user.should_see("Found for anna@example.com:")
    await user.should_see("shop order: 1")
    user.find(marker="privacy-download").click()
    document = json.loads((await user.download.next()).content)
    assert document["tables"]["customer"][0]["name"] == "Anna Schmidt"

    only(user, ui.input, "privacy-confirm").set_value("lucas@example.com")
    user.find(marker="privacy-erase").click()
    await user.should_see("Type the address exactly as shown")
    assert {"Anna Schmidt", "Lucas Martin"} <= _customer_names()

    only(user, ui.input, "privacy-confirm").set_value("anna@example.com")
    user.find(marker="privacy-erase").click()
    await user.should_see("Erased anna@example.com")
    assert "Anna Schmidt" not in _customer_names() and "Lucas Martin" in _customer_names()
    user.find(marker="privacy-search").click()
    await user.should_see("Nothing found for anna@example.com.")
    await user.open("/admin/orders/1")  # the erased order still opens, and says why it is bare
    await user.should_see("Shopper's data erased")


def _customer_names() -> set[str]:
    app = build(load_settings())
    with app.sessions() as session:
        names = set(session.exec(select(Customer.name)).all())
    app.engine.dispose()
    return names


async def test_retention_days_are_saved_and_checked(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/privacy")
    only(user, ui.number, "retention-photos").set_value(-3)
    user.find(marker="retention-save").click()
    await user.should_see("Days must be 0 (keep forever) or more.")
    only(user, ui.number, "retention-photos").set_value(90)
    only(user, ui.number, "retention-messages").set_value(None)
    user.find(marker="retention-save").click()
    await user.should_see("Saved")
    app = build(load_settings())
    saved = retention_settings(app.sessions)
    app.engine.dispose()
    assert (saved.photo_days, saved.message_days) == (90, 0)


async def test_staff_cannot_open_the_page(user: User) -> None:
    app = build(load_settings())
    set_password(app.sessions, username="bo", password="staff password 1234", now=app.clock())
    with transaction(app.sessions) as session:
        staff = session.exec(select(AdminUser).where(AdminUser.username == "bo")).one()
        staff.role = "staff"
        session.add(staff)
    app.engine.dispose()
    form = {"username": "bo", "password": "staff password 1234", "next": "/admin"}
    assert (await user.http_client.post("/admin/login", data=form)).status_code == 303
    assert (await user.http_client.get("/admin/privacy")).status_code == 403
