"""The API inside the whole app (``mount``): served in front of NiceGUI's middleware with its
own OpenAPI document, while NiceGUI's docs stay off."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.accounts.api_keys import create_key
from tests.api.conftest import order_body
from tests.ui.conftest import admin_data_dir  # noqa: F401  (the fixture, for usefixtures)

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def new_key() -> str:
    app = build(load_settings())
    key = create_key(app.sessions, "mount test", now=app.clock()).key
    app.engine.dispose()
    return key


async def test_the_api_has_its_own_openapi_and_nicegui_has_none(user: User) -> None:
    document = await user.http_client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    schema = document.json()
    assert schema["info"]["title"] == "ShopCare API"
    assert {"/orders", "/orders/{order_ref}/shipments", "/returns", "/feedback"} <= set(
        schema["paths"]
    )
    assert schema["servers"] == [{"url": "/api/v1"}]
    assert not any(c.startswith("session=") for c in document.headers.get_list("set-cookie"))
    for path in ("/docs", "/redoc", "/openapi.json", "/api/v1/docs"):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_a_script_creates_an_order_through_the_running_app(user: User) -> None:
    assert (await user.http_client.get("/api/v1/orders")).status_code == 401
    headers = {"Authorization": f"Bearer {new_key()}"}
    created = await user.http_client.post(
        "/api/v1/orders", json=order_body("API-1"), headers=headers
    )
    assert created.status_code == 201, created.text
    found = await user.http_client.get("/api/v1/orders/API-1", headers=headers)
    assert found.json()["order_number"] == "API-1"
