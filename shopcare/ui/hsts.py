"""Strict-Transport-Security on every response served over https, and only there.

The outermost layer (``app.mount``), so the shopper's pages, the API and the admin all say
it; over plain http the header would be ignored by browsers and misleading, so it is left
out. The scheme is the one uvicorn's proxy-headers middleware set from a trusted proxy's
``X-Forwarded-Proto``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shopcare.ui.response_headers import with_headers

HSTS = (b"strict-transport-security", b"max-age=31536000")
"""One year: a browser that saw it over https never tries plain http for the host again (not
its subdomains: other services of the shop may still run on plain http)."""


def is_https(scope: Scope) -> bool:
    """The scheme as uvicorn's proxy-headers middleware left it (a trusted proxy's
    ``X-Forwarded-Proto`` already applied); ``wss`` for a websocket."""
    return scope.get("scheme") in ("https", "wss")


class StrictTransport:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_https(scope):
            await self.app(scope, receive, send)
            return

        await self.app(scope, receive, with_headers(send, (HSTS,)))
