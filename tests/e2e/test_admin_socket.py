"""NiceGUI's socket and the admin's https answers, against the app in a real process.

The socket (``/_nicegui_ws/socket.io``) is refused without a live admin session or with a
foreign ``Origin``, over the websocket and the long-polling transport alike; a socket that
is open when its session ends is told to load the sign-in page and closed. Behind a trusted
proxy saying ``X-Forwarded-Proto: https`` the session cookie is ``Secure`` and every answer
carries ``Strict-Transport-Security``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from shopcare.ui.admin.access.gate import ADMIN_COOKIE
from shopcare.ui.admin.access.sockets import GO_TO_SIGN_IN
from tests.e2e.admin_server import AdminServer, running_admin
from tests.store import lasting_store
from tests.ui.admin_support import OWNER, PASSWORD

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[AdminServer]:
    store = lasting_store(worker_id, "admin_socket")
    with running_admin(tmp_path_factory.mktemp("admin-socket") / "data", store) as server:
        yield server


def client_id(admin: AdminServer, path: str, cookie: str | None) -> str:
    """The NiceGUI client id a page load made (what its script connects the socket with)."""
    cookies = {ADMIN_COOKIE: cookie} if cookie else {}
    page = httpx.get(f"{admin.url}{path}", cookies=cookies, timeout=30)
    assert page.status_code == 200, page.status_code
    found = re.search(r"'client_id': '([0-9a-f-]+)'", page.text)
    assert found, "no client id in the page"
    return found.group(1)


def open_socket(
    admin: AdminServer, *, cookie: str | None, origin: str | None, client: str = ""
) -> ClientConnection:
    url = f"ws://{admin.host}/_nicegui_ws/socket.io/?client_id={client}&EIO=4&transport=websocket"
    headers = {"Cookie": f"{ADMIN_COOKIE}={cookie}"} if cookie else {}
    return connect(url, origin=origin, additional_headers=headers, open_timeout=30)  # type: ignore[arg-type]


def refused(admin: AdminServer, **how: str | None) -> int:
    with pytest.raises(InvalidStatus) as refusal:
        open_socket(admin, **how).close()  # type: ignore[arg-type]
    return refusal.value.response.status_code


def test_the_socket_opens_for_a_signed_in_page_of_this_site(admin: AdminServer) -> None:
    cookie = admin.sign_in()
    client = client_id(admin, "/admin", cookie)
    with open_socket(admin, cookie=cookie, origin=admin.url, client=client) as socket:
        assert str(socket.recv(timeout=30)).startswith("0{")  # engine.io's open packet


def test_the_socket_is_refused_to_another_site_even_with_the_cookie(admin: AdminServer) -> None:
    cookie = admin.sign_in()
    client = client_id(admin, "/admin", cookie)
    assert refused(admin, cookie=cookie, origin=EVIL, client=client) == 403
    assert refused(admin, cookie=cookie, origin=None, client=client) == 403


def test_the_socket_is_refused_without_a_session(admin: AdminServer) -> None:
    client = client_id(admin, "/admin", admin.sign_in())
    assert refused(admin, cookie=None, origin=admin.url, client=client) == 403
    assert refused(admin, cookie="made-up-token", origin=admin.url, client=client) == 403


def test_a_page_signed_out_of_keeps_no_socket(admin: AdminServer) -> None:
    cookie = admin.sign_in()
    client = client_id(admin, "/admin/orders", cookie)
    with open_socket(admin, cookie=cookie, origin=admin.url, client=client) as socket:
        assert str(socket.recv(timeout=30)).startswith("0{")
        signed_out = httpx.post(
            f"{admin.url}/admin/logout",
            cookies={ADMIN_COOKIE: cookie},
            headers={"Origin": admin.url},
            timeout=30,
        )
        assert signed_out.status_code == 303
        said = []
        with pytest.raises(ConnectionClosed):
            while True:
                said.append(socket.recv(timeout=30))
        assert GO_TO_SIGN_IN in said
    assert refused(admin, cookie=cookie, origin=admin.url, client=client) == 403


def test_the_sign_in_page_keeps_its_socket_without_a_session(admin: AdminServer) -> None:
    """Its form is a native post; the socket only spares it NiceGUI's "connection lost"."""
    client = client_id(admin, "/admin/login", None)
    with open_socket(admin, cookie=None, origin=admin.url, client=client) as socket:
        assert str(socket.recv(timeout=30)).startswith("0{")
    assert refused(admin, cookie=None, origin=EVIL, client=client) == 403
    assert refused(admin, cookie=None, origin=admin.url, client="not-a-client") == 403


def test_long_polling_needs_the_session_and_this_site(admin: AdminServer) -> None:
    cookie = admin.sign_in()
    client = client_id(admin, "/admin", cookie)
    url = f"{admin.url}/_nicegui_ws/socket.io/?client_id={client}&EIO=4&transport=polling"
    same_site = {"Sec-Fetch-Site": "same-origin"}

    def poll(cookies: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        return httpx.get(url, cookies=cookies, headers=headers, timeout=30)

    opened = poll({ADMIN_COOKIE: cookie}, same_site)
    assert opened.status_code == 200 and opened.text.startswith("0{")
    assert poll({}, same_site).status_code == 403
    assert poll({ADMIN_COOKIE: cookie}, {"Origin": EVIL}).status_code == 403
    assert poll({ADMIN_COOKIE: cookie}, {"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert poll({ADMIN_COOKIE: cookie}, {}).status_code == 403  # no browser said where from


def test_a_pages_upload_route_needs_the_session(admin: AdminServer) -> None:
    client = client_id(admin, "/admin/import", admin.sign_in())
    answer = httpx.post(
        f"{admin.url}/_nicegui/client/{client}/upload/1",
        headers={"Origin": admin.url},
        files={"file": ("orders.csv", b"x")},
        timeout=30,
    )
    assert answer.status_code == 403


def test_behind_an_https_proxy_the_cookie_is_secure_and_hsts_is_sent(admin: AdminServer) -> None:
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    form = {"username": OWNER, "password": PASSWORD, "next": "/admin"}
    signed_in = httpx.post(f"{admin.url}/admin/login", data=form, headers=proxied, timeout=30)
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"].lower()
    assert cookie.startswith(f"{ADMIN_COOKIE}=")
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= {
        part.strip() for part in cookie.split(";")
    }
    for path in ("/admin/login", "/healthz", "/track"):
        answer = httpx.get(f"{admin.url}{path}", headers=proxied, timeout=30)
        hsts = answer.headers.get("strict-transport-security", "")
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600, (path, hsts)


def test_over_plain_http_there_is_no_secure_flag_and_no_hsts(admin: AdminServer) -> None:
    form = {"username": OWNER, "password": PASSWORD, "next": "/admin"}
    signed_in = httpx.post(f"{admin.url}/admin/login", data=form, timeout=30)
    assert "secure" not in signed_in.headers["set-cookie"].lower()
    assert "strict-transport-security" not in httpx.get(f"{admin.url}/admin/login").headers
