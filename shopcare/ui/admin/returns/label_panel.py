"""The prepaid label on a return's page: what it cost and where it goes, or why it could
not be bought with "try again"; "void" for a cancelled return's label. And the month's
label costs above the returns queue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.returns.labels.purchase import retry_label
from shopcare.services.returns.labels.views import (
    failed_labels,
    label_costs,
    label_view,
    month_bounds,
)
from shopcare.services.returns.labels.voiding import void_label
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.gate import current_admin

if TYPE_CHECKING:
    from shopcare.app import ShopCare

STATES = {
    "due": "Being bought",
    "buying": "Being bought",
    "bought": "Bought",
    "failed": "Not bought",
    "voided": "Voided",
}


def label_section(shopcare: ShopCare, return_id: int, *, on_change: Callable[[], object]) -> None:
    view = label_view(shopcare.sessions, return_id)
    if view is None:
        return
    ui.label("Prepaid return label").classes("text-lg font-semibold mt-2")
    with ui.card().classes("w-full").mark("return-label"):
        words = [STATES.get(view.state, view.state), view.provider]
        words += [p for p in (view.carrier, view.service, view.tracking_number) if p]
        ui.label(" · ".join(words)).classes("font-medium")
        if view.cost:
            ui.label(f"Cost: {view.cost}").mark("return-label-cost")
        if view.refund_status:
            ui.label(f"Refund: {view.refund_status}")
        if view.error:
            ui.label(f"Why: {view.error}").classes("text-negative").mark("return-label-error")
            if view.state == "failed":
                ui.label("The shopper got the approval with the plain slip.").classes("text-sm")

        async def again() -> None:
            try:
                await asyncio.to_thread(
                    retry_label,
                    shopcare.sessions,
                    return_id,
                    now=shopcare.clock(),
                    by=current_admin(),
                )
            except InputError as exc:
                ui.notify(str(exc), type="negative")
                return
            bought = await shopcare.buy_return_labels()
            ui.notify(
                "Label bought." if bought else "The label could not be bought; see why.",
                type="positive" if bought else "warning",
            )
            on_change()

        async def void() -> None:
            try:
                await asyncio.to_thread(
                    void_label, shopcare.sessions, return_id, now=shopcare.clock()
                )
            except InputError as exc:
                ui.notify(str(exc), type="negative")
                return
            await shopcare.buy_return_labels()  # the same pass asks for the refund
            on_change()

        with ui.row():
            if view.can_retry:
                ui.button("Try again", icon="refresh", on_click=again).mark("label-retry")
            if view.can_void:
                ui.button("Void label", icon="undo", on_click=void).mark("label-void")


def month_label_costs(shopcare: ShopCare) -> None:
    """Above the queue: labels bought this month and their cost per currency, and each
    label whose purchase failed, linked to its return's "try again"."""
    zone = get_profile(shopcare.sessions).zone
    start, end = month_bounds(shopcare.clock(), zone)
    costs = label_costs(shopcare.sessions, start=start, end=end)
    if costs:
        text = ", ".join(f"{c.labels} for {c.total}" for c in costs)
        ui.label(f"Prepaid return labels this month: {text}").classes("text-sm").mark(
            "returns-label-costs"
        )
    for failed in failed_labels(shopcare.sessions):
        with ui.row().classes("items-center gap-2 text-sm").mark("returns-label-failed"):
            ui.icon("warning", color="negative")
            ui.link(f"Label of {failed.rma} not bought", f"/admin/returns/{failed.return_id}")
            ui.label(failed.error)
