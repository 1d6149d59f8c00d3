"""API keys: shown once, kept hashed, refused when wrong or revoked, last use recorded."""

from __future__ import annotations

import hashlib

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from shopcare.app import ShopCare
from shopcare.services.accounts.api_keys import create_key, list_keys, revoke_key
from shopcare.services.errors import InputError
from shopcare.ui.api import mount_api
from tests.api.conftest import BASE
from tests.conftest import FakeClock
from tests.store import every_row_as_text


async def get_orders(shopcare: ShopCare, **headers: str) -> httpx.Response:
    site = FastAPI()
    mount_api(site, shopcare)
    transport = httpx.ASGITransport(site)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        return await http.get("/orders", headers=headers)


def test_only_the_hash_and_a_prefix_of_a_new_key_are_stored(shopcare: ShopCare) -> None:
    made = create_key(shopcare.sessions, "  warehouse script ", now=shopcare.clock())
    assert made.key.startswith("sc_") and len(made.key) > 40
    with shopcare.engine.connect() as db:
        stored = db.execute(sa.text("SELECT name, prefix, key_hash FROM api_key")).one()
    assert stored.name == "warehouse script"
    assert stored.prefix == made.key[:10]
    assert stored.key_hash == hashlib.sha256(made.key.encode()).hexdigest()
    assert made.key not in every_row_as_text(shopcare.engine)


def test_a_key_needs_a_name(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="name"):
        create_key(shopcare.sessions, "  ", now=shopcare.clock())


async def test_no_key_gets_401_with_a_bearer_challenge(shopcare: ShopCare) -> None:
    response = await get_orders(shopcare)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="shopcare"'
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize("value", ["Bearer sc_wrong", "Bearer nothing-like-a-key", "Basic YTpi"])
async def test_a_wrong_key_gets_401(shopcare: ShopCare, key: str, value: str) -> None:
    response = await get_orders(shopcare, Authorization=value)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="shopcare"')


async def test_a_revoked_key_gets_401_and_stays_listed(shopcare: ShopCare) -> None:
    made = create_key(shopcare.sessions, "old script", now=shopcare.clock())
    assert (await get_orders(shopcare, Authorization=f"Bearer {made.key}")).status_code == 200
    assert revoke_key(shopcare.sessions, made.row.id, now=shopcare.clock())
    assert not revoke_key(shopcare.sessions, made.row.id, now=shopcare.clock())
    response = await get_orders(shopcare, Authorization=f"Bearer {made.key}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    (row,) = list_keys(shopcare.sessions)
    assert row.revoked_at == shopcare.clock()


async def test_last_use_is_written_at_most_once_a_minute(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    made = create_key(shopcare.sessions, "sync", now=clock())
    bearer = f"Bearer {made.key}"
    assert list_keys(shopcare.sessions)[0].last_used_at is None
    first = clock()
    await get_orders(shopcare, Authorization=bearer)
    clock.advance(seconds=30)
    await get_orders(shopcare, Authorization=bearer)
    assert list_keys(shopcare.sessions)[0].last_used_at == first
    clock.advance(seconds=31)
    await get_orders(shopcare, Authorization=bearer)
    assert list_keys(shopcare.sessions)[0].last_used_at == clock()
