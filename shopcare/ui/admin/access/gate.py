"""The admin's door (ASGI): who is signed in, what is refused, and the admin's headers.

- ``/admin…``: the cookie's token is looked up in the store (``services.admin_sessions``);
  a live session is put in the scope for the pages (``signed_in``), anything else goes to the
  sign-in page. Every admin response carries the headers of ``headers.py``.
- NiceGUI's socket (``/_nicegui_ws/…``, websocket and long-polling alike) and its per-page
  routes (``/_nicegui/client/…``, uploads): only from this site (a same-origin ``Origin``)
  and with a live session. The one exception is the socket of a sign-in or set-up page,
  which a signed-out visitor must be able to open; those pages offer nothing over it
  (their forms are native posts), it only keeps NiceGUI's page from showing "connection lost".
"""

from __future__ import annotations

import asyncio
import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

from nicegui import Client
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shopcare.domain.roles import may_open
from shopcare.services.accounts.admin_sessions import LiveSession, check_session
from shopcare.ui.admin.access.headers import ADMIN_HEADERS, ADMIN_HTML_HEADERS
from shopcare.ui.admin.access.sockets import LiveSockets
from shopcare.ui.response_headers import with_headers

if TYPE_CHECKING:
    from shopcare.app import ShopCare

ADMIN_COOKIE = "shopcare_admin"
SCOPE_KEY = "shopcare.admin"
OPEN_PATHS = frozenset({"/admin/login", "/admin/setup"})
PAGE_ROUTES = ("/_nicegui_ws/", "/_nicegui/client/")


def is_admin(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def is_guarded(path: str) -> bool:
    return is_admin(path) and path not in OPEN_PATHS


def signed_in(request: HTTPConnection) -> LiveSession | None:
    """The session the gate found for this request (None on the open pages if signed out)."""
    live = request.scope.get(SCOPE_KEY)
    return live if isinstance(live, LiveSession) else None


def current_admin() -> str:
    """The signed-in admin's user name on the page whose event is running ("" if unknown),
    for what the order's timeline says an admin did."""
    from nicegui import ui

    live = signed_in(ui.context.client.request)
    return live.username if live else ""


def same_origin(origin: str | None, *, host: str, public_url: str) -> bool:
    """An ``Origin`` naming this site: the host the request was sent to, or the public URL's."""
    return origin is not None and urlsplit(origin).netloc in {host, urlsplit(public_url).netloc}


def login_url(wanted: str) -> str:
    return "/admin/login" if wanted == "/admin" else f"/admin/login?{urlencode({'next': wanted})}"


class AdminGate:
    def __init__(self, app: ASGIApp, *, shopcare: ShopCare, sockets: LiveSockets) -> None:
        self.app = app
        self.shopcare = shopcare
        self.sockets = sockets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = local_path(scope)
        if path.startswith(PAGE_ROUTES):
            await self._page_route(scope, receive, send)
        elif scope["type"] == "http" and is_admin(path):
            await self._admin(scope, receive, send, path)
        else:
            await self.app(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        send = with_headers(send, ADMIN_HEADERS, html_only=ADMIN_HTML_HEADERS)
        live = await self._live(scope, touch=True)
        if live is not None and not may_open(live.role, path):
            await _owner_only(scope, receive, send)
            return
        if live is not None:
            scope[SCOPE_KEY] = live
        elif path not in OPEN_PATHS:
            wanted = path if scope["method"] == "GET" else "/admin"
            await RedirectResponse(login_url(wanted), status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _page_route(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = HTTPConnection(scope)
        here = self._from_here(connection)
        live = await self._live(scope, touch=False) if here else None
        if not here or (live is None and not _open_page(connection)):
            await _refuse(scope, receive, send)
        elif live is not None and scope["type"] == "websocket":
            token = connection.cookies.get(ADMIN_COOKIE, "")
            await self.sockets.serve(
                self.app,
                scope,
                receive,
                send,
                session_id=live.session_id,
                still_live=lambda touch: self._still_live(token, touch=touch),
                clock=self.shopcare.clock,
            )
        else:
            await self.app(scope, receive, send)

    def _from_here(self, connection: HTTPConnection) -> bool:
        """A same-origin ``Origin``. Browsers send one with every websocket and every POST;
        a same-origin GET (a long-poll) has none and says ``Sec-Fetch-Site: same-origin``."""
        origin = connection.headers.get("origin")
        if origin is None and connection.scope["type"] == "http":
            return connection.headers.get("sec-fetch-site") == "same-origin"
        host = connection.headers.get("host", "")
        return same_origin(origin, host=host, public_url=self.shopcare.public_url)

    async def _live(self, scope: Scope, *, touch: bool) -> LiveSession | None:
        token = HTTPConnection(scope).cookies.get(ADMIN_COOKIE, "")
        if not token:
            return None
        return await asyncio.to_thread(
            check_session,
            self.shopcare.sessions,
            token=token,
            now=self.shopcare.clock(),
            touch=touch,
        )

    async def _still_live(self, token: str, *, touch: bool) -> bool:
        found = await asyncio.to_thread(
            check_session,
            self.shopcare.sessions,
            token=token,
            now=self.shopcare.clock(),
            touch=touch,
        )
        return found is not None


def _open_page(connection: HTTPConnection) -> bool:
    """The socket of a sign-in or set-up page (NiceGUI names its page in the query)."""
    if not connection.scope["path"].endswith(("/socket.io/", "/socket.io")):
        return False  # uploads and other per-page routes: never without a session
    query = parse_qs(connection.scope.get("query_string", b"").decode("latin-1"))
    client = Client.instances.get((query.get("client_id") or [""])[0])
    return client is not None and getattr(client.page, "path", None) in OPEN_PATHS


async def _owner_only(scope: Scope, receive: Receive, send: Send) -> None:
    """A staff account on a settings page: say so, and where their work is."""
    home = html.escape(scope.get("root_path", "") + "/admin", quote=True)
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Owner only · ShopCare"
        "</title></head><body style='font-family:system-ui;max-width:36rem;margin:4rem auto'>"
        "<h1>Only the shop's owner can open this page</h1><p>Your account is a staff "
        "account: orders, returns, problems and the mailbox are yours. Ask the owner to "
        "change a setting, or to make your account an owner's.</p>"
        f"<p><a href='{home}'>Back to the dashboard</a></p></body></html>"
    )
    await HTMLResponse(page, status_code=403)(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":  # closing before accepting answers the upgrade with 403
        await send({"type": "websocket.close", "code": 1008})
    else:
        await PlainTextResponse("Sign in first.", status_code=403)(scope, receive, send)


def local_path(scope: Scope) -> str:
    """The path without the proxy's prefix (``root_path``), as routes are written."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
