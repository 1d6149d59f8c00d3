"""The owner's admin GUI (NiceGUI) under ``/admin``, behind a sign-in.

``register_admin`` adds everything to NiceGUI's app each time it is called (never at import
time), so the user-simulation tests, which reset NiceGUI between tests, load the same app.

The pages themselves (some forty modules and their routes, a third of a second and ~10 MB)
are imported and registered on the admin's first request, not while the server starts:
shoppers and health checks are answered sooner, and a process that never shows the admin
(a second process behind a load balancer that only serves shoppers) never loads it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from nicegui import app
from starlette.types import ASGIApp, Receive, Scope, Send

from shopcare.ui.admin.access.auth import auth_router
from shopcare.ui.admin.access.gate import PAGE_ROUTES, AdminGate, is_admin, local_path
from shopcare.ui.admin.access.sockets import LiveSockets
from shopcare.ui.admin.layout import use_app

if TYPE_CHECKING:
    from shopcare.app import ShopCare

__all__ = ["register_admin"]


def register_admin(shopcare: ShopCare) -> None:
    """The gate and the sign-in routes now, the pages on the first admin request; must run
    before ``ui.run`` adds the session middleware, which then wraps the gate so
    ``scope["session"]`` (one-time messages) is there. ``sockets`` are the open admin
    pages' websockets, closed when a session ends."""
    sockets = LiveSockets()
    use_app(shopcare)
    app.add_middleware(PagesOnFirstRequest, shopcare=shopcare, sockets=sockets)
    app.add_middleware(AdminGate, shopcare=shopcare, sockets=sockets)
    app.include_router(auth_router(shopcare, sockets))


class PagesOnFirstRequest:
    """Inside the gate: registers the pages before the first request that needs them
    reaches NiceGUI's router, which looks routes up per request. The modules are imported
    in a thread, so shoppers' requests are served meanwhile; the routes are added in one
    go on the event loop, so no request sees half of them."""

    def __init__(self, app: ASGIApp, *, shopcare: ShopCare, sockets: LiveSockets) -> None:
        self.app = app
        self.shopcare = shopcare
        self.sockets = sockets
        self.registered = False
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.registered and scope["type"] in ("http", "websocket"):
            path = local_path(scope)
            if is_admin(path) or path.startswith(PAGE_ROUTES):
                await self._register()
        await self.app(scope, receive, send)

    async def _register(self) -> None:
        async with self._lock:
            if not self.registered:
                await asyncio.to_thread(_import_pages)
                _register_pages(self.shopcare, self.sockets)
                self.registered = True


def _import_pages() -> None:
    import shopcare.ui.admin.pages  # noqa: F401 - imported here, off the event loop


def _register_pages(shopcare: ShopCare, sockets: LiveSockets) -> None:
    from shopcare.ui.admin.pages import register_pages

    register_pages(shopcare, sockets)
