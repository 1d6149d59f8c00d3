from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.adapters.carrier_server import CarrierServer, serve


@pytest.fixture
def carrier_server() -> Iterator[CarrierServer]:
    yield from serve()


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """Short timeouts so the timeout tests stay fast."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0)) as client:
        yield client
