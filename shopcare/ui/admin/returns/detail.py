"""One return as the owner decides it: the order and shopper, each line with what the
shopper said and what came back, photos, the parcel on its way back, the full history, and
the next steps the status allows.

Photos are served only here, behind the admin sign-in (``AdminGate`` guards every
``/admin/...`` HTTP path), never on the public site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from nicegui import app, ui

from shopcare.domain.text import isolate
from shopcare.services.returns.admin import ReturnDetail, photo_file, return_detail
from shopcare.services.returns.history import SHOPPER, SYSTEM
from shopcare.ui.admin.detail_page import record_frame, redrawn
from shopcare.ui.admin.layout import status_label, when
from shopcare.ui.admin.returns.actions import ReturnSteps
from shopcare.ui.admin.returns.label_panel import label_section
from shopcare.ui.admin.returns.queue import RESOLUTIONS

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LINE_COLUMNS: list[dict[str, Any]] = [
    {"name": "item", "label": "Item", "field": "item", "align": "left"},
    {"name": "quantity", "label": "Returned", "field": "quantity"},
    {"name": "reason", "label": "Reason", "field": "reason", "align": "left"},
    {"name": "comment", "label": "Comment", "field": "comment", "align": "left"},
    {"name": "exchange", "label": "Exchange for", "field": "exchange", "align": "left"},
    {"name": "received", "label": "Received", "field": "received", "align": "left"},
]
ACTORS = {SHOPPER: "the shopper", SYSTEM: ""}
"""How the history names who took a step; any other actor is an admin's user name."""


def register_return_detail(shopcare: ShopCare) -> None:
    app.include_router(photo_router(shopcare))

    @ui.page("/admin/returns/{return_id}")
    def return_page(return_id: str) -> None:
        with record_frame(
            return_id,
            lambda number: return_detail(shopcare.sessions, number),
            what="return",
            title=lambda view: f"Return {view.rma}",
            back=("Back to the returns", "/admin/returns"),
        ) as found:
            if found is None:
                return
            number, _view = found

            def detail() -> None:
                fresh = return_detail(shopcare.sessions, number)
                if fresh is not None:
                    _detail(fresh, steps)

            steps = ReturnSteps(shopcare, on_change=lambda: redraw())
            redraw = redrawn(detail)


def photo_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin/returns/photos/{photo_id}")
    def return_photo(photo_id: int) -> FileResponse:
        found = photo_file(shopcare.sessions, photo_id, data_dir=shopcare.settings.data_dir)
        if found is None:
            raise HTTPException(status_code=404, detail="no such photo")
        path, content_type = found
        return FileResponse(path, media_type=content_type, headers={"Cache-Control": "private"})

    return router


def _detail(view: ReturnDetail, steps: ReturnSteps) -> None:
    with ui.card().classes("w-full"):
        with ui.row().classes("items-center gap-3"):
            ui.badge(status_label(view.status)).mark("return-status")
            ui.label(f"Requested {when(view.created_at)}")
            ui.label(f"Wants: {RESOLUTIONS.get(view.resolution, view.resolution)}")
            if view.auto_approved:
                ui.badge("Approved automatically", color="positive")
        with ui.row().classes("items-center gap-3"):
            ui.link(f"Order {view.order_number}", f"/admin/orders/{view.order_id}").mark(
                "return-order"
            )
            ui.label(f"{isolate(view.customer_name)} · {isolate(view.email)}")
        if view.address:
            ui.label(isolate(view.address)).classes("text-sm text-gray-600")
        if view.reason:
            ui.label(f"Reason: {status_label(view.reason)}")
        if view.comment:
            ui.label(f"Shopper's comment: {isolate(view.comment)}").classes("whitespace-pre-line")
        if view.fee:
            paid_by = "shopper" if view.shipping_paid_by == "shopper" else "shop"
            ui.label(f"Fee taken off: {view.fee} · return shipping paid by the {paid_by}")
        if view.bonus:
            chosen = view.resolution.replace("_", " ")
            ui.label(f"Bonus promised for choosing {chosen}: {view.bonus}").mark("return-bonus")
        _outcome(view)
        with ui.row().classes("gap-4"):
            ui.link("Return slip (PDF)", f"/admin/returns/{view.id}/slip.pdf", new_tab=True)
            ui.link("Back to the returns", "/admin/returns")
    steps.buttons(view)
    _section("Items")
    ui.table(columns=LINE_COLUMNS, rows=_line_rows(view), row_key="id").classes("w-full").mark(
        "return-lines"
    )
    if view.photo_ids:
        _section("Photos")
        with ui.row().classes("gap-2"):
            for photo_id in view.photo_ids:
                url = f"/admin/returns/photos/{photo_id}"
                with ui.link(target=url, new_tab=True):
                    ui.image(url).classes("w-40 h-40 rounded").props("fit=cover").mark(
                        f"photo-{photo_id}"
                    )
    label_section(steps.shopcare, view.id, on_change=steps.on_change)
    _section("Parcel coming back")
    if not view.parcels:
        ui.label("The shopper has not entered a tracking number yet.")
    for parcel in view.parcels:
        with ui.card().classes("w-full").mark("return-parcel"):
            ui.label(
                f"{parcel.carrier} {parcel.tracking_number} · {status_label(parcel.status)}"
            ).classes("font-medium")
            for event in parcel.events[:5]:
                ui.label(
                    " · ".join(filter(None, (when(event.at), event.description, event.location)))
                ).classes("text-sm")
    _section("History")
    with ui.timeline(side="right").classes("w-full").mark("return-history"):
        for i, entry in enumerate(reversed(view.history)):
            who = ACTORS.get(entry.actor, entry.actor)
            ui.timeline_entry(
                entry.detail,
                title=status_label(entry.action) + (f" by {who}" if who else ""),
                subtitle=when(entry.at),
            ).mark(f"history-{i}")


def _outcome(view: ReturnDetail) -> None:
    if view.refund:
        ui.label(f"Refunded: {view.refund}").classes("font-medium").mark("return-refund")
    if view.credit_code:
        ui.label(f"Store credit {view.credit_code} · {view.credit_amount}").classes(
            "font-medium font-mono"
        ).mark("return-credit")
    if view.exchange_order_id:
        ui.link(
            f"Exchange order {view.exchange_order_number}",
            f"/admin/orders/{view.exchange_order_id}",
        ).mark("return-exchange-order")
    if view.owner_note:
        ui.label(f"Your last note: {view.owner_note}").classes("text-sm text-gray-600")


def _line_rows(view: ReturnDetail) -> list[dict[str, Any]]:
    rows = []
    for line in view.lines:
        received = "—"
        if line.received_quantity is not None:
            received = str(line.received_quantity)
            if line.condition:
                received += f" ({status_label(line.condition).lower()})"
        exchange = line.exchange_label
        if exchange and not line.exchange_available:
            exchange += " · not available"
        rows.append(
            {
                "id": line.id,
                "item": " · ".join(filter(None, (line.title, line.variant, line.sku))),
                "quantity": line.quantity,
                "reason": status_label(line.reason) if line.reason else "—",
                "comment": line.comment or "—",
                "exchange": exchange or "—",
                "received": received,
            }
        )
    return rows


def _section(title: str) -> None:
    ui.label(title).classes("text-lg font-semibold mt-2")
