"""Settings → Customers' data: the shop's duties to a shopper who asks (GDPR). Find what the
store holds about an email address, download it as JSON, erase it after typing the address
again; and how long return photos and messages' contents are kept.

Owner only: the gate refuses staff on any path outside ``domain.roles.STAFF_PATHS``. The
JSON is handed to the browser from the page itself (``ui.download.content``), so no address
with the shopper's email is ever requested, logged or cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import run, ui

from shopcare.services.errors import InputError
from shopcare.services.privacy.erase import erase_shopper
from shopcare.services.privacy.export import Found, find_shopper, shopper_json
from shopcare.services.privacy.retention import retention_settings, save_retention
from shopcare.ui.admin.access.gate import current_admin
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare

PATH = "/admin/privacy"


def register_privacy(shopcare: ShopCare) -> None:
    @ui.page(PATH)
    def privacy_page() -> None:
        with frame("Customers' data"):
            ui.label(
                "A shopper may ask what the shop keeps about them, and to have it erased. "
                "Search by their email address: download what was found, then erase it. "
                "Erasing keeps the shop's figures (orders, parcels, messages, returns and "
                "scores are still counted) without anything that names the shopper."
            ).classes("text-sm text-gray-600 max-w-3xl")
            ShopperCard(shopcare)
            _retention_card(shopcare)


class ShopperCard:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.found: Found | None = None
        with ui.card().classes("w-full max-w-3xl gap-2"):
            ui.label("Find a shopper's data").classes("text-lg font-medium")
            with ui.row().classes("items-end gap-2"):
                self.email = ui.input("Email address").classes("w-80").mark("privacy-email")
                self.email.on("keydown.enter", self.search)
                ui.button("Search", on_click=self.search).mark("privacy-search")
            self.result = ui.column().classes("w-full gap-2")

    def _find(self, email: str) -> Found:
        settings = self.shopcare.settings
        return find_shopper(
            self.shopcare.sessions, email, data_dir=settings.data_dir,
            mailbox_dir=settings.mailbox_dir,
        )  # fmt: skip

    async def search(self) -> None:
        """Off the event loop: the search reads the messages and logs for the address."""
        self.result.clear()
        try:
            found = self.found = await run.io_bound(self._find, self.email.value or "")
        except InputError as error:
            ui.notify(str(error), type="warning")
            return
        if found is None:  # the app is stopping
            return
        with self.result:
            if not found.found:
                ui.label(f"Nothing found for {found.email}.").mark("privacy-nothing")
                return
            self._show(found)

    def _show(self, found: Found) -> None:
        ui.label(f"Found for {found.email}:").classes("font-medium")
        with ui.column().classes("gap-0 text-sm").mark("privacy-counts"):
            for name, count in found.counts().items():
                ui.label(f"{name.replace('_', ' ')}: {count}")
        ui.button("Download JSON", on_click=self.download).props("outline").mark("privacy-download")
        with ui.card().classes("w-full bg-red-50 gap-2"):
            ui.label(
                "Erasing cannot be undone. Download the JSON first if the shopper asked for "
                "their data. Type the address again to confirm."
            ).classes("text-sm")
            with ui.row().classes("items-end gap-2"):
                confirm = ui.input("Type the address").classes("w-80").mark("privacy-confirm")
                ui.button(
                    "Erase", color="negative", on_click=lambda: self.erase(confirm.value or "")
                ).mark("privacy-erase")

    async def download(self) -> None:
        if self.found is None:
            return
        fresh = await run.io_bound(self._find, self.found.email)  # as it is now
        if fresh is None:
            return
        name = f"shopper-{fresh.email.replace('@', '-at-')}.json"
        ui.download.content(
            shopper_json(fresh, now=self.shopcare.clock()), name, "application/json"
        )

    async def erase(self, typed: str) -> None:
        if self.found is None:
            return
        if typed.strip().lower() != self.found.email:
            ui.notify("Type the address exactly as shown to erase it", type="warning")
            return
        settings = self.shopcare.settings
        erased = await run.io_bound(
            erase_shopper, self.shopcare.sessions, self.found.email, data_dir=settings.data_dir,
            mailbox_dir=settings.mailbox_dir, secret=settings.secret,
            actor=current_admin() or "owner", now=self.shopcare.clock(),
        )  # fmt: skip
        if erased is None:
            return
        self.found = None
        self.result.clear()
        with self.result:
            rows = sum(erased.counts.values())
            ui.label(
                f"Erased {erased.email}: {rows} rows and files. The erasure is recorded "
                "without the address."
            ).mark("privacy-erased")


def _retention_card(shopcare: ShopCare) -> None:
    kept = retention_settings(shopcare.sessions)
    with ui.card().classes("w-full max-w-3xl gap-2"):
        ui.label("How long to keep").classes("text-lg font-medium")
        ui.label(
            "Delete what is no longer needed, once a day. 0 or empty keeps it forever. "
            "Messages keep their kind, status and dates (the dashboard counts them) and lose "
            "the recipient, subject and error, and their copies in the dev mailbox."
        ).classes("text-sm text-gray-600")
        photos = ui.number(
            "Return photos: days after the return is settled", value=kept.photo_days or None,
            min=0, precision=0,
        ).classes("w-96").mark("retention-photos")  # fmt: skip
        messages = ui.number(
            "Messages: days after they were written", value=kept.message_days or None,
            min=0, precision=0,
        ).classes("w-96").mark("retention-messages")  # fmt: skip

        def save() -> None:
            try:
                save_retention(
                    shopcare.sessions,
                    photo_days=_days(photos.value),
                    message_days=_days(messages.value),
                )
            except InputError as error:
                ui.notify(str(error), type="warning")
                return
            ui.notify("Saved")

        ui.button("Save", on_click=save).mark("retention-save")


def _days(value: float | None) -> int | None:
    return None if value is None else int(value)
