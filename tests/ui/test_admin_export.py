"""Settings → Import and export: the owner exports the whole store with one button, watches
its progress (here and in the header, from any page), and downloads the ZIP; staff and
signed-out visitors get no file."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import zipfile

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.domain.roles import Role
from shopcare.services.accounts.users import add_user
from shopcare.services.runtime.long_work import start_work
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
STAFF_PASSWORD = "staff password 1234"


async def until_seen(user: User, marker: str, text: str) -> None:
    """The card re-reads the store on a timer: run its timers until ``text`` shows."""
    for _ in range(200):
        for timer in user.find(ui.timer).elements:
            timer.callback()
        with contextlib.suppress(AssertionError):  # none yet
            if any(text in getattr(e, "text", "") for e in user.find(marker=marker).elements):
                return
        await asyncio.sleep(0.05)
    await user.should_see(text, marker=marker)


async def test_the_owner_exports_everything_and_downloads_the_zip(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/import")
    await user.should_see("Export your data")
    user.find(marker="export-start").click()
    await until_seen(user, "export-summary", "Ready:")
    link = only(user, ui.link, "export-download")
    response = await user.http_client.get(str(link.props["href"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("store.json"))
    assert len(document["tables"]["shop_order"]) == 6  # the demo shop's orders
    assert "shop_order.csv" in archive.namelist()
    assert "password_hash" not in archive.read("admin_user.csv").decode("utf-8-sig")
    assert user.notify.contains("Exporting the whole store: ")  # the header's notice


async def test_an_export_in_progress_shows_its_bar_here_and_in_the_header(user: User) -> None:
    app = build(load_settings())
    start_work(
        app.sessions, kind="export", title="shopcare-export-x.zip", total=10, now=app.clock()
    )
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/returns")
    await user.should_see("1 running")  # the header, on any page
    await user.open("/admin/import")
    # not running in this process (the app was restarted meanwhile): it says so, and the
    # button starts a new one
    await user.should_see("was cut short: export again", marker="export-summary")
    assert only(user, ui.button, "export-start").enabled


async def test_staff_and_signed_out_visitors_get_no_export(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/import")
    user.find(marker="export-start").click()
    await until_seen(user, "export-summary", "Ready:")
    path = str(only(user, ui.link, "export-download").props["href"])
    assert (await user.http_client.get("/admin/export/shopcare.db")).status_code == 404
    await user.http_client.post("/admin/logout")

    anonymous = await user.http_client.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/admin/login")

    app = build(load_settings())
    add_user(app.sessions, username="bo", password=STAFF_PASSWORD, role=Role.STAFF, now=app.clock())
    app.engine.dispose()
    form = {"username": "bo", "password": STAFF_PASSWORD, "next": "/admin"}
    assert (await user.http_client.post("/admin/login", data=form)).status_code == 303
    refused = await user.http_client.get(path)
    assert refused.status_code == 403
    assert not refused.content.startswith(b"PK")
