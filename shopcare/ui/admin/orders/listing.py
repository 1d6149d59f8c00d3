"""The order list: one page at a time from the store, however many orders there are.

Search, filters, sort and page live in the address (``/admin/orders?q=…&delayed=1&page=3``),
so a view is a bookmark, the header's search box (``/`` anywhere) lands here, and Back works.
A change of filter loads the page again; ticked rows take the bulk actions.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import events, ui

from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.csv_report import write_safe_csv
from shopcare.services.orders.listing import (
    PAGE_SIZES,
    SAVED_VIEWS,
    SORTS,
    OrderPage,
    OrderQuery,
    OrderRow,
    export_rows,
    find_orders,
    resend_failed,
    return_ids,
    shipment_ids,
)
from shopcare.services.returns.slips import MAX_BATCH
from shopcare.ui.admin.layout import frame, status_label, when
from shopcare.ui.admin.tables import name_the_checkboxes

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": "number", "label": "Order", "field": "number", "align": "left"},
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "customer", "label": "Customer", "field": "customer", "align": "left"},
    {"name": "email", "label": "Email", "field": "email", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "tracking", "label": "Tracking", "field": "tracking", "align": "left"},
]
FLAGS = {
    "delayed": "Delayed",
    "exception": "Exception",
    "has_return": "Has a return",
    "message_failed": "Message failed",
}
STATUS_CHOICES = {"": "Any status", "not_shipped": "Not shipped"} | {
    s.value: status_label(s.value) for s in ShipmentStatus
}
EXPORT_HEADER = ["order", "placed", "customer", "email", "status", "carriers", "tracking"]


def query_from(params: dict[str, str]) -> OrderQuery:
    """The list's state from the address; what cannot be read is left out, never an error."""
    view = SAVED_VIEWS.get(params.get("view", ""))
    base = view[1] if view else OrderQuery()
    return OrderQuery(
        search=params.get("q", base.search)[:200],
        status=params.get("status", base.status),
        carrier=params.get("carrier", base.carrier)[:32],
        since=_day(params.get("since")) or base.since,
        until=_day(params.get("until")) or base.until,
        delayed=params.get("delayed") == "1" or base.delayed,
        exception=params.get("exception") == "1" or base.exception,
        has_return=params.get("has_return") == "1" or base.has_return,
        message_failed=params.get("message_failed") == "1" or base.message_failed,
        unshipped_days=base.unshipped_days,
        sort=params.get("sort", base.sort),
        page=_int(params.get("page"), 1),
        per_page=_int(params.get("per_page"), PAGE_SIZES[0]),
    )


def address_of(params: dict[str, str], **changes: object) -> str:
    """The list's address with ``changes``; a change of anything but the page starts over
    at page 1; empty values are left out."""
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    if "page" not in changes:
        merged.pop("page", None)
    kept = {k: v for k, v in merged.items() if v not in ("", "0", "None")}
    return "/admin/orders" + (f"?{urlencode(kept)}" if kept else "")


def register_orders(shopcare: ShopCare) -> None:
    @ui.page("/admin/orders")
    def orders_page(request: Request) -> None:
        params = dict(request.query_params)
        query = query_from(params)
        page = find_orders(shopcare.sessions, query, now=shopcare.clock())
        with frame("Orders"):
            OrderList(shopcare, params, query, page)


