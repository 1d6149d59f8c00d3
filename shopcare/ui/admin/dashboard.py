"""The owner's first look: how many parcels are in each state, orders, and messages.

A timer re-reads the counts every few seconds, so the demo visibly moves without a reload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.dashboard import count_orders, counts_by_status, outbox_counts
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
                _figures(shopcare)

            figures()
            ui.timer(REFRESH_S, figures.refresh)


def _figures(shopcare: ShopCare) -> None:
    ui.label("Parcels by status").classes("text-lg")
    with ui.row().classes("w-full gap-3"):
        for status, count in counts_by_status(shopcare.sessions).items():
            _card(status_label(status), count, marker=f"status-{status}")
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
