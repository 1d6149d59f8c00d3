"""Loopback Shopify and WooCommerce servers, and a stopwatch their clients wait on."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.adapters.carrier_server import serve
from tests.platforms.shopify_server import ShopifyShop, Stopwatch
from tests.platforms.woocommerce_server import WooShop


@pytest.fixture
def stopwatch() -> Stopwatch:
    return Stopwatch()


@pytest.fixture
def shopify_shop(stopwatch: Stopwatch) -> Iterator[ShopifyShop]:
    for server in serve():
        yield ShopifyShop(server, stopwatch)


@pytest.fixture
def woo_shop() -> Iterator[WooShop]:
    for server in serve():
        yield WooShop(server)


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0)) as client:
        yield client
