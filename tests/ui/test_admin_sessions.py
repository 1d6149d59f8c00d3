"""Admin sessions through the real app (NiceGUI's user simulation): a cookie saved before
signing out opens nothing, the account page changes the password and signs out everywhere,
and every admin answer carries the admin's security headers."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.ui.admin.access.gate import ADMIN_COOKIE
from tests.ui.admin_support import PASSWORD, only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
NEW = "a new and longer password"


async def opens_admin(user: User, cookies: dict[str, str]) -> bool:
    """Whether a browser holding ``cookies`` (and nothing else) gets the dashboard."""
    user.http_client.cookies.clear()
    for name, value in cookies.items():
        user.http_client.cookies.set(name, value)
    return (await user.http_client.get("/admin")).status_code == 200


async def test_a_cookie_saved_before_signing_out_no_longer_opens_the_admin(user: User) -> None:
    await sign_in(user)
    saved = dict(user.http_client.cookies)
    assert await opens_admin(user, saved)
    signed_out = await user.http_client.post("/admin/logout")
    assert signed_out.headers["location"] == "/admin/login"
    assert not await opens_admin(user, saved)
    answer = await user.http_client.get("/admin")
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin/login")


async def test_the_session_cookie_is_http_only_and_same_site(user: User) -> None:
    signed_in = await sign_in(user)
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"{ADMIN_COOKIE}=")
    assert {"httponly", "samesite=lax", "path=/"} <= {
        part.strip().lower() for part in cookie.split(";")
    }
    assert "secure" not in cookie.lower()  # plain http here; https in tests/e2e


async def test_changing_the_password_signs_out_the_other_browsers(user: User) -> None:
    await sign_in(user)
    other = dict(user.http_client.cookies)
    await sign_in(user)
    mine = dict(user.http_client.cookies)
    wrong = {"current": "not it", "new": NEW, "repeat": NEW}
    await user.http_client.post("/admin/account/password", data=wrong)
    await user.open("/admin/account")
    await user.should_see("The current password is wrong.")
    assert await opens_admin(user, other)

    assert await opens_admin(user, mine)
    form = {"current": PASSWORD, "new": NEW, "repeat": NEW}
    changed = await user.http_client.post("/admin/account/password", data=form)
    assert changed.headers["location"] == "/admin/account"
    await user.open("/admin/account")
    await user.should_see("Password changed. 1 other browser(s) signed out.")
    assert not await opens_admin(user, other)
    assert await opens_admin(user, mine)
    assert (await sign_in(user, password=NEW)).headers["location"] == "/admin"


async def test_the_account_page_lists_sessions_and_signs_out_everywhere(user: User) -> None:
    await sign_in(user)
    other = dict(user.http_client.cookies)
    await sign_in(user, **{"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"})
    mine = dict(user.http_client.cookies)
    await user.open("/admin")
    await user.should_see(marker="account")
    await user.open("/admin/account")
    rows = only(user, ui.table, "sessions").rows
    assert [(r["browser"], r["this"]) for r in rows] == [
        ("Firefox on Linux", "this browser"),
        ("Unknown browser", ""),
    ]
    await user.should_see("Sign out when idle")
    gone = await user.http_client.post("/admin/account/sign-out-everywhere")
    assert gone.headers["location"] == "/admin/login"
    assert not await opens_admin(user, other)
    assert not await opens_admin(user, mine)


@pytest.mark.parametrize("path", ["/admin/login", "/admin", "/admin/account"])
async def test_admin_answers_carry_the_security_headers(user: User, path: str) -> None:
    await sign_in(user)
    answer = await user.http_client.get(path, follow_redirects=True)
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] in ("same-origin", "no-referrer")
    assert "strict-transport-security" not in answer.headers  # plain http
