"""Admin → Store connection with a loopback Shopify and WooCommerce: Save and test, Import
with a progress bar that is still there after leaving the page, secrets never shown back,
the webhook address to paste.

Same set-up as ``test_admin.py``: a demo shop and a signed-in owner per test. The app runs
on the real clock, so the loopback shop's orders are placed days before now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.adapters.carrier_server import CarrierServer, serve
from tests.platforms.shopify_server import ADMIN_TOKEN, ShopifyShop, Stopwatch, order_node
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop, woo_order
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


@pytest.fixture
def shop_server() -> Iterator[CarrierServer]:
    yield from serve()


async def eventually_text(user: User, marker: str, wanted: str) -> str:
    text = ""
    for _ in range(100):
        try:  # find() raises while the label is not on the page yet (a handler still awaits)
            found = list(user.find(kind=ui.label, marker=marker).elements)
        except AssertionError:
            found = []
        text = found[0].text if found else ""
        if wanted in text:
            return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker!r} never showed {wanted!r}: {text!r}")


async def test_shopify_is_tested_and_imported_with_a_progress_bar(
    user: User, shop_server: CarrierServer
) -> None:
    shop = ShopifyShop(shop_server, Stopwatch(), maximum=1e9, available=1e9)
    now = datetime.now(UTC)
    shop.add(
        *(order_node(2000 + i, created=now - timedelta(days=20, minutes=i)) for i in range(25))
    )
    shop.add(order_node(1, created=now - timedelta(days=200)))
    await sign_in(user)
    await user.open("/admin/store")

    user.find(marker="shop-url").type(shop.url)
    user.find(marker="access-token").type(ADMIN_TOKEN)
    user.find(marker="test").click()

    assert await eventually_text(user, "test-result", "connected") == "connected to Test Shop"
    assert only(user, ui.input, "access-token").value == ""  # the secret left the page
    url = only(user, ui.label, "webhook-url").text
    assert url.endswith("/webhooks/shopify")

    user.find(marker="import").click()
    summary = await eventually_text(user, "import-summary", "Finished")
    assert summary.startswith("Finished: 25 of 25 orders read · 25 new")

    await user.open("/admin/orders")
    await user.open("/admin/store")  # back again: the store remembers
    assert only(user, ui.label, "import-summary").text == summary
    assert only(user, ui.linear_progress, "import-progress").value == 1.0
    assert only(user, ui.input, "access-token").value == ""
    assert "saved" in only(user, ui.input, "access-token").props["placeholder"]

    shop.add(order_node(3000, created=datetime.now(UTC) - timedelta(minutes=5)))
    user.find(marker="reconcile-now").click()
    assert "1 new" in await eventually_text(user, "reconcile", "orders read")


async def test_woocommerce_with_a_wrong_secret_says_why(
    user: User, shop_server: CarrierServer
) -> None:
    shop = WooShop(shop_server)
    shop.add(woo_order(7, created=datetime.now(UTC) - timedelta(days=3)))
    await sign_in(user)
    await user.open("/admin/store")
    only(user, ui.toggle, "platform").set_value("woocommerce")  # as the owner's click does
    await user.should_see(marker="consumer-key")

    user.find(marker="shop-url").type(shop.url)
    user.find(marker="consumer-key").type(KEY)
    user.find(marker="consumer-secret").type("cs_wrong")
    user.find(marker="test").click()

    text = await eventually_text(user, "test-result", "failed")
    assert "refused (401)" in text and "cs_wrong" not in text
    assert "cs_wrong" not in only(user, ui.label, "last-error").text

    user.find(marker="consumer-secret").type(SECRET)
    user.find(marker="test").click()
    assert "(1 orders)" in await eventually_text(user, "test-result", "connected")


async def test_a_connection_needs_its_credentials(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/store")
    user.find(marker="shop-url").type("my-shop")
    user.find(marker="test").click()
    wanted = "Shopify needs an Admin API access token, or the app's client ID and secret"
    for _ in range(50):  # the button's handler is a coroutine
        if user.notify.contains(wanted):
            break
        await asyncio.sleep(0.05)
    assert user.notify.contains(wanted)
    assert only(user, ui.label, "test-result").text == ""  # nothing was asked
