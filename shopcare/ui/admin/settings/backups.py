"""Settings → Backups: the daily backup on or off and where it goes, "Back up now", and the
archives with a download each (owner only: an archive holds every shopper's address).

How to restore is said on the page: it is a command run with ShopCare stopped, not a
button, so a click in a browser can never replace the store the page is served from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from nicegui import ui

from shopcare.domain.roles import Role
from shopcare.services.backups.schedule import (
    BackupFile,
    backup_settings,
    find_backup,
    list_backups,
    save_backup_settings,
)
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.layout import frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": k, "label": label, "field": k, "align": "left"}
    for k, label in (("name", "Archive"), ("made", "Made"), ("size", "Size"))
]


def backups_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin/backups/{name}")
    def download(request: Request, name: str) -> Response:
        live = signed_in(request)
        if live is None or live.role is not Role.OWNER:
            return PlainTextResponse("Only the owner downloads backups.", status_code=403)
        found = find_backup(shopcare.backup_folder(), name)  # one of ours, by name only
        if found is None:
            return PlainTextResponse("No such backup: it may have been removed.", status_code=404)
        return FileResponse(
            found.path,
            media_type="application/zip",
            filename=found.name,
            headers={"Cache-Control": "no-store"},
        )

    return router


def register_backups(shopcare: ShopCare) -> None:
    @ui.page("/admin/backups")
    def backups_page() -> None:
        with frame("Backups"):
            settings = backup_settings(shopcare.sessions)
            folder = shopcare.backup_folder()
            ui.label(
                "A backup is one file with the whole store (orders, parcels, messages, "
                "returns, settings) and the uploads (logo, return photos, DKIM key). "
                "ShopCare makes one a day while it runs and keeps the last 7 days and "
                "4 weeks; copy them to another disk or machine from time to time."
            ).classes("text-sm max-w-3xl")
            with ui.card().classes("w-full max-w-3xl"):
                daily = ui.switch("Back up every day", value=settings.daily).mark("daily")
                where = (
                    ui.input(
                        "Folder",
                        value=settings.folder,
                        placeholder=str(shopcare.settings.data_dir / "backups"),
                    )
                    .classes("w-full")
                    .mark("folder")
                )

                def save() -> None:
                    try:
                        save_backup_settings(
                            shopcare.sessions, folder=where.value or "", daily=bool(daily.value)
                        )
                    except InputError as error:
                        ui.notify(str(error), type="warning")
                        return
                    ui.notify("Saved")
                    archives.refresh()

                with ui.row().classes("gap-2"):
                    ui.button("Save", on_click=save).mark("save")

                    def now() -> None:
                        shopcare.back_up_in_background()
                        ui.notify("Backing up: the header shows when it is done")

                    ui.button("Back up now", on_click=now).props("outline").mark("back-up-now")

            @ui.refreshable
            def archives() -> None:
                _archives(shopcare, list_backups(shopcare.backup_folder()))

            archives()
            ui.timer(5.0, archives.refresh)
            with ui.card().classes("w-full max-w-3xl bg-amber-50").mark("restore-help"):
                ui.label("Restoring").classes("font-bold")
                ui.label(
                    "Stop ShopCare, then run: shopcare restore FILE. It checks the archive, "
                    "keeps the current store aside and brings an older backup up to date."
                )
                ui.label(
                    f"secret.key (in {shopcare.settings.data_dir}) is not in the archives: it "
                    "unlocks the mail password, carrier keys and store tokens. Keep a copy of it "
                    "somewhere safe, apart from the backups; without it a restore on a new "
                    "machine asks for those again."
                ).classes("text-sm")
            ui.label(f"Backups go to {folder}").classes("text-sm text-gray-600").mark("folder-now")


def _archives(shopcare: ShopCare, backups: list[BackupFile]) -> None:
    if not backups:
        ui.label("No backup yet: the first is made within the hour, or now with the button.")
        return
    zone = get_profile(shopcare.sessions).zone
    rows = [
        {
            "name": b.name,
            "made": when(b.made_at.astimezone(zone)),
            "size": f"{b.size / 1e6:.1f} MB",
        }
        for b in backups
    ]
    table = ui.table(columns=COLUMNS, rows=rows, row_key="name").classes("w-full max-w-3xl")
    table.mark("backups")
    table.add_slot(
        "body-cell-name",
        r'<q-td :props="props"><a :href="`/admin/backups/${props.row.name}`" download>'
        r"{{ props.row.name }}</a></q-td>",
    )
