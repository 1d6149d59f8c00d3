"""The owner's first look: paused providers, how many parcels are in each state or late,
orders, and messages.

A timer re-reads the counts every few seconds, so the demo visibly moves without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.admin_views import count_delayed, provider_alerts
from shopcare.services.dashboard import count_orders, counts_by_status, outbox_counts
from shopcare.services.providers import acknowledge_alert
from shopcare.ui.admin.layout import REFRESH_S, frame, status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare

MESSAGE_STATES = ("sent", "queued", "failed")


def register_dashboard(shopcare: ShopCare) -> None:
    @ui.page("/admin")
    def dashboard_page() -> None:
        with frame("Dashboard"):

            @ui.refreshable
            def figures() -> None:
                _alerts(shopcare, on_dismiss=figures.refresh)
                _figures(shopcare)

            figures()
            ui.timer(REFRESH_S, figures.refresh)


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


def _card(label: str, count: int, *, marker: str) -> None:
    with ui.card().classes("min-w-36 items-center").mark(marker):
        ui.label(str(count)).classes("text-3xl font-bold").mark(f"{marker}-count")
        ui.label(label).classes("text-sm text-gray-600")
