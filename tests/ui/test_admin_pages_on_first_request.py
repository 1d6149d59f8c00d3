"""The admin's pages are registered by its first request, once, and not by shoppers'.

Every admin test goes through the real registration (``serve`` → ``register_admin``); this
one looks at when it happens, with the registration counted instead of done (doing it
here would add the pages to NiceGUI's app a second time in this worker)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Receive, Scope, Send

import shopcare.ui.admin as admin
from shopcare.ui.admin import PagesOnFirstRequest
from shopcare.ui.admin.access.sockets import LiveSockets


class Inner:
    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])


def scope(path: str, kind: str = "http") -> Scope:
    return {"type": kind, "path": path, "root_path": ""}


async def nothing() -> dict[str, str]:
    return {}


async def ignore(_message: object) -> None:
    return None


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []

    def register(_shopcare: object, _sockets: object) -> None:
        made.append("pages")

    monkeypatch.setattr(admin, "_register_pages", register)
    return made


async def test_shoppers_requests_leave_the_admin_unloaded(registrations: list[str]) -> None:
    inner = Inner()
    pages = PagesOnFirstRequest(inner, shopcare=None, sockets=LiveSockets())  # type: ignore[arg-type]
    for path in ("/healthz", "/track/abc", "/lookup", "/api/v1/orders", "/administrator"):
        await pages(scope(path), nothing, ignore)  # type: ignore[arg-type]
    assert registrations == []
    assert inner.paths == ["/healthz", "/track/abc", "/lookup", "/api/v1/orders", "/administrator"]


async def test_the_first_admin_requests_register_the_pages_once(registrations: list[str]) -> None:
    inner = Inner()
    pages = PagesOnFirstRequest(inner, shopcare=None, sockets=LiveSockets())  # type: ignore[arg-type]
    await asyncio.gather(
        *(pages(scope(p), nothing, ignore) for p in ("/admin/login", "/admin", "/admin/orders"))  # type: ignore[arg-type]
    )
    await pages(scope("/_nicegui_ws/socket.io/", "websocket"), nothing, ignore)  # type: ignore[arg-type]
    assert registrations == ["pages"]
    assert pages.registered
    assert sorted(inner.paths) == [
        "/_nicegui_ws/socket.io/",
        "/admin",
        "/admin/login",
        "/admin/orders",
    ]


async def test_a_page_socket_after_a_restart_registers_them_too(registrations: list[str]) -> None:
    pages = PagesOnFirstRequest(Inner(), shopcare=None, sockets=LiveSockets())  # type: ignore[arg-type]
    await pages(scope("/_nicegui_ws/socket.io/", "websocket"), nothing, ignore)  # type: ignore[arg-type]
    assert registrations == ["pages"]
