"""The dev mailbox: every email ShopCare "sent" while no SMTP server is configured.

The HTML part is shown in a sandboxed iframe (``srcdoc``, no scripts, no same-origin): it
came from our own templates, but it carries shopper-supplied text, so it must not run
anything inside the admin page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.messages.mailbox import StoredMail, dev_mailbox
from shopcare.ui.admin.layout import REFRESH_S, frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
"""Links may open in a new tab; scripts, forms and same-origin access stay off."""


def register_mailbox(shopcare: ShopCare) -> None:
    @ui.page("/admin/mailbox")
    def mailbox_page() -> None:
        with frame("Mailbox"):
            Mailbox(shopcare)


class Mailbox:
    """The message list on the left, the chosen message on the right."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.mails: list[StoredMail] = dev_mailbox(shopcare.sessions, shopcare.settings.mailbox_dir)
        self.chosen: str | None = None
        with ui.row().classes("items-center gap-1 text-sm text-gray-600").mark("mailbox-how"):
            ui.label(
                "Emails land here until a mail server is set; no shopper receives them. "
                "Set one under"
            )
            ui.link("Settings → Email and address", "/admin/email")
        with ui.row().classes("w-full no-wrap items-start gap-4"):
            with ui.column().classes("w-1/3"):
                self.listing = ui.refreshable(self._listing)
                self.listing()
            with ui.column().classes("w-2/3"):
                self.reader = ui.refreshable(self._reader)
                self.reader()
        ui.timer(REFRESH_S, self.reload)

    def reload(self) -> None:
        mails = dev_mailbox(self.shopcare.sessions, self.shopcare.settings.mailbox_dir)
        if [m.file for m in mails] != [m.file for m in self.mails]:
            self.mails = mails
            self.listing.refresh()

    def choose(self, file: str) -> None:
        self.chosen = file
        self.listing.refresh()
        self.reader.refresh()

    def _listing(self) -> None:
        if not self.mails:
            ui.label("No messages yet.")
            return
        with ui.list().props("bordered separator").classes("w-full"):
            for mail in self.mails:
                active = "active" if mail.file == self.chosen else ""
                item = ui.item(on_click=lambda file=mail.file: self.choose(file)).props(active)
                with item, ui.item_section():
                    ui.item_label(mail.subject)
                    ui.item_label(f"{mail.to} · {when(mail.date)}").props("caption")

    def _reader(self) -> None:
        mail = next((m for m in self.mails if m.file == self.chosen), None)
        if mail is None:
            ui.label("Choose a message to read it.")
            return
        ui.label(mail.subject).classes("text-lg font-semibold")
        ui.label(f"To {mail.to} · {when(mail.date)}").classes("text-sm text-gray-600")
        with ui.tabs() as tabs:
            html_tab = ui.tab("HTML")
            text_tab = ui.tab("Text")
        with ui.tab_panels(tabs, value=html_tab).classes("w-full"):
            with ui.tab_panel(html_tab):
                frame_ = ui.element("iframe").classes("w-full h-[600px] border rounded")
                frame_.props["sandbox"] = SANDBOX
                frame_.props["srcdoc"] = mail.html or "<p>(no HTML part)</p>"
            with ui.tab_panel(text_tab):
                ui.label(mail.text).classes("whitespace-pre-wrap font-mono text-sm")
