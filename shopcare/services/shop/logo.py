"""The shop's logo, uploaded by the owner: checked by its bytes (PNG, JPEG or WebP; never
SVG, which can carry scripts), size-capped, scaled down to what emails and slips show, and
kept as ``logo.png`` in the data dir, where the slips already look for it. Emails and the
tracking page fetch it from the public site (``/brand/logo.png``), with a version in the
address so mail clients that cache images get a new logo when it changes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from shopcare.db.engine import SessionFactory
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile, update_profile

MAX_BYTES = 2 * 1024 * 1024
MAX_SIZE = (480, 160)
"""Twice what an email shows (240 x 80 CSS pixels), so it stays sharp on a dense screen."""
MAX_PIXELS = 40_000_000
"""A larger image is refused before it is decoded (a few KB can claim billions of pixels)."""
LOGO_PATH = "/brand/logo.png"
LOGO_NAMES = ("logo.png", "logo.jpg", "logo.jpeg")
"""The logo's files in the data dir (older versions kept JPEGs as they came)."""
_KINDS = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@dataclass(frozen=True)
class SavedLogo:
    path: Path
    width: int
    height: int
    url: str


def sniff(data: bytes) -> str:
    """PNG, JPEG or WebP by the file's first bytes, whatever its name says."""
    for magic, kind in _KINDS.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise InputError("the logo must be a PNG, JPEG or WebP image")


def save_logo(
    sessions: SessionFactory, data_dir: Path, data: bytes, *, public_url: str
) -> SavedLogo:
    # Pillow on the first upload, not at every start (this module's paths are used there)
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise InputError(f"the logo may be at most {MAX_BYTES // (1024 * 1024)} MB")
    kind = sniff(data)
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            pixels = image.width * image.height  # from the header, before decoding
            if pixels <= MAX_PIXELS:
                image.load()
                logo = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise InputError("the logo could not be read as an image") from None
    if pixels > MAX_PIXELS:
        raise InputError("the logo has too many pixels; use a smaller image")
    logo.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    logo.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    path = data_dir / "logo.png"
    for name in LOGO_NAMES:  # one logo: an older JPEG must not win over the new one
        (data_dir / name).unlink(missing_ok=True)
    path.write_bytes(png)
    url = logo_url(public_url, png)
    update_profile(sessions, logo_url=url)
    return SavedLogo(path, logo.width, logo.height, url)


def logo_url(public_url: str, png: bytes) -> str:
    return f"{public_url}{LOGO_PATH}?v={hashlib.sha256(png).hexdigest()[:12]}"


def rebase_logo(sessions: SessionFactory, data_dir: Path, public_url: str) -> None:
    """After the public address changed: an uploaded logo's address follows it."""
    path = data_dir / "logo.png"
    current = get_profile(sessions).logo_url
    if path.exists() and LOGO_PATH in current:
        update_profile(sessions, logo_url=logo_url(public_url, path.read_bytes()))