class OrderList:
    def __init__(
        self, shopcare: ShopCare, params: dict[str, str], query: OrderQuery, page: OrderPage
    ) -> None:
        self.shopcare, self.params, self.query, self.page = shopcare, params, query, page
        self._views()
        self._filters()
        if not page.total:
            self._empty()
            return
        self._actions()
        self.table = ui.table(
            columns=COLUMNS, rows=[_row(r) for r in page.rows], row_key="id", selection="multiple"
        ).classes("w-full cursor-pointer")
        self.table.props("hide-pagination :pagination='{rowsPerPage: 0}'")
        self.table.mark("orders-table")
        name_the_checkboxes(self.table, row_field="number")
        self.table.on("rowClick", _open_order)
        self._pager()

    def go(self, **changes: object) -> None:
        ui.navigate.to(address_of(self.params, **changes))

    def _views(self) -> None:
        with ui.row().classes("items-center gap-2").mark("saved-views"):
            ui.label("Views:").classes("text-sm")
            current = self.params.get("view", "")
            ui.link("All orders", "/admin/orders").mark("view-all")
            for key, (label, _) in SAVED_VIEWS.items():
                link = ui.link(label, f"/admin/orders?view={key}").mark(f"view-{key}")
                if key == current:
                    link.classes("font-bold")
                    link.props["aria-current"] = "page"
            ui.space()
            ui.link("Parcels", "/admin/parcels").mark("parcel-list")
            ui.link("Message log", "/admin/messages/log").mark("message-log")
            ui.link("Add an order by hand", "/admin/orders/new")

    def _filters(self) -> None:
        q = self.query
        with ui.row().classes("w-full items-end gap-3").mark("order-filters"):
            search = (
                ui.input("Search: order, name, email, tracking number, RMA", value=q.search)
                .classes("min-w-80")
                .mark("orders-search")
            )
            search.props("clearable")
            search.on("keydown.enter", lambda: self.go(q=search.value or ""))
            search.on("clear", lambda: self.go(q=""))
            ui.select(
                STATUS_CHOICES,
                value=q.status if q.status in STATUS_CHOICES else "",
                label="Status",
                on_change=lambda e: self.go(status=e.value or ""),
            ).classes("min-w-40").mark("orders-status")
            carriers = {"": "Any carrier"} | {c: c for c in self.shopcare.carrier_names}
            if q.carrier and q.carrier not in carriers:
                carriers[q.carrier] = q.carrier
            ui.select(
                carriers,
                value=q.carrier,
                label="Carrier",
                on_change=lambda e: self.go(carrier=e.value or ""),
            ).classes("min-w-36").mark("orders-carrier")
            for name, label in (("since", "From (YYYY-MM-DD)"), ("until", "To (YYYY-MM-DD)")):
                value = getattr(q, name)
                box = ui.input(label, value=value.isoformat() if value else "").classes("w-40")
                box.mark(f"orders-{name}")
                box.on("keydown.enter", lambda _, n=name, b=box: self.go(**{n: b.value or ""}))
            for name, label in FLAGS.items():
                ui.checkbox(
                    label,
                    value=bool(getattr(q, name)),
                    on_change=lambda e, n=name: self.go(**{n: "1" if e.value else ""}),
                ).mark(f"orders-{name}")
            ui.select(
                SORTS, value=q.sort, label="Sort", on_change=lambda e: self.go(sort=e.value)
            ).classes("min-w-36").mark("orders-sort")

    def _empty(self) -> None:
        with ui.card().classes("w-full items-start gap-2").mark("orders-empty"):
            filtered = any(k != "page" for k in self.params)
            if filtered:
                ui.label("No order matches this search and these filters.")
                ui.link("Show all orders", "/admin/orders")
                return
            ui.label("No orders yet. Bring them in:").classes("font-medium")
            ui.link("Connect Shopify or WooCommerce", "/admin/store")
            ui.link("Import a CSV export", "/admin/import")
            ui.link("Add an order by hand", "/admin/orders/new")

    def _actions(self) -> None:
        with ui.row().classes("items-center gap-2").mark("bulk-actions"):
            self.chosen = ui.label("Tick orders for the actions, or export all that match.")
            self.chosen.classes("text-sm")
            ui.button("Refresh tracking", on_click=self.refresh).props("outline").mark(
                "bulk-refresh"
            )
            ui.button("Send failed messages again", on_click=self.resend).props("outline").mark(
                "bulk-resend"
            )
            ui.button("Print return slips", on_click=self.slips).props("outline").mark("bulk-slips")
            ui.button("Export CSV", on_click=self.export).props("outline").mark("bulk-export")

    def _selected_ids(self) -> list[int]:
        return [int(r["id"]) for r in self.table.selected]

    async def refresh(self) -> None:
        ids = self._selected_ids()
        if not ids:
            ui.notify("Tick the orders whose parcels to refresh")
            return
        parcels = await asyncio.to_thread(shipment_ids, self.shopcare.sessions, ids)
        if not parcels:
            ui.notify("These orders have no parcel still followed")
            return
        self.shopcare.refresh_in_background(parcels)
        noun = "parcel" if len(parcels) == 1 else "parcels"
        ui.notify(f"Refreshing {len(parcels)} {noun}; the header shows how far", type="info")

    async def resend(self) -> None:
        ids = self._selected_ids()
        if not ids:
            ui.notify("Tick the orders whose failed messages to send again")
            return
        count = await asyncio.to_thread(
            resend_failed, self.shopcare.sessions, ids, now=self.shopcare.clock()
        )
        ui.notify(f"{count} failed messages queued again" if count else "No failed messages")

    async def slips(self) -> None:
        ids = self._selected_ids()
        returns = await asyncio.to_thread(return_ids, self.shopcare.sessions, ids) if ids else []
        if not returns:
            ui.notify("Tick orders that have returns to print their slips")
            return
        ui.navigate.to(
            f"/admin/returns/slips.pdf?ids={','.join(map(str, returns[:MAX_BATCH]))}",
            new_tab=True,
        )

    async def export(self) -> None:
        rows = await asyncio.to_thread(
            export_rows,
            self.shopcare.sessions,
            self.query,
            now=self.shopcare.clock(),
            ids=self._selected_ids(),
        )
        # UTF-8 with a byte-order mark: how spreadsheets recognise UTF-8 (names with accents)
        ui.download.content(orders_csv(rows).encode("utf-8-sig"), "orders.csv", "text/csv")

    def _pager(self) -> None:
        p = self.page
        first = (p.page - 1) * p.per_page + 1
        with ui.row().classes("w-full items-center gap-3").mark("orders-pager"):
            ui.label(
                f"{first:,}–{first + len(p.rows) - 1:,} of {p.total:,} orders · "
                f"page {p.page:,} of {p.pages:,}"
            ).mark("orders-count")
            if p.page > 1:
                ui.link("Previous", address_of(self.params, page=p.page - 1)).mark("page-prev")
            if p.page < p.pages:
                ui.link("Next", address_of(self.params, page=p.page + 1)).mark("page-next")
            ui.space()
            ui.select(
                {n: f"{n} a page" for n in PAGE_SIZES},
                value=p.per_page,
                on_change=lambda e: self.go(per_page=e.value),
            ).props('aria-label="Orders a page"').mark("orders-per-page")


def orders_csv(rows: list[OrderRow]) -> str:
    return write_safe_csv(
        [
            EXPORT_HEADER,
            *(
                [
                    r.order_number,
                    r.placed_at.isoformat(timespec="minutes"),
                    r.customer,
                    r.email,
                    r.status,
                    r.carriers,
                    r.tracking,
                ]
                for r in rows
            ),
        ]
    )


def _row(order: OrderRow) -> dict[str, Any]:
    status = ", ".join(status_label(s) for s in order.status.split(", "))
    if order.delayed:
        status += " (delayed)"
    if order.cancelled:
        status = "Cancelled"
    return {
        "id": order.id,
        "number": order.order_number,
        "date": when(order.placed_at),
        "customer": order.customer,
        "email": order.email,
        "status": status,
        "tracking": order.tracking,
    }


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


def _open_order(event: events.GenericEventArguments) -> None:
    """Quasar's rowClick sends (event, row, index); the row carries the order's id."""
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['id'])}")
