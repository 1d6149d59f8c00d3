from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """Short timeouts so the timeout tests stay fast."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0)) as client:
        yield client
