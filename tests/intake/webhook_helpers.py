"""What the platform webhook tests share: the routes on an in-process client, signing, and
looking at the store afterwards."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import func, select

from shopcare.app import ShopCare
from shopcare.db.models import WebhookDelivery
from shopcare.ui.platform_webhooks import platform_webhooks_router
from tests.conftest import PUBLIC_URL

FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"


def payload(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def client(shopcare: ShopCare) -> httpx.AsyncClient:
    """The routes as the site serves them; the apply that follows each answer has run when
    the client returns (Starlette runs background tasks before the ASGI call ends)."""
    app = FastAPI()
    app.include_router(platform_webhooks_router(shopcare))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC_URL)


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def count(shopcare: ShopCare, model: type) -> int:
    with shopcare.sessions() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def deliveries(shopcare: ShopCare) -> list[WebhookDelivery]:
    with shopcare.sessions() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))  # type: ignore[arg-type]
