"""The message log (``/admin/messages/log``): every message the outbox holds, one server
page at a time, its state in the URL; a failed one shows why, an SMS or WhatsApp message
what Twilio reported became of it; a click opens its order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from nicegui import events, ui
from starlette.requests import Request

from shopcare.services.messages.log import (
    NOT_DELIVERED,
    LoggedMessage,
    MessageQuery,
    message_page,
)
from shopcare.ui.admin.layout import frame, status_label, when
from shopcare.ui.admin.tables import server_paged_table

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": "created", "label": "Created", "field": "created", "align": "left"},
    {"name": "order", "label": "Order", "field": "order", "align": "left"},
    {"name": "kind", "label": "Message", "field": "kind", "align": "left"},
    {"name": "recipient", "label": "To", "field": "recipient", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "error", "label": "Why", "field": "error", "align": "left"},
]
STATUSES = {"": "Any", "queued": "Queued", "sending": "Sending", "sent": "Sent",
            "failed": "Failed", "skipped": "Skipped",
            NOT_DELIVERED: "Not delivered (Twilio's report)"}  # fmt: skip


def register_message_log(shopcare: ShopCare) -> None:
    @ui.page("/admin/messages/log")
    def message_log_page(request: Request) -> None:
        params = dict(request.query_params)
        query = MessageQuery(
            q=params.get("q", "")[:100],
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            page=int(params["page"]) if params.get("page", "").isdigit() else 1,
            per_page=int(params["per_page"]) if params.get("per_page", "").isdigit() else 25,
        )
        page = message_page(shopcare.sessions, query)
        with frame("Message log"):
            _filters(page.query)
            if page.total == 0:
                with ui.card().classes("w-full").mark("empty"):
                    ui.label("No messages here. Messages are written when orders ship and move.")
                    ui.link("Message rules and templates", "/admin/messages")
                return
            ui.label(f"{page.total:,} messages").mark("message-count").classes("text-slate-600")
            table = server_paged_table(
                COLUMNS,
                [_row(m) for m in page.rows],
                page=page.query.page,
                per_page=page.query.per_page,
                total=page.total,
                address=lambda n, size: _url(page.query, page=n, per_page=size),
            )
            table.on("rowClick", _open_order)


def _filters(query: MessageQuery) -> None:
    with ui.row().classes("items-end gap-3 w-full"):
        q = ui.input("Order, name, email, tracking, RMA", value=query.q).props("clearable dense")
        status = ui.select(STATUSES, value=query.status, label="Status").mark("message-status")

        def apply() -> None:
            changed = MessageQuery(q=q.value or "", status=status.value or "", kind=query.kind)
            ui.navigate.to(_url(changed, per_page=query.per_page))

        q.on("keydown.enter", apply)
        ui.button("Apply", on_click=apply).props("dense").mark("apply-filters")


def _url(query: MessageQuery, **changes: Any) -> str:
    values = {**query.__dict__, **changes}
    default = MessageQuery().__dict__
    params = {k: str(v) for k, v in values.items() if v and v != default[k]}
    return "/admin/messages/log" + ("?" + urlencode(params) if params else "")


def _row(m: LoggedMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "order_id": m.order_id,
        "created": when(m.created_at),
        "order": m.order_number,
        "kind": status_label(m.kind) + ("" if m.channel == "email" else f" ({m.channel})"),
        "recipient": m.recipient,
        "status": _status(m) + (f" · {m.attempts} tries" if m.attempts > 1 else ""),
        "error": m.last_error,
    }


def _status(m: LoggedMessage) -> str:
    """Twilio's report once there is one ("Delivered", "Failed: 63016 — …"), else ours."""
    if m.delivery:
        return m.delivery[:1].upper() + m.delivery[1:]
    return status_label(m.status)


def _open_order(event: events.GenericEventArguments) -> None:
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "order_id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['order_id'])}")
