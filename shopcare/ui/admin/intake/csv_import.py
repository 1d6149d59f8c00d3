"""Admin → Import: upload a CSV export, Preview what it would do, then Import it.

Preview is a dry run of the real import (each chunk written and rolled back), so its report
is exact. The import runs in a worker thread; the progress bar reads the import's row in
the store on a timer, so leaving the page and coming back shows the same progress, and the
finished import's report is kept in the data dir to download as CSV (formulas escaped).
The uploaded file is stored under a random name, never the name the browser sent.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from nicegui import events, run, ui

from shopcare.services.errors import InputError
from shopcare.services.intake.csv_formats import CsvFormat
from shopcare.services.intake.csv_import import (
    ImportOptions,
    ImportReport,
    import_csv,
    summary,
)
from shopcare.services.intake.csv_report import (
    report_csv,
    report_file,
    save_report,
    sorted_problems,
)
from shopcare.services.intake.csv_runs import RunView, latest_run, start_run
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.layout import REFRESH_S, frame, when
from shopcare.ui.admin.settings.data_export import ExportCard
from shopcare.ui.bodies import CSV_UPLOAD

if TYPE_CHECKING:
    from shopcare.app import ShopCare

FORMATS = {"": "Tell from the header", **{f.value: f.value.capitalize() for f in CsvFormat}}
FORMATS["woocommerce"] = "WooCommerce"
KEEP_UPLOADS_S = 24 * 3600
"""Uploaded files are kept this long (Preview, then Import), then removed on the next upload."""
_RUNNING: set[int] = set()
"""Imports running in this process: a run still marked running but not here was interrupted
(the app stopped or was killed) and completes when the file is imported again."""
SHOWN_PROBLEMS = 500
"""Problems listed on the page; the download has them all."""


def register_csv_import(shopcare: ShopCare) -> None:
    @ui.page("/admin/import")
    def import_page() -> None:
        with frame("Import and export"):
            CsvImportPage(shopcare)
            ExportCard(shopcare)


class CsvImportPage:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.path: Path | None = None
        self.filename = ""
        ui.label(
            "Import orders from a Shopify or WooCommerce orders export, or from ShopCare's "
            "generic CSV; or add tracking numbers to imported orders with a tracking CSV "
            "(order number, tracking number, carrier, shipped date). Imported orders get no "
            "confirmation; parcels that left more than 7 days ago are followed without "
            "messages, newer ones tell the shopper as they move."
        ).classes("text-sm text-gray-600")
        ui.upload(  # the browser checks the size; the server caps it too (ui.bodies)
            label="CSV file",
            auto_upload=True,
            max_files=1,
            max_file_size=CSV_UPLOAD,
            max_total_size=CSV_UPLOAD,
            on_upload=self.received,
        ).props("accept=.csv,.txt,text/csv").mark("upload")
        self.chosen = ui.label("No file yet.").mark("chosen-file")
        self.format = ui.select(FORMATS, value="", label="Format").mark("format")
        with ui.row():
            self.preview_button = ui.button("Preview", on_click=self.preview).mark("preview")
            self.import_button = ui.button("Import", on_click=self.start).mark("import")
        self.preview_button.disable()
        self.import_button.disable()
        self.error = ui.label().classes("text-negative").mark("import-error")
        self.progress = ui.column().classes("w-full gap-1")
        self.report = ui.column().classes("w-full gap-2")
        self.show_progress()
        ui.timer(REFRESH_S, self.show_progress)

    async def received(self, event: events.UploadEventArguments) -> None:
        folder = self.shopcare.settings.data_dir / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        _remove_old_uploads(folder)
        path = folder / f"upload-{secrets.token_hex(8)}.csv"
        await event.file.save(path)
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.path, self.filename = path, event.file.name or "upload.csv"
        self.chosen.set_text(f"{self.filename} ({path.stat().st_size:,} bytes), ready")
        self.preview_button.enable()
        self.import_button.enable()
        self.error.set_text("")

    def options(self, *, dry_run: bool) -> ImportOptions:
        fmt = str(self.format.value or "")
        return ImportOptions(
            now=self.shopcare.clock(),
            carriers=self.shopcare.carrier_names,
            zone=get_profile(self.shopcare.sessions).zone,
            format=CsvFormat(fmt) if fmt else None,
            dry_run=dry_run,
        )

    async def preview(self) -> None:
        if self.path is None:
            return
        self.error.set_text("")
        try:
            options = await run.io_bound(self.options, dry_run=True)  # reads the shop's zone
            if options is None:  # the app is shutting down
                return
            report = await run.io_bound(import_csv, self.shopcare.sessions, self.path, options)
        except InputError as exc:
            self.error.set_text(str(exc))
            return
        if report is not None:  # None: the app is shutting down
            self.show_report(report, title=f"Preview of {self.filename}: nothing was changed")

    async def start(self) -> None:
        if self.path is None:
            return
        self.error.set_text("")
        self.import_button.disable()
        sessions, data_dir = self.shopcare.sessions, self.shopcare.settings.data_dir
        run_id = await run.io_bound(
            start_run, sessions, source=self.filename, now=self.shopcare.clock()
        )
        options = await run.io_bound(self.options, dry_run=False)
        if run_id is None or options is None:  # the app is shutting down
            return
        _RUNNING.add(run_id)
        self.show_progress()
        try:
            report = await run.io_bound(import_csv, sessions, self.path, options, run_id=run_id)
        except InputError as exc:
            self.error.set_text(str(exc))
            self.show_progress()
            return
        finally:
            _RUNNING.discard(run_id)
            self.import_button.enable()
        if report is None:  # the app is shutting down; the run shows as interrupted
            return
        await run.io_bound(save_report, data_dir, run_id, report)
        self.show_progress()
        self.show_report(report, title=f"Imported {self.filename}")

    def show_progress(self) -> None:
        last = latest_run(self.shopcare.sessions)
        self.progress.clear()
        if last is None:
            return
        with self.progress:
            ui.linear_progress(value=last.fraction, show_value=False).mark("import-progress")
            zone = get_profile(self.shopcare.sessions).zone
            ui.label(_run_text(last, zone)).mark("import-summary")
            path = report_file(self.shopcare.settings.data_dir, last.id)
            if last.status == "done" and path.exists():
                ui.button(
                    "Download report",
                    on_click=lambda: ui.download.content(
                        path.read_bytes(), f"import-{last.id}-report.csv", "text/csv"
                    ),
                ).props("flat").mark("download-report")

    def show_report(self, report: ImportReport, *, title: str) -> None:
        self.report.clear()
        with self.report:
            ui.label(title).classes("text-lg")
            ui.label(summary(report)).mark("report-summary")
            problems = sorted_problems(report)
            if not problems:
                return
            rows = [
                {"id": i, "line": p.line, "order": p.order_number, "result": p.kind,
                 "reason": p.reason}
                for i, p in enumerate(problems[:SHOWN_PROBLEMS])
            ]  # fmt: skip
            columns = [
                {"name": k, "label": k.capitalize(), "field": k, "align": "left"}
                for k in ("line", "order", "result", "reason")
            ]
            ui.table(columns=columns, rows=rows, row_key="id").classes("w-full").mark(
                "report-table"
            )
            if len(problems) > SHOWN_PROBLEMS:
                ui.label(f"The first {SHOWN_PROBLEMS} of {len(problems):,} are shown.")
            ui.button(
                "Download this report",
                on_click=lambda: ui.download.content(
                    report_csv(report).encode("utf-8-sig"), "import-report.csv", "text/csv"
                ),
            ).props("flat").mark("download-shown")


def _run_text(last: RunView, zone: tzinfo) -> str:
    state = {"running": "Running", "done": "Finished", "failed": "Stopped"}.get(
        last.status, last.status
    )
    if last.status == "running" and last.id not in _RUNNING:
        state = "Interrupted (import the file again to complete it)"
    counts = f"{last.created:,} created, {last.updated:,} updated, {last.rejected:,} rejected"
    text = f"{state}: {last.source} · {counts} · started {when(last.started_at.astimezone(zone))}"
    if last.status == "failed" and last.message:
        text += f" · {last.message}"
    return text


def _remove_old_uploads(folder: Path) -> None:
    """Uploads nobody imported within a day: they hold the shop's customers' data."""
    limit = time.time() - KEEP_UPLOADS_S
    for old in folder.glob("upload-*.csv"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < limit:
                old.unlink()
