"""The parcel list (``/admin/parcels``): every shipment, one server page at a time, with its
state in the URL like the order list; a click opens the parcel's order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from nicegui import events, ui
from starlette.requests import Request

from shopcare.services.tracking.parcel_list import ListedParcel, ParcelQuery, parcel_page
from shopcare.ui.admin.layout import frame, status_label, when
from shopcare.ui.admin.orders.listing import STATUS_CHOICES
from shopcare.ui.admin.tables import server_paged_table

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": "tracking", "label": "Tracking", "field": "tracking", "align": "left"},
    {"name": "carrier", "label": "Carrier", "field": "carrier", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "order", "label": "Order", "field": "order", "align": "left"},
    {"name": "shipped", "label": "Shipped", "field": "shipped", "align": "left"},
    {"name": "last", "label": "Last scan", "field": "last", "align": "left"},
]


def register_parcels(shopcare: ShopCare) -> None:
    @ui.page("/admin/parcels")
    def parcels_page(request: Request) -> None:
        params = dict(request.query_params)
        query = ParcelQuery(
            q=params.get("q", "")[:100],
            status=params.get("status", ""),
            carrier=params.get("carrier", ""),
            delayed=params.get("delayed") == "1",
            exception=params.get("exception") == "1",
            page=int(params["page"]) if params.get("page", "").isdigit() else 1,
            per_page=int(params["per_page"]) if params.get("per_page", "").isdigit() else 25,
        )
        page = parcel_page(shopcare.sessions, query)
        with frame("Parcels"):
            _filters(page.query)
            if page.total == 0:
                with ui.card().classes("w-full").mark("empty"):
                    ui.label(
                        "No parcels here. Parcels appear when an order gets a tracking number."
                    )
                    ui.link("Go to the orders", "/admin/orders")
                return
            ui.label(f"{page.total:,} parcels").mark("parcel-count").classes("text-slate-600")
            table = server_paged_table(
                COLUMNS,
                [_row(r) for r in page.rows],
                page=page.query.page,
                per_page=page.query.per_page,
                total=page.total,
                address=lambda n, size: _url(page.query, page=n, per_page=size),
            )
            table.on("rowClick", _open_order)


def _filters(query: ParcelQuery) -> None:
    with ui.row().classes("items-end gap-3 w-full"):
        q = ui.input("Tracking or order number", value=query.q).props("clearable dense")
        status = ui.select(STATUS_CHOICES, value=query.status, label="Status")
        delayed = ui.checkbox("Delayed", value=query.delayed)
        exception = ui.checkbox("Exception", value=query.exception)

        def apply() -> None:
            ui.navigate.to(
                _url(ParcelQuery(q=q.value or "", status=status.value or "",
                                 carrier=query.carrier, delayed=delayed.value,
                                 exception=exception.value, per_page=query.per_page))
            )  # fmt: skip

        q.on("keydown.enter", apply)
        ui.button("Apply", on_click=apply).props("dense").mark("apply-filters")


def _url(query: ParcelQuery, **changes: Any) -> str:
    values = {**query.__dict__, **changes}
    default = ParcelQuery().__dict__
    params = {k: ("1" if v is True else str(v)) for k, v in values.items() if v != default[k] and v}
    return "/admin/parcels" + ("?" + urlencode(params) if params else "")


def _row(parcel: ListedParcel) -> dict[str, Any]:
    status = status_label(parcel.status) + (" (delayed)" if parcel.delayed else "")
    return {
        "id": parcel.id,
        "order_id": parcel.order_id,
        "tracking": parcel.tracking_number,
        "carrier": parcel.carrier_label,
        "status": status + (" · sent back" if parcel.sent_back else ""),
        "order": parcel.order_number,
        "shipped": when(parcel.shipped_at),
        "last": when(parcel.last_event_at),
    }


def _open_order(event: events.GenericEventArguments) -> None:
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "order_id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['order_id'])}")
