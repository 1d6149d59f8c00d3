"""Where the files shipped with ShopCare are: inside the wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def assets_dir() -> Path:
    """``assets/`` is copied to ``shopcare/_assets`` in the wheel; an editable install
    reads it from the checkout."""
    packaged = _HERE / "_assets"
    return packaged if packaged.is_dir() else _HERE.parent / "assets"
