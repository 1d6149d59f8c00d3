"""Settings → Import and export: the "Export your data" card (the whole store as one ZIP,
``services.export``) and its download.

The export runs as long work in the app (``ShopCare.export_in_background``): the card and
the header read its progress from the store on a timer, so the owner can leave the page and
come back, or watch it in the header from any page. The finished file is offered here for a
day.

The download is plain HTTP (a ZIP is no NiceGUI page), owner only: the gate already refuses
staff on a settings path and sends signed-out requests to the sign-in page; the route checks
the session and its role again, so a file holding every shopper's address never depends on
one path rule alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from nicegui import ui

from shopcare.domain.roles import Role
from shopcare.services.export.files import ready_export
from shopcare.services.export.runs import ExportView, last_export
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.layout import REFRESH_S, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

DOWNLOAD = "/admin/export/{name}"


def export_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(DOWNLOAD)
    def download(request: Request, name: str) -> Response:
        live = signed_in(request)
        if live is None or live.role is not Role.OWNER:
            return PlainTextResponse("Only the shop's owner can download the export.", 403)
        path = ready_export(shopcare.settings.data_dir, name, now=shopcare.clock())
        if path is None:
            return PlainTextResponse("No such export: it is removed after a day.", 404)
        return FileResponse(
            path,
            media_type="application/zip",
            filename=path.name,
            headers={"Cache-Control": "no-store"},
        )

    return router


class ExportCard:
    """Start an export, watch it, download it."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        with ui.card().classes("w-full gap-2").mark("export-card"):
            ui.label("Export your data").classes("text-lg font-medium")
            ui.label(
                "Everything ShopCare keeps about your shop, in one ZIP file: every table "
                "(orders, shoppers, parcels and their scans, messages, returns, feedback, "
                "settings) as a CSV file, and all of it again in one JSON file. Passwords, "
                "keys and tokens are left out. The file is kept here for a day."
            ).classes("text-sm text-gray-600")
            self.button = ui.button("Export everything", on_click=self.start).mark("export-start")
            self.state = ui.column().classes("w-full gap-1")
        self.show()
        ui.timer(REFRESH_S, self.show)

    async def start(self) -> None:
        self.button.disable()
        await self.shopcare.export_in_background()
        self.show()

    def show(self) -> None:
        view = last_export(
            self.shopcare.sessions,
            data_dir=self.shopcare.settings.data_dir,
            now=self.shopcare.clock(),
        )
        running = view is not None and view.status == "running" and self.shopcare.exporting()
        self.button.set_enabled(not running)
        self.state.clear()
        if view is None:
            return
        with self.state:
            if running:
                ui.linear_progress(value=view.fraction, show_value=False).mark("export-progress")
            ui.label(self.summary(view, running=running)).classes("text-sm").mark("export-summary")
            if view.file is not None:
                ui.link(f"Download {view.file.name}", DOWNLOAD.format(name=view.file.name)).props(
                    "download"
                ).mark("export-download")

    def summary(self, view: ExportView, *, running: bool) -> str:
        zone = get_profile(self.shopcare.sessions).zone
        started = when(view.started_at.astimezone(zone))
        if running:
            return f"Exporting… {view.fraction:.0%} (started {started})"
        if view.status == "running":  # by a process that has stopped since
            return f"The export started {started} was cut short: export again."
        if view.status == "failed":
            return f"The export started {started} did not finish: {view.message}"
        if view.file is None:
            return f"The export of {started} is no longer kept: export again for a new one."
        return f"Ready: {view.message} (exported {started})"
