"""The routes shoppers, carriers and monitors call, served in front of the admin GUI.

NiceGUI wraps every request in its own middleware (sessions, per-browser storage, GZip,
request tracking): about 2 ms a request, and a session cookie set on the shopper's pages.
None of it is needed outside the admin, so these routes live on a small FastAPI app of their
own and an outermost ASGI layer sends their requests there before NiceGUI sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def site_app(shopcare: ShopCare) -> FastAPI:
    """Health, carrier webhooks and every shopper page; no docs, no schema."""
    from shopcare.ui.busy import answer_busy_store
    from shopcare.ui.health import health_router
    from shopcare.ui.platform_webhooks import platform_webhooks_router
    from shopcare.ui.public import mount_public
    from shopcare.ui.twilio_webhooks import twilio_webhooks_router
    from shopcare.ui.webhooks import webhooks_router

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(health_router(shopcare))
    mount_public(app, shopcare)
    app.include_router(webhooks_router(shopcare))
    app.include_router(platform_webhooks_router(shopcare))
    app.include_router(twilio_webhooks_router(shopcare))
    answer_busy_store(app, shopcare)
    return app


class SiteFirst:
    """Sends an HTTP request to ``site`` when one of its routes matches the path (any
    method: a wrong method gets the site's 405), everything else to ``rest``."""

    def __init__(self, site: FastAPI, rest: ASGIApp) -> None:
        self.site = site
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._matches(scope):
            await self.site(scope, receive, send)
        else:
            await self.rest(scope, receive, send)

    def _matches(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is not Match.NONE for route in self.site.routes)
