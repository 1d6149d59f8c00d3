"""Long work in the admin's header: shown with its progress on every page, and a notice on
the page the owner is on when it ends."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.runtime.long_work import finish_work, start_work
from tests.ui.admin_support import sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


async def test_running_work_shows_on_any_page_and_its_end_is_announced(user: User) -> None:
    app = build(load_settings())
    run = start_work(
        app.sessions, kind="refresh", title="Refreshing 40 parcels", total=40, now=app.clock()
    )
    await sign_in(user)
    await user.open("/admin/returns")
    await user.should_see("1 running")
    finish_work(app.sessions, run, now=app.clock(), message="40 asked, 3 changed, 0 errors")
    app.engine.dispose()
    for timer in user.find(ui.timer).elements:  # the header's periodic look, now
        timer.callback()
    assert user.notify.contains("Refreshing 40 parcels: 40 asked, 3 changed, 0 errors")
    await user.should_see("Work done")
