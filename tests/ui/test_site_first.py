"""The shopper's pages, health and webhooks are served in front of NiceGUI's middleware:
no admin session cookie on a shopper's page, and the admin still behind its sign-in."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import ShopOrder

pytestmark = pytest.mark.usefixtures("admin_data_dir")


async def test_a_tracking_page_skips_the_admin_session(user: User) -> None:
    app = build(load_settings())
    with app.sessions() as session:
        token = session.exec(select(ShopOrder.public_token)).first()
    app.engine.dispose()

    page = await user.http_client.get(f"/t/{token}")

    assert page.status_code == 200 and "ol" in page.text
    cookies = page.headers.get_list("set-cookie")
    assert not any(c.startswith("session=") for c in cookies), cookies
    assert "content-encoding" not in page.headers  # NiceGUI's GZip layer was not in the way
    wrong_method = await user.http_client.delete(f"/t/{token}")
    assert wrong_method.status_code == 405
    health = await user.http_client.get("/healthz")
    assert health.status_code == 200


async def test_the_admin_still_asks_for_a_sign_in(user: User) -> None:
    answer = await user.http_client.get("/admin/orders", follow_redirects=False)
    assert answer.status_code in (302, 303, 307)
    assert "/admin/login" in answer.headers["location"]
