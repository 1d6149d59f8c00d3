"""The REST API's FastAPI app: its routers, key check, body cap and busy-store answer.

Routes are thin: they validate (``schemas``), call one service, and shape the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI

from shopcare.ui.api.auth import key_checker
from shopcare.ui.api.orders import orders_router
from shopcare.ui.api.reads import reads_router
from shopcare.ui.api.strict import known_query_only
from shopcare.ui.bodies import API_BODY, BodyCaps
from shopcare.ui.busy import answer_busy_store

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def api_app(shopcare: ShopCare) -> FastAPI:
    app = FastAPI(
        title="ShopCare API",
        version="1",
        description="Orders in and out of ShopCare. Send an API key made in the admin as "
        "`Authorization: Bearer <key>`. Money is in minor units beside its currency; times "
        "are ISO 8601 with an offset. See docs/api.md.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    auth = key_checker(shopcare)
    app.include_router(orders_router(shopcare, auth))
    app.include_router(reads_router(shopcare, auth))
    app.add_middleware(BodyCaps, caps=(), default=API_BODY)  # also when mounted elsewhere
    answer_busy_store(app, shopcare)
    return app
