"""The owner's first look: what setup still misses, paused providers, then every insight
panel (``services.insight.panels.PANELS``) for the period chosen in the address, each beside
the period before.

A timer checks every few seconds whether new scans, page views, messages or orders arrived
(a few ``max(id)`` lookups) and only then draws the panels again, so the demo visibly moves
without a reload and an idle page costs next to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from shopcare.domain.insight import Panel, Period
from shopcare.services.insight.cache import data_version, panels
from shopcare.services.insight.ranges import DEFAULT_DAYS, RANGES, period_from, shop_zone
from shopcare.services.setup.checklist import held_messages, opens_setup
from shopcare.services.tracking.provider_views import provider_alerts
from shopcare.services.tracking.providers import acknowledge_alert
from shopcare.ui.admin.insight.panel_view import draw_panel
from shopcare.ui.admin.layout import REFRESH_S, frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def register_dashboard(shopcare: ShopCare) -> None:
    @ui.page("/admin")
    def dashboard_page(request: Request) -> RedirectResponse | None:
        if opens_setup(shopcare.sessions, shopcare.given):
            return RedirectResponse("/admin/start", status_code=303)
        params = dict(request.query_params)
        period = period_from(params, now=shopcare.clock(), zone=shop_zone(shopcare.sessions))
        with frame("Dashboard"):

            @ui.refreshable
            def notices() -> None:
                _setup_banner(shopcare)
                _alerts(shopcare, on_dismiss=notices.refresh)

            notices()
            _range_picker(period, params)
            drawn = ui.column().classes("w-full gap-4").mark("panels")
            seen = [data_version(shopcare.sessions)]

            def draw(built: list[Panel]) -> None:
                drawn.clear()
                with drawn:
                    for panel in built:
                        draw_panel(panel, period)

            # The first drawing is part of the page (its charts' scripts load with it); a
            # cold year takes about a second once, then settled months are kept.
            draw(panels(shopcare.sessions, period, now=shopcare.clock()))

            async def follow() -> None:
                """Banners every tick; panels, built off the event loop, only when new data
                arrived (cheap to ask)."""
                notices.refresh()
                version = await run.io_bound(data_version, shopcare.sessions)
                if version is not None and version != seen[0]:
                    seen[0] = version
                    built = await run.io_bound(
                        panels, shopcare.sessions, period, now=shopcare.clock()
                    )
                    if built is not None:  # None: the app is stopping
                        draw(built)

            ui.timer(REFRESH_S, follow)
        return None


def _setup_banner(shopcare: ShopCare) -> None:
    """What the setup still misses, and what it costs: shopper messages held back."""
    setup = shopcare.setup_checklist()
    if setup.missing:
        with shopcare.sessions() as session:
            waiting = held_messages(session)
        held = shopcare.mail_server() is not None  # the dev mailbox still shows them
        with (
            ui.row()
            .classes("w-full items-center gap-2 p-3 rounded bg-amber-100 border border-amber-400")
            .mark("setup-missing")
        ):
            ui.icon("construction", color="warning")
            missing = ", ".join(i.title.lower() for i in setup.missing)
            if held and waiting:
                noun = "email is" if waiting == 1 else "emails are"
                ui.label(f"{waiting} {noun} waiting until you finish setup ({missing}).")
            elif held:
                ui.label(f"Finish setup: {missing}. Until then emails to shoppers wait.")
            else:  # the dev mailbox reaches nobody: its mail is not held
                ui.label(
                    f"Finish setup: {missing}. Emails go to the dev mailbox for now; once a mail "
                    "server is set, they wait until setup is done."
                )
            ui.space()
            ui.link("Continue setup", "/admin/start").mark("continue-setup")
    if any(i.key == "email" for i in setup.advice):
        with (
            ui.row()
            .classes("w-full items-center gap-2 p-3 rounded bg-amber-50 border border-amber-300")
            .mark("dev-mailbox-banner")
        ):
            ui.icon("mail", color="warning")
            ui.label("No mail server yet: emails land in the dev mailbox and reach no shopper.")
            ui.space()
            ui.link("Set a mail server", "/admin/email")


def _alerts(shopcare: ShopCare, *, on_dismiss: Callable[[], object]) -> None:
    """A provider that refused our credentials waits for the owner; say so until dismissed."""
    for alert in provider_alerts(shopcare.sessions):

        def dismiss(name: str = alert.name) -> None:
            acknowledge_alert(shopcare.sessions, name)
            on_dismiss()

        with (
            ui.row()
            .classes("w-full items-center gap-2 p-3 rounded bg-red-50 border border-red-300")
            .mark(f"alert-{alert.name}")
        ):
            ui.icon("warning", color="negative")
            ui.label(
                f"{alert.label} is paused: {alert.paused_reason.rstrip('.')}. "
                "Fix the account under Carriers."
            )
            ui.space()
            ui.link("Carriers", "/admin/carriers")
            ui.button("Dismiss", on_click=dismiss).props("flat").mark(f"dismiss-{alert.name}")


def _range_picker(period: Period, params: dict[str, str]) -> None:
    """The last 7/30/90/365 days, or any days: the choice lives in the address."""
    current = params.get("days", "") if "from" not in params else ""
    if not current and "from" not in params:
        current = str(DEFAULT_DAYS)
    with ui.row().classes("w-full items-center gap-3").mark("range-picker"):
        ui.label("Period:").classes("text-sm")
        for days in RANGES:
            link = ui.link(f"Last {days} days", f"/admin?days={days}").mark(f"range-{days}")
            if current == str(days):
                link.classes("font-bold no-underline")
        first = ui.input("From", value=period.first.isoformat()).props("type=date dense")
        first.mark("range-from")
        last = ui.input("To", value=period.last.isoformat()).props("type=date dense")
        last.mark("range-to")

        def apply() -> None:
            ui.navigate.to(f"/admin?{urlencode({'from': first.value, 'to': last.value})}")

        ui.button("Show", on_click=apply).props("flat").mark("range-apply")
        ui.label(
            f"{period.first:%d %b %Y} – {period.last:%d %b %Y}, compared with the "
            f"{period.days} days before"
        ).classes("text-sm text-gray-600").mark("range-shown")
