"""Problems shoppers reported from their tracking page, oldest first, until the owner marks
them resolved. The shopper's words are shown as text (labels never render HTML)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.text import isolate
from shopcare.services.shopper_site.problem_reports import (
    ProblemKind,
    ReportRow,
    open_reports,
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
}


def register_problem_reports(shopcare: ShopCare) -> None:
    @ui.page("/admin/problems")
    def problems_page() -> None:
        with frame("Problems"):
            ProblemList(shopcare)


class ProblemList:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.reports = open_reports(shopcare.sessions)
        self.listing = ui.refreshable(self._listing)
        self.listing()
        ui.timer(REFRESH_S, self.reload)

    def reload(self) -> None:
        reports = open_reports(self.shopcare.sessions)
        if reports != self.reports:
            self.reports = reports
            self.listing.refresh()

    def resolve(self, report_id: int) -> None:
        resolve_report(self.shopcare.sessions, report_id, now=self.shopcare.clock())
        ui.notify("Marked resolved")
        self.reload()

    def _listing(self) -> None:
        if not self.reports:
            ui.label("No open problems. Reports from the tracking page land here.")
            return
        for report in self.reports:
            self._card(report)

    def _card(self, report: ReportRow) -> None:
        with ui.card().classes("w-full").mark(f"problem-{report.id}"):
            with ui.row().classes("w-full items-center gap-4"):
                ui.link(f"Order {report.order_number}", f"/admin/orders/{report.order_id}")
                ui.label(KIND_LABELS[report.kind]).classes("font-semibold")
                if report.tracking_number:
                    ui.label(report.tracking_number).classes("font-mono text-sm")
                ui.label(when(report.created_at)).classes("text-sm text-gray-600")
                ui.space()
                ui.button("Mark resolved", on_click=lambda rid=report.id: self.resolve(rid)).props(
                    "flat"
                ).mark(f"resolve-{report.id}")
            if report.message:
                ui.label(isolate(report.message)).classes("whitespace-pre-wrap").mark(
                    "problem-message"
                )
