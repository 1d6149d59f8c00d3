"""The REST API under ``/api/v1``: a FastAPI app of its own (``app.api_app``), with its own
OpenAPI document at ``/api/v1/openapi.json`` (NiceGUI's docs stay off), mounted on the site
app in front of NiceGUI's middleware. Every route needs an API key (``services.api_keys``).

It is built on its first request: its routers, schemas and services are a tenth of a second
and a few MB that a shop not using the API never needs, and that would otherwise delay the
first page after ``shopcare run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

    from shopcare.app import ShopCare

PREFIX = "/api/v1"


def mount_api(site: FastAPI, shopcare: ShopCare) -> None:
    """Put the API on the site app, so its requests, like the shopper's, skip NiceGUI."""
    site.mount(PREFIX, _BuiltOnFirstRequest(shopcare))


class _BuiltOnFirstRequest:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:  # no await before the assignment: built once
            from shopcare.ui.api.app import api_app

            self.app = api_app(self.shopcare)
        await self.app(scope, receive, send)
