"""Admin → API keys: make a key (shown once, with a copy button), see it listed with its
last use, revoke it; the API answers accordingly.

Same set-up as the admin tests in tests/ui: a demo shop and a signed-in owner per test.
"""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.accounts.api_keys import list_keys, verify_key
from tests.ui.admin_support import only, sign_in
from tests.ui.conftest import admin_data_dir  # noqa: F401  (the fixture, for usefixtures)

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def keys_in_store() -> list[tuple[str, str | None, bool]]:
    app = build(load_settings())
    rows = [(r.name, r.prefix, r.revoked_at is not None) for r in list_keys(app.sessions)]
    app.engine.dispose()
    return rows


def key_works(key: str) -> bool:
    app = build(load_settings())
    works = verify_key(app.sessions, key, now=app.clock()) is not None
    app.engine.dispose()
    return works


async def test_a_key_is_shown_once_listed_by_prefix_and_revoked(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/api-keys")
    await user.should_see("No API keys yet.")
    user.find(marker="key-name").type("warehouse script")
    user.find(marker="create-key").click()
    await user.should_see("copy it now, it is not shown again")
    key = only(user, ui.label, "new-key").text
    assert key.startswith("sc_")
    user.find(marker="copy-key").click()
    await user.should_see("Key copied")
    assert key_works(key)

    ((name, prefix, revoked),) = keys_in_store()
    assert (name, prefix, revoked) == ("warehouse script", key[:10], False)
    assert only(user, ui.table, "api-keys").rows[0]["last_used"] == "—"

    await user.open("/admin/api-keys")  # a new visit never shows the whole key again
    await user.should_not_see(key)
    table = only(user, ui.table, "api-keys")
    assert table.rows[0]["prefix"] == f"{key[:10]}…"
    assert table.rows[0]["last_used"] != "—"  # key_works used it
    user.find(marker=f"revoke-{table.rows[0]['id']}").click()
    await user.should_see("revoked: calls with it now get 401")
    assert not key_works(key)
    assert keys_in_store()[0][2] is True
    assert only(user, ui.table, "api-keys").rows[0]["state"].startswith("revoked")


async def test_a_key_without_a_name_is_refused(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/api-keys")
    user.find(marker="create-key").click()
    await user.should_see("give the key a name")
    assert keys_in_store() == []
