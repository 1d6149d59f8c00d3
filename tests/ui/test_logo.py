"""The logo the owner uploads: recognised by its bytes, scaled, kept where slips look, and
served to emails and the tracking page from the public site."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from shopcare.app import ShopCare
from shopcare.services.errors import InputError
from shopcare.services.shop.logo import MAX_BYTES, rebase_logo, save_logo
from shopcare.services.shop.profile import get_profile
from tests.conftest import PUBLIC_URL


def image_bytes(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, format=fmt)
    return out.getvalue()


def test_a_large_jpeg_is_scaled_and_kept_as_the_one_png_the_slips_use(shopcare: ShopCare) -> None:
    data_dir = shopcare.settings.data_dir
    (data_dir / "logo.jpg").write_bytes(b"an older logo")
    saved = save_logo(
        shopcare.sessions, data_dir, image_bytes((2000, 500), "JPEG"), public_url=PUBLIC_URL
    )
    assert (saved.width, saved.height) == (480, 120)  # aspect kept, within 480 x 160
    assert not (data_dir / "logo.jpg").exists()
    with Image.open(data_dir / "logo.png") as stored:
        assert (stored.format, stored.size) == ("PNG", (480, 120))
    assert get_profile(shopcare.sessions).logo_url == saved.url
    assert saved.url.startswith(f"{PUBLIC_URL}/brand/logo.png?v=")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG, JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "could not be read"),
        (b"\xff\xd8\xff" + b"\0" * (MAX_BYTES), "at most 2 MB"),
        (image_bytes((8000, 6000), "PNG", mode="1"), "too many pixels"),
    ],
    ids=["svg", "fake-png", "too-large", "too-many-pixels"],
)
def test_what_is_not_a_usable_image_is_refused_and_nothing_changes(
    shopcare: ShopCare, data: bytes, message: str
) -> None:
    before = get_profile(shopcare.sessions).logo_url
    with pytest.raises(InputError, match=message):
        save_logo(shopcare.sessions, shopcare.settings.data_dir, data, public_url=PUBLIC_URL)
    assert not (shopcare.settings.data_dir / "logo.png").exists()
    assert get_profile(shopcare.sessions).logo_url == before


async def test_the_public_site_serves_it_and_its_address_follows_the_public_address(
    shopcare: ShopCare, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/brand/logo.png")).status_code == 404
    png = image_bytes((300, 100), "PNG")
    save_logo(shopcare.sessions, shopcare.settings.data_dir, png, public_url=PUBLIC_URL)
    served = await client.get("/brand/logo.png")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == (shopcare.settings.data_dir / "logo.png").read_bytes()
    rebase_logo(shopcare.sessions, shopcare.settings.data_dir, "https://track.new.example")
    assert get_profile(shopcare.sessions).logo_url.startswith(
        "https://track.new.example/brand/logo.png?v="
    )
