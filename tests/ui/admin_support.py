"""What the admin GUI tests share: the owner's sign-in and finding exactly one element.

The data dir fixture that goes with them is ``admin_data_dir`` in ``conftest.py``.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

import httpx
from nicegui import ui
from nicegui.testing import User

OWNER, PASSWORD = "owner", "correct horse battery"
E = TypeVar("E", bound=ui.element)


async def sign_in(
    user: User, password: str = PASSWORD, *, username: str = OWNER, **extra: str
) -> httpx.Response:
    """As the owner, or as ``username`` (with its ``password``); ``extra`` are headers."""
    form = {"username": username, "password": password, "next": "/admin"}
    return await user.http_client.post("/admin/login", data=form, headers=extra)


def only(user: User, kind: type[E], marker: str | None = None, *, content: str | None = None) -> E:
    found = list(user.find(kind=kind, marker=marker, content=content).elements)
    assert len(found) == 1, found
    return found[0]


async def arrive_at(user: User, address: str) -> None:
    """Wait for a navigation the page started (``ui.navigate.to``, a background task in
    NiceGUI's simulation) to have opened ``address``: ``should_see`` alone looks for about
    0.3 s, less than a page that builds its panels takes on a busy machine. Up to 15 s, a
    guard against hanging, not a measurement."""
    for _ in range(300):
        if user.back_history and user.back_history[-1] == address:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never opened {address}; open: {user.back_history[-1:]}")


async def open_dashboard(user: User, address: str = "/admin") -> None:
    """The dashboard builds its panels off the event loop: they arrive just after the page."""
    await user.open(address)
    await user.should_see(marker="panel-action")
