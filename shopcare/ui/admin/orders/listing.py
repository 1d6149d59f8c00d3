"""The order list: newest first, one row per order, a click opens the order.

A timer swaps in fresh rows so statuses move on their own; the table itself stays, so the
owner's sorting and page survive the refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import events, ui

from shopcare.services.insight.dashboard import OrderRow, list_orders
from shopcare.ui.admin.layout import REFRESH_S, frame, status_label, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": "number", "label": "Order", "field": "number", "align": "left", "sortable": True},
    {"name": "date", "label": "Date", "field": "date", "align": "left", "sortable": True},
    {"name": "customer", "label": "Customer", "field": "customer", "align": "left"},
    {"name": "email", "label": "Email", "field": "email", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left", "sortable": True},
    {"name": "tracking", "label": "Tracking", "field": "tracking", "align": "left"},
]


def register_orders(shopcare: ShopCare) -> None:
    @ui.page("/admin/orders")
    def orders_page() -> None:
        with frame("Orders"):
            ui.link("Add an order by hand", "/admin/orders/new")
            table = ui.table(
                columns=COLUMNS,
                rows=order_rows(shopcare),
                row_key="id",
                pagination={"rowsPerPage": 25},
            ).classes("w-full cursor-pointer")
            table.on("rowClick", _open_order)

            def refresh() -> None:
                rows = order_rows(shopcare)
                if rows != table.rows:
                    table.rows = rows

            ui.timer(REFRESH_S, refresh)


def order_rows(shopcare: ShopCare) -> list[dict[str, Any]]:
    return [_row(order) for order in list_orders(shopcare.sessions)]


def _row(order: OrderRow) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.order_number,
        "date": when(order.placed_at),
        "customer": order.customer,
        "email": order.email,
        "status": ", ".join(status_label(s) for s in order.status.split(", ")),
        "tracking": order.tracking,
    }


def _open_order(event: events.GenericEventArguments) -> None:
    """Quasar's rowClick sends (event, row, index); the row carries the order's id."""
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['id'])}")
