"""The shop as shoppers see it in every email and page: name, addresses, time zone, brand
colour, logo and links, and the address returns go to; below, the tracking site's look."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from nicegui import events, ui

from shopcare.services.errors import InputError
from shopcare.services.messages.admin import save_profile
from shopcare.services.shop.logo import MAX_BYTES, save_logo
from shopcare.services.shop.profile import ShopProfile, get_profile
from shopcare.ui.admin.layout import frame
from shopcare.ui.admin.settings.site_look import SiteLookForm

if TYPE_CHECKING:
    from shopcare.app import ShopCare

TEXTS: tuple[tuple[str, str, str], ...] = (
    ("name", "Shop name", "Shown as the sender and in every message"),
    ("sender_email", "Sender email", "Emails come from this address"),
    ("support_email", "Support email", "Shoppers' replies go here; so do your test emails"),
    ("logo_url", "Logo address (optional)", "An https:// address mail clients can fetch"),
    ("shop_url", "Shop address (optional)", "Your shop's home page"),
    ("review_url", "Review page (optional)", "Where shoppers write a public review"),
)


def register_shop_profile(shopcare: ShopCare) -> None:
    @ui.page("/admin/shop")
    def shop_page() -> None:
        with frame("Shop"):
            form = ShopForm(shopcare)
            LogoUpload(shopcare, on_saved=form.show)
            SiteLookForm(shopcare)


class LogoUpload:
    """PNG, JPEG or WebP up to 2 MB: checked, scaled to 480 x 160 at most, and used in
    emails, on the tracking page and on the slips."""

    def __init__(self, shopcare: ShopCare, *, on_saved: Callable[[ShopProfile], None]) -> None:
        self.shopcare, self.on_saved = shopcare, on_saved
        with ui.card().classes("w-full"):
            ui.label("Logo").classes("text-lg font-semibold")
            ui.label(
                "PNG, JPEG or WebP, up to 2 MB; it is scaled to at most 480 x 160 pixels."
            ).classes("text-sm text-gray-600")
            ui.upload(
                label="Logo image",
                auto_upload=True,
                max_files=1,
                max_file_size=MAX_BYTES,
                on_upload=self.received,
            ).props("accept=image/png,image/jpeg,image/webp").mark("logo-upload")
            self.shown = ui.label(self._status()).mark("logo-status")

    def _status(self) -> str:
        path = self.shopcare.settings.data_dir / "logo.png"
        return (
            "A logo is uploaded." if path.is_file() else "No logo uploaded: the shop's name shows."
        )

    async def received(self, event: events.UploadEventArguments) -> None:
        data = await event.file.read()
        try:
            saved = await asyncio.to_thread(
                save_logo,
                self.shopcare.sessions,
                self.shopcare.settings.data_dir,
                data,
                public_url=self.shopcare.public_url,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.shown.set_text(f"Logo saved, {saved.width} x {saved.height} pixels.")
        self.on_saved(get_profile(self.shopcare.sessions))
        ui.notify("Logo saved", type="positive")


class ShopForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        profile = get_profile(shopcare.sessions)
        self.texts: dict[str, ui.input] = {}
        with ui.card().classes("w-full"):
            with ui.grid(columns=2).classes("w-full"):
                for name, label, hint in TEXTS:
                    field = ui.input(label, value=getattr(profile, name))
                    field.props["hint"] = hint
                    self.texts[name] = field.mark(f"shop-{name.replace('_', '-')}")
                self.zone = ui.select(
                    sorted(available_timezones()),
                    value=profile.timezone,
                    label="Time zone",
                    with_input=True,
                ).mark("shop-timezone")
                self.color = ui.color_input(
                    "Brand colour", value=profile.brand_color, preview=True
                ).mark("shop-brand-color")
            with ui.row().classes("w-full gap-4"):
                self.returns = ui.textarea("Return address", value=profile.return_address)
                self.returns.classes("w-full max-w-sm").mark("shop-return-address")
                self.postal = ui.textarea("Postal address", value=profile.postal_address)
                self.postal.props["hint"] = (
                    "In every email's footer, as commercial email needs; empty: the return address"
                )
                self.postal.classes("w-full max-w-sm").mark("shop-postal-address")
            ui.button("Save", on_click=self.save).mark("save-shop")

    def save(self) -> None:
        try:
            saved = save_profile(
                self.shopcare.sessions,
                **{name: field.value or "" for name, field in self.texts.items()},
                timezone=str(self.zone.value or ""),
                brand_color=self.color.value or "",
                return_address=self.returns.value or "",
                postal_address=self.postal.value or "",
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.show(saved)
        ui.notify("Shop details saved", type="positive")

    def show(self, profile: ShopProfile) -> None:
        for name, field in self.texts.items():
            field.value = getattr(profile, name)
        self.color.value = profile.brand_color
        self.returns.value = profile.return_address
        self.postal.value = profile.postal_address
