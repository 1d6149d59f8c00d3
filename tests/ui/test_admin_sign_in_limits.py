"""Admin sign-in limits: per client address and per user name, and the refusal says how long
to wait. The real sign-in route behind the trusted proxy (127.0.0.1), which names the client
in ``X-Forwarded-For``; the test's clock, so the minutes are exact.

The sign-in page shows the flash message; here a bare route pops it the same way, so the
test needs neither NiceGUI nor a browser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shopcare.app import ShopCare
from shopcare.services.accounts.auth import set_password
from shopcare.ui.admin.access.auth import SIGN_IN_LIMIT, auth_router, pop_flash
from shopcare.ui.admin.access.sockets import LiveSockets
from tests.conftest import PUBLIC_URL, FakeClock
from tests.ui.admin_support import OWNER, PASSWORD


@pytest.fixture
async def admin(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """The sign-in routes with a session cookie, as ``ui.run`` installs them."""
    set_password(shopcare.sessions, username=OWNER, password=PASSWORD, now=shopcare.clock())
    app = FastAPI()
    app.include_router(auth_router(shopcare, LiveSockets()))

    @app.get("/admin/login")
    def login_page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(pop_flash(request))

    with_sessions = SessionMiddleware(app, secret_key=shopcare.settings.secret)
    trusted = shopcare.settings.proxy_options()["forwarded_allow_ips"]
    proxied = ProxyHeadersMiddleware(with_sessions, trusted_hosts=trusted)
    transport = httpx.ASGITransport(proxied, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http


async def sign_in(
    http: httpx.AsyncClient, *, ip: str, password: str = PASSWORD, username: str = OWNER
) -> tuple[str, str]:
    """Where the sign-in leads and the message the sign-in page then shows."""
    form = {"username": username, "password": password, "next": "/admin"}
    response = await http.post("/admin/login", data=form, headers={"X-Forwarded-For": ip})
    assert response.status_code == 303
    return response.headers["location"], (await http.get("/admin/login")).text


async def test_a_new_client_address_gets_no_fresh_budget_for_the_same_account(
    admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    for n in range(SIGN_IN_LIMIT):
        where, said = await sign_in(admin, ip=f"203.0.113.{n}", password="a wrong guess")
        assert (where, said) == ("/admin/login", "Wrong user name or password.")

    where, said = await sign_in(admin, ip="198.51.100.1")  # the right password
    assert (where, said) == ("/admin/login", "Too many attempts: try again in 15 minutes.")
    clock.advance(minutes=3)
    _, said = await sign_in(admin, ip="198.51.100.2")
    assert said == "Too many attempts: try again in 12 minutes."
    # another account is not locked by the owner's guessers
    _, said = await sign_in(admin, ip="198.51.100.3", username="someone else")
    assert said == "Wrong user name or password."

    clock.advance(minutes=12)
    where, _ = await sign_in(admin, ip="198.51.100.4")
    assert where == "/admin"


async def test_one_address_guessing_many_accounts_is_told_how_long_to_wait(
    admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    for n in range(SIGN_IN_LIMIT):
        clock.advance(seconds=30)
        await sign_in(admin, ip="203.0.113.7", username=f"user{n}", password="guess")

    clock.advance(seconds=30)
    where, said = await sign_in(admin, ip="203.0.113.7")
    # the first attempt was 5 minutes ago: 10 minutes to go
    assert (where, said) == ("/admin/login", "Too many attempts: try again in 10 minutes.")
    where, _ = await sign_in(admin, ip="203.0.113.8")  # the owner, from elsewhere
    assert where == "/admin"
