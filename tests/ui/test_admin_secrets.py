"""The admin after the data dir's secret.key was lost (issue 11, §5): the app starts, and the
carriers and store-connection pages ask for the credentials again instead of failing.

Same set-up as ``test_admin.py``: a demo shop and a signed-in owner per test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.intake.connection import save_connection
from shopcare.services.secrets_at_rest.box import UNREADABLE
from shopcare.services.secrets_at_rest.key_file import KEY_FILE, new_secret
from shopcare.services.tracking.carrier_accounts import save_account
from tests.ui.admin_support import sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


@pytest.fixture
def secret_key_lost(admin_data_dir: Path) -> None:
    """Credentials saved, then secret.key replaced (restored from elsewhere, or lost and
    made anew), before the admin starts."""
    app = build(load_settings())
    now = datetime.now(UTC)
    save_account(app.sessions, "dhl", enabled=True, values={"api_key": "dhl-k3y"}, now=now)
    save_connection(
        app.sessions, "shopify", shop_url="my-shop", values={"access_token": "shpat_x"}, now=now
    )
    app.engine.dispose()
    (admin_data_dir / KEY_FILE).write_text(new_secret(), encoding="utf-8")


async def test_unreadable_credentials_are_asked_for_again(
    secret_key_lost: None, user: User
) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    await user.should_see(marker="dhl-unreadable")
    await user.should_see(UNREADABLE)
    await user.should_not_see(marker="ups-unreadable")
    await user.open("/admin/store")
    await user.should_see(marker="credentials-unreadable")
