"""The owner uploads the logo with a plain form, from the Shop page or the setup's Look step:
a good image is saved and said so, a bad or oversized one is refused in words."""

from __future__ import annotations

import io

import pytest
from nicegui.testing import User
from PIL import Image

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.shop.profile import get_profile
from tests.ui.admin_support import sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, format="PNG")
    return out.getvalue()


async def test_a_logo_uploaded_in_the_setup_is_saved_and_shown(user: User) -> None:
    await sign_in(user)
    sent = await user.http_client.post(
        "/admin/shop/logo",
        data={"next": "/admin/start"},
        files={"logo": ("logo.png", png((960, 320)), "image/png")},
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/admin/start")
    await user.open("/admin/start")
    await user.should_see("Logo saved, 480 x 160 pixels.")
    app = build(load_settings())
    assert "/brand/logo.png?v=" in get_profile(app.sessions).logo_url
    assert (app.settings.data_dir / "logo.png").is_file()
    app.engine.dispose()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"<svg/>", "The logo was not saved: the logo must be a PNG, JPEG or WebP image."),
        (b"\x89PNG\r\n\x1a\n" + b"x" * (3 * 1024 * 1024), "it may be at most 2 MB"),
    ],
    ids=["svg", "too-large"],
)
async def test_a_refused_logo_is_said_in_words_on_the_shop_page(
    user: User, upload: bytes, message: str
) -> None:
    await sign_in(user)
    sent = await user.http_client.post(
        "/admin/shop/logo",
        data={"next": "/admin/shop"},
        files={"logo": ("logo.png", upload, "image/png")},
    )
    assert sent.status_code == 303
    await user.open("/admin/shop")
    await user.should_see(message)
    await user.should_see("No logo uploaded")
