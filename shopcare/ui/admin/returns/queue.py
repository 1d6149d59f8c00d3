"""The returns queue: every return, newest first, narrowed by status, resolution, reason,
dates and a search over RMA, order number and email; ticked rows print as one PDF of slips.

The slips link is a plain link (no pop-up to block) that follows the ticked rows.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from nicegui import events, ui

from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.services.returns.admin import ReturnFilter, ReturnQueue, ReturnRow, return_queue
from shopcare.ui.admin.layout import REFRESH_S, frame, status_label, when
from shopcare.ui.admin.returns.label_panel import month_label_costs
from shopcare.ui.admin.tables import name_the_checkboxes

if TYPE_CHECKING:
    from shopcare.app import ShopCare

SLIPS_URL = "/admin/returns/slips.pdf"
COLUMNS: list[dict[str, Any]] = [
    {"name": "rma", "label": "RMA", "field": "rma", "align": "left"},
    {"name": "date", "label": "Requested", "field": "date", "align": "left", "sortable": True},
    {"name": "order", "label": "Order", "field": "order", "align": "left"},
    {"name": "email", "label": "Email", "field": "email", "align": "left"},
    {"name": "items", "label": "Items", "field": "items"},
    {"name": "reason", "label": "Reason", "field": "reason", "align": "left"},
    {"name": "resolution", "label": "Wants", "field": "resolution", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left", "sortable": True},
]
RESOLUTIONS: dict[str, str] = {
    Resolution.REFUND: "Refund",
    Resolution.EXCHANGE: "Exchange",
    Resolution.STORE_CREDIT: "Store credit",
    Resolution.KEEP: "Keep the item",
}


def register_returns_queue(shopcare: ShopCare) -> None:
    @ui.page("/admin/returns")
    def returns_page() -> None:
        with frame("Returns"):
            month_label_costs(shopcare)
            QueuePage(shopcare)


class QueuePage:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.page, self.per_page = 1, 50
        queue = return_queue(shopcare.sessions, ReturnFilter())
        self.counts_row = ui.row().classes("gap-2")
        with ui.row().classes("w-full items-end gap-3"):
            self.status = self._select("Status", _status_options(), "returns-status")
            self.resolution = self._select(
                "Wants",
                {"": "Any", **RESOLUTIONS},
                "returns-wants",
            )
            self.reason = self._select("Reason", _reason_options(queue), "returns-reason")
            self.since = self._date("From (YYYY-MM-DD)", "returns-since")
            self.until = self._date("To (YYYY-MM-DD)", "returns-until")
            self.text = ui.input("Search RMA, order, email", on_change=self.first_page)
            self.text.props("clearable debounce=300").classes("min-w-64").mark("returns-search")
        with ui.row().classes("items-center gap-3"):
            self.slips = ui.link("Print slips", SLIPS_URL, new_tab=True).mark("print-slips")
            self.picked = ui.label("Tick returns to print their slips.").classes("text-sm")
        self.table = ui.table(
            columns=COLUMNS,
            rows=[],
            row_key="id",
            selection="multiple",
            pagination={"rowsPerPage": self.per_page, "page": 1, "rowsNumber": queue.total},
            on_select=self._selected,
        ).classes("w-full cursor-pointer")
        self.table.mark("returns-table")
        name_the_checkboxes(self.table, row_field="rma")
        self.table.on("rowClick", _open_return)
        self.table.on("request", self._request)
        self._show(queue)
        self._selected()
        ui.timer(REFRESH_S, self.refresh)

    def _select(self, label: str, options: dict[str, str], marker: str) -> ui.select:
        return (
            ui.select(options, label=label, value="", on_change=self.first_page)
            .classes("min-w-40")
            .mark(marker)
        )

    def _date(self, label: str, marker: str) -> ui.input:
        return ui.input(label, on_change=self.first_page).props("clearable").mark(marker)

    def wanted(self) -> ReturnFilter:
        return ReturnFilter(
            status=self.status.value or "",
            resolution=self.resolution.value or "",
            reason=self.reason.value or "",
            since=_day(self.since),
            until=_day(self.until),
            text=self.text.value or "",
            page=self.page,
            per_page=self.per_page,
        )

    def first_page(self) -> None:
        """A new filter starts at its first page."""
        self.page = 1
        self.refresh()

    def _request(self, event: events.GenericEventArguments) -> None:
        """Quasar's server-side pagination asks for a page; the service reads only it."""
        wanted = event.args.get("pagination", {}) if isinstance(event.args, dict) else {}
        self.page = int(wanted.get("page") or 1)
        self.per_page = int(wanted.get("rowsPerPage") or self.per_page) or 50
        self.refresh()

    def refresh(self) -> None:
        self._show(return_queue(self.shopcare.sessions, self.wanted()))

    def _show(self, queue: ReturnQueue) -> None:
        self.page = queue.page
        pager = {"rowsPerPage": self.per_page, "page": queue.page, "rowsNumber": queue.total}
        if self.table.pagination != pager:
            self.table.pagination = pager
        rows = [_row(r) for r in queue.rows]
        if rows != self.table.rows:
            self.table.rows = rows
            shown = {row["id"] for row in rows}
            self.table.selected = [row for row in self.table.selected if row["id"] in shown]
            self._selected()
        reasons = _reason_options(queue)
        if reasons != self.reason.options:
            self.reason.set_options(reasons, value=self.reason.value)
        self.counts_row.clear()
        with self.counts_row:
            for status in ReturnStatus:
                ui.button(
                    f"{status_label(status)} {queue.counts.get(status, 0)}",
                    on_click=lambda s=status.value: self.status.set_value(s),
                ).props("outline dense no-caps").mark(f"count-{status.value}")

    def _selected(self, _: object = None) -> None:
        ids = sorted(int(row["id"]) for row in self.table.selected)
        self.slips.props(f"href={SLIPS_URL}?ids={','.join(map(str, ids))}")
        self.slips.set_visibility(bool(ids))
        self.picked.set_text(f"{len(ids)} ticked." if ids else "Tick returns to print their slips.")


def _status_options() -> dict[str, str]:
    return {"": "Any"} | {s.value: status_label(s) for s in ReturnStatus}


def _reason_options(queue: ReturnQueue) -> dict[str, str]:
    return {"": "Any"} | {reason: status_label(reason) for reason in queue.reasons}


def _day(field: ui.input) -> date | None:
    """A date the owner is still typing is ignored until it is a whole date."""
    try:
        return date.fromisoformat((field.value or "").strip())
    except ValueError:
        return None


def _row(r: ReturnRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "rma": r.rma,
        "date": when(r.created_at),
        "order": r.order_number,
        "email": r.email,
        "items": r.items,
        "reason": status_label(r.reason) if r.reason else "—",
        "resolution": RESOLUTIONS.get(r.resolution, r.resolution),
        "status": status_label(r.status),
    }


def _open_return(event: events.GenericEventArguments) -> None:
    """Quasar's rowClick sends (event, row, index); the row carries the return's id."""
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "id" in row:
        ui.navigate.to(f"/admin/returns/{int(row['id'])}")
