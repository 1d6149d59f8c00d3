"""Users and roles in the admin: the owner adds a staff account; staff see and open the daily
work only, and a settings page answers them with a plain 403 that says why."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.domain.roles import Role
from shopcare.ui.admin.layout import nav_for
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
STAFF_PASSWORD = "staff password 1234"


async def test_staff_open_the_daily_work_but_no_settings(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/users")
    only(user, ui.input, "new-username").set_value("bo")
    only(user, ui.input, "new-password").set_value(STAFF_PASSWORD)
    user.find(marker="add-user").click()
    await user.should_see("Account bo added")
    await user.should_see(marker="user-bo")
    assert only(user, ui.select, "role-bo").value == "staff"

    await user.http_client.post("/admin/logout")
    form = {"username": "bo", "password": STAFF_PASSWORD, "next": "/admin"}
    signed = await user.http_client.post("/admin/login", data=form)
    assert signed.status_code == 303
    for path in ("/admin/shop", "/admin/users", "/admin/api-keys", "/admin/email"):
        refused = await user.http_client.get(path)
        assert refused.status_code == 403, path
        assert "Only the shop&#x27;s owner can open this page" in refused.text or (
            "Only the shop's owner can open this page" in refused.text
        ), path
    assert (await user.http_client.get("/admin/orders")).status_code == 200


def test_staff_navigation_offers_only_what_they_may_open() -> None:
    staff = dict(nav_for(Role.STAFF))
    assert list(staff) == ["Orders", "Messages", "Insight"]
    assert [label for label, _ in staff["Messages"]] == ["Message log", "Mailbox"]
    owner = dict(nav_for(Role.OWNER))
    assert "Settings" in owner and ("Users", "/admin/users") in owner["Settings"]


async def test_the_owner_sees_settings_and_cannot_demote_themselves(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/users")
    await user.should_see(marker="nav-settings")
    await user.should_see("(you)")
    assert not only(user, ui.select, "role-owner").enabled
