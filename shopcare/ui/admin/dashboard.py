"""The owner's first look: paused providers, how many parcels are in each state or late,
orders, and messages.

A timer re-reads the counts every few seconds, so the demo visibly moves without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.responses import RedirectResponse
from nicegui import ui

from shopcare.services.insight.dashboard import (
    Engagement,
    count_open_problems,
    count_orders,
    counts_by_status,
    engagement,
    outbox_counts,
)
from shopcare.services.returns.admin import count_waiting_returns
from shopcare.services.setup.checklist import held_messages, opens_setup
from shopcare.services.tracking.provider_views import count_delayed, provider_alerts
from shopcare.services.tracking.providers import acknowledge_alert
from shopcare.ui.admin.layout import REFRESH_S, frame, status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare

MESSAGE_STATES = ("sent", "queued", "failed")


def register_dashboard(shopcare: ShopCare) -> None:
    @ui.page("/admin")
    def dashboard_page() -> RedirectResponse | None:
        if opens_setup(shopcare.sessions, shopcare.given):
            return RedirectResponse("/admin/start", status_code=303)
        with frame("Dashboard"):

            @ui.refreshable
            def figures() -> None:
                _setup_banner(shopcare)
                _alerts(shopcare, on_dismiss=figures.refresh)
                _figures(shopcare)

            figures()
            ui.timer(REFRESH_S, figures.refresh)
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


def _figures(shopcare: ShopCare) -> None:
    ui.label("Waiting for you").classes("text-lg")
    with ui.row().classes("w-full gap-3"):
        with ui.link(target="/admin/returns").classes("no-underline text-inherit"):
            _card("Returns to handle", count_waiting_returns(shopcare.sessions), marker="returns")
        with ui.link(target="/admin/problems").classes("no-underline text-inherit"):
            _card("Open problems", count_open_problems(shopcare.sessions), marker="problems")
    ui.label("Parcels by status").classes("text-lg")
    with ui.row().classes("w-full gap-3"):
        for status, count in counts_by_status(shopcare.sessions).items():
            _card(status_label(status), count, marker=f"status-{status}")
        _card("Delayed", count_delayed(shopcare.sessions), marker="delayed")
    ui.label("Orders and messages").classes("text-lg")
    messages = outbox_counts(shopcare.sessions)
    with ui.row().classes("w-full gap-3"):
        _card("Orders", count_orders(shopcare.sessions), marker="orders")
        for state in MESSAGE_STATES:
            _card(f"Messages {state}", messages.get(state, 0), marker=f"messages-{state}")
    _engagement(engagement(shopcare.sessions, now=shopcare.clock()))


def _engagement(figures: Engagement) -> None:
    """The WISMO proxy first: tracking views per order is how often shoppers came to ask."""
    ui.label(f"Shoppers, last {figures.days} days").classes("text-lg")
    with ui.row().classes("w-full gap-3"):
        _card("Tracking page views", figures.tracking_views, marker="tracking-views")
        _card(
            "Views per order", _ratio(figures.views_per_order, "{:.1f}"), marker="views-per-order"
        )
        _card("Lookups found", figures.lookups_found, marker="lookups-found")
        _card("Lookups failed", figures.lookups_failed, marker="lookups-failed")
        _card("Offer views", figures.offer_views, marker="offer-views")
        _card("Offer clicks", figures.offer_clicks, marker="offer-clicks")
        _card("Offer click rate", _ratio(figures.offer_ctr, "{:.1%}"), marker="offer-ctr")
        _card("Thank-you page views", figures.thanks_views, marker="thanks-views")


def _ratio(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _card(label: str, count: int | str, *, marker: str) -> None:
    with ui.card().classes("min-w-36 items-center").mark(marker):
        ui.label(str(count)).classes("text-3xl font-bold").mark(f"{marker}-count")
        ui.label(label).classes("text-sm text-gray-600")
