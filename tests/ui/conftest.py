from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.ui.public.routes import public_router
from tests.conftest import PUBLIC_URL


@pytest.fixture
async def client(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """The public site over real HTTP semantics, in-process."""
    app = FastAPI()
    app.include_router(public_router(shopcare))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http
