"""Settings → Backups: back up now, the archive listed and downloaded by the owner only,
the folder and daily switch saved."""

from __future__ import annotations

import asyncio
import io
import zipfile

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.accounts.auth import set_password
from shopcare.services.backups.schedule import backup_settings
from tests.store import sqlite_only
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


@sqlite_only  # an online copy of the SQLite file; PostgreSQL has pg_dump
async def test_back_up_now_then_download_the_archive(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/backups")
    await user.should_see("No backup yet")
    await user.should_see("secret.key")
    user.find(marker="back-up-now").click()
    await user.should_see("Backing up")
    app = build(load_settings())
    folder = app.backup_folder()
    app.engine.dispose()
    for _ in range(200):  # the backup runs in a thread
        if list(folder.glob("shopcare-*.zip")):
            break
        await asyncio.sleep(0.05)
    for timer in user.find(ui.timer).elements:  # the list's periodic look, now
        timer.callback()
    await user.should_see(marker="backups")
    table = only(user, ui.table, "backups")
    name = table.rows[0]["name"]
    assert name.startswith("shopcare-") and name.endswith(".zip")

    archive = await user.http_client.get(f"/admin/backups/{name}")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert {"manifest.json", "store.sqlite3"} <= set(opened.namelist())
    assert (await user.http_client.get("/admin/backups/../secret.key")).status_code in (403, 404)
    assert (await user.http_client.get("/admin/backups/nothing.zip")).status_code == 404


async def test_staff_cannot_open_or_download_backups(user: User) -> None:
    app = build(load_settings())
    set_password(app.sessions, username="bo", password="staff password 1234", now=app.clock())
    from sqlmodel import select

    from shopcare.db.engine import transaction
    from shopcare.db.models import AdminUser

    with transaction(app.sessions) as session:
        staff = session.exec(select(AdminUser).where(AdminUser.username == "bo")).one()
        staff.role = "staff"
        session.add(staff)
    app.engine.dispose()
    form = {"username": "bo", "password": "staff password 1234", "next": "/admin"}
    assert (await user.http_client.post("/admin/login", data=form)).status_code == 303
    assert (await user.http_client.get("/admin/backups")).status_code == 403
    assert (
        await user.http_client.get("/admin/backups/shopcare-20261205-033000.zip")
    ).status_code == 403


async def test_the_folder_must_be_a_full_path_and_is_saved(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/backups")
    only(user, ui.input, "folder").set_value("relative/folder")
    user.find(marker="save").click()
    await user.should_see("must be a full path")
    only(user, ui.input, "folder").set_value("/srv/backups/shop")
    only(user, ui.switch, "daily").set_value(False)
    user.find(marker="save").click()
    await user.should_see("Saved")
    app = build(load_settings())
    saved = backup_settings(app.sessions)
    app.engine.dispose()
    assert (saved.folder, saved.daily) == ("/srv/backups/shop", False)
