"""The shared admin layout: header, navigation and sign-out, so every page looks the same.

``frame(title)`` is a context manager (as in NiceGUI's own examples): a page builds its
content inside it and never repeats the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from nicegui import app, ui
from nicegui.events import KeyEventArguments

from shopcare.domain.roles import Role, may_open
from shopcare.services.runtime.long_work import work_in_view
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.theme import use_admin_colors

if TYPE_CHECKING:
    from shopcare.app import ShopCare

NAV: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Orders",
        (
            ("Orders", "/admin/orders"),
            ("Parcels", "/admin/parcels"),
            ("Add order", "/admin/orders/new"),
            ("Returns", "/admin/returns"),
            ("Store credit", "/admin/store-credit"),
            ("Problems", "/admin/problems"),
        ),
    ),
    (
        "Messages",
        (
            ("Message log", "/admin/messages/log"),
            ("Messages and templates", "/admin/messages"),
            ("Mailbox", "/admin/mailbox"),
        ),
    ),
    ("Insight", (("Dashboard", "/admin"), ("Feedback", "/admin/feedback"))),
    (
        "Settings",
        (
            ("Setup", "/admin/start"),
            ("Shop and look", "/admin/shop"),
            ("Email and address", "/admin/email"),
            ("Carriers", "/admin/carriers"),
            ("Tracking", "/admin/tracking"),
            ("Return policy", "/admin/return-policy"),
            ("Return labels", "/admin/return-labels"),
            ("Printing", "/admin/printing"),
            ("Offers", "/admin/offers"),
            ("Store connection", "/admin/store"),
            ("Import and export", "/admin/import"),
            ("Webhooks", "/admin/webhooks"),
            ("Users", "/admin/users"),
            ("API keys", "/admin/api-keys"),
            ("Backups", "/admin/backups"),
            ("Customers' data", "/admin/privacy"),
        ),
    ),
)
"""Four groups instead of seventeen links in one bar: what the owner does daily first."""
REFRESH_S = 3.0
"""How often live pages re-read the store, so the owner watches parcels move."""


@contextmanager
def frame(title: str) -> Iterator[ui.column]:
    """Header with navigation and a native sign-out form; yields the page's content column."""
    ui.page_title(f"{title} · ShopCare")
    use_admin_colors()
    with ui.header().classes("items-center gap-x-4 gap-y-1 flex-wrap bg-slate-800"):
        ui.link("ShopCare", "/admin").classes("text-lg font-bold text-white no-underline")
        for group, pages in _nav_for_viewer():
            if len(pages) == 1:  # a group of one is a link
                ui.link(group, pages[0][1]).classes("text-white no-underline px-2")
                continue
            with (
                ui.dropdown_button(group, auto_close=True)
                .props("flat no-caps color=white")
                .mark(f"nav-{group.lower()}")
            ):
                for label, target in pages:
                    ui.link(label, target).classes("block px-4 py-2 no-underline")
        ui.space()
        _search_box()
        if _APP:
            LongWorkIndicator(_APP[0])
        _dark_mode_switch()
        ui.link("Account", "/admin/account").classes("text-white no-underline").mark("account")
        # A real form POST: signing out must clear the session cookie, which a websocket cannot.
        with ui.element("form").props("method=post action=/admin/logout"):
            ui.button("Sign out").props("type=submit flat color=white")
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4") as content:
        ui.label(title).classes("text-2xl font-semibold")
        yield content


_APP: list[ShopCare] = []
"""The app whose admin this is (``use_app``): the header reads its long work."""


def use_app(shopcare: ShopCare) -> None:
    _APP[:] = [shopcare]


class LongWorkIndicator:
    """Long work in the header of every page: how far it is, and a notice on whichever page
    the owner is on when it ends (work seen running here, then found finished)."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.running: set[int] = set()
        self.box = ui.row().classes("items-center gap-2").mark("long-work")
        self.show(notify=False)
        ui.timer(REFRESH_S, self.show)

    def show(self, *, notify: bool = True) -> None:
        work = work_in_view(self.shopcare.sessions, now=self.shopcare.clock())
        for item in work:
            if item.id in self.running and item.status != "running" and notify:
                kind = "positive" if item.status == "done" else "negative"
                ui.notify(f"{item.title}: {item.message or item.status}", type=kind)
        self.running = {w.id for w in work if w.status == "running"}
        self.box.clear()
        if not work:
            return
        with self.box:
            label = f"{len(self.running)} running" if self.running else "Work done"
            with (
                ui.button(label, icon="sync" if self.running else "task_alt")
                .props("flat no-caps color=white")
                .mark("long-work-button"),
                ui.menu().classes("p-3 min-w-72"),
            ):
                for item in work:
                    with ui.column().classes("gap-1 w-full").mark(f"work-{item.id}"):
                        ui.label(item.title).classes("font-medium")
                        if item.status == "running":
                            ui.linear_progress(value=item.fraction or 0, show_value=False).props(
                                "" if item.fraction is not None else "indeterminate"
                            )
                        else:
                            ui.label(f"{item.status}: {item.message}").classes("text-sm")


def _search_box() -> None:
    """Finds an order by number, name, email, tracking number or RMA from any page; ``/``
    anywhere (outside a field) puts the cursor in it."""
    box = (
        ui.input(placeholder="Search orders  /")
        .props('dense dark standout aria-label="Search orders" type=search')
        .classes("w-64")
        .mark("header-search")
    )

    def search() -> None:
        text = (box.value or "").strip()
        ui.navigate.to(f"/admin/orders?{urlencode({'q': text})}" if text else "/admin/orders")

    box.on("keydown.enter", search)

    def focus(event: KeyEventArguments) -> None:
        if event.key == "/" and event.action.keydown:
            box.run_method("focus")

    ui.keyboard(on_key=focus)


def _nav_for_viewer() -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    live = signed_in(ui.context.client.request)
    return nav_for(live.role if live else Role.OWNER)


def nav_for(role: Role) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The groups and pages this role may open (staff see no settings)."""
    shown = [(g, tuple(p for p in pages if may_open(role, p[1]))) for g, pages in NAV]
    return [(g, pages) for g, pages in shown if pages]


def _dark_mode_switch() -> None:
    """The owner's choice, kept with their browser session (NiceGUI's user storage)."""
    dark = ui.dark_mode(value=bool(app.storage.user.get("dark", False)))

    def flip() -> None:
        dark.value = not dark.value
        app.storage.user["dark"] = dark.value
        button.props(f"icon={'light_mode' if dark.value else 'dark_mode'}")
        button.props["aria-label"] = "Light mode" if dark.value else "Dark mode"

    button = (
        ui.button(on_click=flip)
        .props(f"flat round color=white icon={'light_mode' if dark.value else 'dark_mode'}")
        .mark("dark-mode")
    )
    button.props["aria-label"] = "Light mode" if dark.value else "Dark mode"


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
