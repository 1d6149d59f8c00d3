"""The shared admin layout: header, navigation and sign-out, so every page looks the same.

``frame(title)`` is a context manager (as in NiceGUI's own examples): a page builds its
content inside it and never repeats the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from nicegui import ui

from shopcare.ui.admin.theme import use_admin_colors

NAV: tuple[tuple[str, str], ...] = (
    ("Dashboard", "/admin"),
    ("Orders", "/admin/orders"),
    ("Returns", "/admin/returns"),
    ("Problems", "/admin/problems"),
    ("Add order", "/admin/orders/new"),
    ("Store", "/admin/store"),
    ("Import", "/admin/import"),
    ("Carriers", "/admin/carriers"),
    ("Tracking", "/admin/tracking"),
    ("Messages", "/admin/messages"),
    ("Offers", "/admin/offers"),
    ("Shop", "/admin/shop"),
    ("Return policy", "/admin/return-policy"),
    ("Printing", "/admin/printing"),
    ("Mailbox", "/admin/mailbox"),
    ("Webhooks", "/admin/webhooks"),
    ("API keys", "/admin/api-keys"),
)
REFRESH_S = 3.0
"""How often live pages re-read the store, so the owner watches parcels move."""


@contextmanager
def frame(title: str) -> Iterator[ui.column]:
    """Header with navigation and a native sign-out form; yields the page's content column."""
    ui.page_title(f"{title} · ShopCare")
    use_admin_colors()
    with ui.header().classes("items-center gap-x-4 gap-y-1 flex-wrap bg-slate-800"):
        ui.label("ShopCare").classes("text-lg font-bold")
        for label, target in NAV:
            ui.link(label, target).classes("text-white no-underline")
        ui.space()
        ui.link("Account", "/admin/account").classes("text-white no-underline").mark("account")
        # A real form POST: signing out must clear the session cookie, which a websocket cannot.
        with ui.element("form").props("method=post action=/admin/logout"):
            ui.button("Sign out").props("type=submit flat color=white")
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4") as content:
        ui.label(title).classes("text-2xl font-semibold")
        yield content


def bare(title: str) -> ui.column:
    """The layout for signed-out pages (sign-in, first-run set-up): no navigation."""
    ui.page_title(f"{title} · ShopCare")
    use_admin_colors()
    return ui.column().classes("w-full max-w-sm mx-auto mt-16 gap-4")


def when(moment: datetime | None) -> str:
    """Times are already in the shop's zone (services convert them); only format here."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()
