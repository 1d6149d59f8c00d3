"""Problems shoppers reported from their tracking page and low feedback scores (0-6), oldest
first, until the owner marks them resolved. The shopper's words are shown as text (labels
never render HTML)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from nicegui import ui

from shopcare.domain.text import isolate
from shopcare.services.shopper_site.problem_reports import (
    ProblemKind,
    ReportPage,
    ReportRow,
    report_page,
    resolve_report,
)
from shopcare.ui.admin.layout import REFRESH_S, frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

KIND_LABELS: dict[ProblemKind, str] = {
    ProblemKind.NOT_ARRIVED: "Not arrived",
    ProblemKind.DAMAGED: "Damaged",
    ProblemKind.WRONG_ITEM: "Wrong item",
    ProblemKind.OTHER: "Other",
    ProblemKind.LOW_SCORE: "Low feedback score",
    ProblemKind.RETURN_NOT_SENT: "Instant exchange: item not sent back",
}


def register_problem_reports(shopcare: ShopCare) -> None:
    @ui.page("/admin/problems")
    def problems_page(request: Request) -> None:
        with frame("Problems"):
            ProblemList(
                shopcare,
                status="resolved" if request.query_params.get("status") == "resolved" else "open",
                page=_page(request.query_params.get("page")),
            )


class ProblemList:
    def __init__(self, shopcare: ShopCare, *, status: str, page: int) -> None:
        self.shopcare, self.status, self.page = shopcare, status, page
        with ui.row().classes("gap-4").mark("problem-tabs"):
            for key, label in (("open", "Open"), ("resolved", "Resolved")):
                link = ui.link(label, f"/admin/problems?status={key}").mark(f"problems-{key}")
                if key == status:
                    link.classes("font-bold")
                    link.props["aria-current"] = "page"
        self.found = self._read()
        self.listing = ui.refreshable(self._listing)
        self.listing()
        ui.timer(REFRESH_S, self.reload)

    def _read(self) -> ReportPage:
        return report_page(self.shopcare.sessions, status=self.status, page=self.page)

    def reload(self) -> None:
        found = self._read()
        if found != self.found:
            self.found = found
            self.listing.refresh()

    def resolve(self, report_id: int) -> None:
        resolve_report(self.shopcare.sessions, report_id, now=self.shopcare.clock())
        ui.notify("Marked resolved")
        self.reload()

    def _listing(self) -> None:
        found = self.found
        if not found.rows:
            ui.label(
                "No open problems. Reports from the tracking page land here."
                if self.status == "open"
                else "No resolved problems yet."
            ).mark("problems-empty")
            return
        for report in found.rows:
            self._card(report)
        with ui.row().classes("items-center gap-3").mark("problems-pager"):
            ui.label(f"{found.total:,} {self.status} · page {found.page} of {found.pages}")
            base = f"/admin/problems?status={self.status}&page="
            if found.page > 1:
                ui.link("Previous", f"{base}{found.page - 1}")
            if found.page < found.pages:
                ui.link("Next", f"{base}{found.page + 1}")

    def _card(self, report: ReportRow) -> None:
        with ui.card().classes("w-full").mark(f"problem-{report.id}"):
            with ui.row().classes("w-full items-center gap-4"):
                ui.link(f"Order {report.order_number}", f"/admin/orders/{report.order_id}")
                ui.label(KIND_LABELS[report.kind]).classes("font-semibold")
                if report.tracking_number:
                    ui.label(report.tracking_number).classes("font-mono text-sm")
                ui.label(when(report.created_at)).classes("text-sm text-gray-600")
                ui.space()
                if self.status == "open":
                    ui.button(
                        "Mark resolved", on_click=lambda rid=report.id: self.resolve(rid)
                    ).props("flat").mark(f"resolve-{report.id}")
            if report.message:
                ui.label(isolate(report.message)).classes("whitespace-pre-wrap").mark(
                    "problem-message"
                )


def _page(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1
