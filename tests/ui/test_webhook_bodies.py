"""Bodies of carrier pushes and platform webhooks: over 2 MB is refused with 413 before it
is read, and JSON nested deeper than the limit gets 400 with a reason, not a 500."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.db.models import InboundPush, WebhookDelivery
from shopcare.domain.json_depth import MAX_DEPTH
from shopcare.services.intake.webhooks import set_webhook_secret
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.ui.bodies import WEBHOOK_BODY
from shopcare.ui.platform_webhooks import platform_webhooks_router
from shopcare.ui.webhooks import webhooks_router
from tests.conftest import PUBLIC_URL, FakeClock, free_port
from tests.intake.webhook_helpers import count, signature

SECRET = "whsec-bodies"
CARRIER = "/webhooks/carrier/aftership"
SHOPIFY = "/webhooks/shopify"


def app_with_hooks(shopcare: ShopCare) -> FastAPI:
    app = FastAPI()
    app.include_router(webhooks_router(shopcare))
    app.include_router(platform_webhooks_router(shopcare))
    return app


@pytest.fixture
def configured(shopcare: ShopCare, clock: FakeClock) -> ShopCare:
    """AfterShip pushes and Shopify webhooks set up, both signing with SECRET."""
    save_account(
        shopcare.sessions,
        "aftership",
        enabled=True,
        values={"api_key": "k", "webhook_secret": SECRET},
        now=clock(),
    )
    shopcare.reload_carriers()
    set_webhook_secret(shopcare.sessions, "shopify", SECRET, now=clock())
    return shopcare


@pytest.fixture
async def hooks(configured: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app_with_hooks(configured))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield client


def signed(path: str, body: bytes) -> dict[str, str]:
    """Headers that make ``body`` a correctly signed delivery for ``path``."""
    if path == SHOPIFY:
        return {
            "x-shopify-topic": "orders/create",
            "x-shopify-hmac-sha256": signature(body, SECRET),
            "x-shopify-webhook-id": "wh-1",
        }
    return {"aftership-hmac-sha256": signature(body, SECRET), "content-type": "application/json"}


def stored(shopcare: ShopCare) -> int:
    return count(shopcare, InboundPush) + count(shopcare, WebhookDelivery)


@pytest.mark.parametrize("path", [CARRIER, SHOPIFY, "/webhooks/carrier/simulated"])
async def test_a_signed_body_over_2_mb_gets_413(
    hooks: httpx.AsyncClient, configured: ShopCare, path: str
) -> None:
    """Valid, signed JSON of 3 MB: refused for its size alone (also for a provider whose
    pushes are not set up), and nothing stored."""
    body = json.dumps({"msg": {"padding": "x" * (3 * 1024 * 1024)}}).encode()
    response = await hooks.post(path, content=body, headers=signed(path, body))
    assert response.status_code == 413
    assert response.json()["error"] == f"body over {WEBHOOK_BODY} bytes"
    assert stored(configured) == 0


@pytest.mark.parametrize("path", [CARRIER, SHOPIFY])
@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
async def test_a_signed_body_nested_too_deep_gets_400_with_the_reason(
    hooks: httpx.AsyncClient, configured: ShopCare, path: str, opening: bytes
) -> None:
    closing = b"]" if opening == b"[" else b"}"
    body = b"{" + b'"msg":' + opening * 100_000 + b"1" + closing * 100_000 + b"}"
    response = await hooks.post(path, content=body, headers=signed(path, body))
    assert response.status_code == 400
    assert f"nested deeper than {MAX_DEPTH} levels" in response.json()["error"]
    assert stored(configured) == 0


@pytest.fixture
def server(configured: ShopCare) -> Iterator[int]:
    """The routes on a real socket: only there does a body arrive in pieces."""
    port = free_port()
    config = uvicorn.Config(app_with_hooks(configured), port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("name", ["aftership", "simulated"])
def test_a_streamed_carrier_push_over_the_cap_is_refused_before_it_ends(
    server: int, configured: ShopCare, name: str
) -> None:
    """A chunked body with no length: the 413 comes once the cap is passed, while the
    client has not finished sending (it never sends the last chunk)."""
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(
            f"POST /webhooks/carrier/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
            + b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        )
        chunk = b"x" * 65536
        sent = 0
        while sent <= WEBHOOK_BODY:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert stored(configured) == 0
