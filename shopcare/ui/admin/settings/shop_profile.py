"""The shop as shoppers see it in every email and page: name, addresses, time zone, brand
colour, logo and links, and the address returns go to; below, the tracking site's look."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from starlette.formparsers import MultiPartException

from shopcare.domain.money import COMMON_CURRENCIES
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import save_profile
from shopcare.services.shop.logo import MAX_BYTES, save_logo
from shopcare.services.shop.profile import ShopProfile, get_profile
from shopcare.ui.admin.access.auth import FLASH_KEY, pop_flash, refuse_foreign_origin, safe_next
from shopcare.ui.admin.layout import frame
from shopcare.ui.admin.settings.site_look import SiteLookForm
from shopcare.ui.bodies import LOGO_FORM_BODY
from shopcare.ui.public.forms import form_with_files
from shopcare.ui.public.templating import LANGUAGE_NAMES

if TYPE_CHECKING:
    from shopcare.app import ShopCare

TEXTS: tuple[tuple[str, str, str], ...] = (
    ("name", "Shop name", "Shown as the sender and in every message"),
    ("sender_email", "Sender email", "Emails come from this address"),
    ("support_email", "Support email", "Shoppers' replies go here; so do your test emails"),
    ("logo_url", "Logo address (optional)", "An https:// address mail clients can fetch"),
    ("shop_url", "Shop address (optional)", "Your shop's home page"),
    (
        "review_url",
        "Review page (optional)",
        "Where shoppers write a public review; offered to those who rate you 9 or 10",
    ),
    (
        "feedback_discount_code",
        "Thank-you code (optional)",
        "A discount code shown to every shopper who answers the feedback request",
    ),
)


def register_shop_profile(shopcare: ShopCare) -> None:
    @ui.page("/admin/shop")
    def shop_page(request: Request) -> None:
        with frame("Shop"):
            ShopForm(shopcare)
            LogoUpload(shopcare, back_to="/admin/shop", message=pop_flash(request))
            SiteLookForm(shopcare)


class LogoUpload:
    """PNG, JPEG or WebP up to 2 MB: checked, scaled to 480 x 160 at most, and used in
    emails, on the tracking page and on the slips. A native form with a labelled file input
    (Quasar's uploader has an unnamed button around its input), posted to ``logo_router``."""

    def __init__(self, shopcare: ShopCare, *, back_to: str, message: str = "") -> None:
        with ui.card().classes("w-full").mark("logo-card"):
            ui.label("Logo").classes("text-lg font-semibold")
            path = shopcare.settings.data_dir / "logo.png"
            ui.label(
                "A logo is uploaded; a new one replaces it."
                if path.is_file()
                else "No logo uploaded: the shop's name shows."
            ).mark("logo-status")
            if message:
                ui.label(message).classes("font-medium").mark("logo-message")
            form = ui.element("form").props(
                f"method=post action={LOGO_ROUTE} enctype=multipart/form-data"
            )
            with form.classes("flex flex-wrap items-end gap-3"):
                back = ui.element("input").props("type=hidden name=next")
                back.props["value"] = back_to
                with ui.element("label").classes("flex flex-col gap-1"):
                    ui.label("Logo image: PNG, JPEG or WebP, up to 2 MB")
                    ui.element("input").props(
                        "type=file name=logo required accept=image/png,image/jpeg,image/webp"
                    ).mark("logo-file")
                ui.button("Upload logo").props("type=submit").mark("logo-submit")


LOGO_ROUTE = "/admin/shop/logo"


def logo_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(LOGO_ROUTE)
    async def upload_logo(request: Request) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        back = "/admin/shop"
        try:
            fields, files = await form_with_files(
                request, max_files=1, max_file_size=MAX_BYTES, limit=LOGO_FORM_BODY, csrf=False
            )
            back = safe_next(fields.get("next"))
            if not files:
                raise InputError("choose an image file first")
            saved = await asyncio.to_thread(
                save_logo,
                shopcare.sessions,
                shopcare.settings.data_dir,
                files[0][2],
                public_url=shopcare.public_url,
            )
            message = f"Logo saved, {saved.width} x {saved.height} pixels."
        except (HTTPException, MultiPartException):
            message = "The logo was not saved: it may be at most 2 MB."
        except InputError as exc:
            message = f"The logo was not saved: {exc}."
        request.session[FLASH_KEY] = message
        return RedirectResponse(back, status_code=303)

    return router


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
                self.currency = ui.select(
                    list(COMMON_CURRENCIES),
                    value=profile.currency,
                    label="Currency",
                    new_value_mode="add",
                ).mark("shop-currency")
                self.currency.props["hint"] = "The default of orders you add by hand"
                self.language = ui.select(
                    LANGUAGE_NAMES, value=profile.default_language, label="Shoppers' language"
                ).mark("shop-language")
                self.language.props["hint"] = (
                    "For shoppers whose own language the shop does not offer"
                )
                self.color = ui.color_input(
                    "Brand colour", value=profile.brand_color, preview=True
                ).mark("shop-brand-color")
            with ui.row().classes("w-full items-center gap-2").mark("shop-languages"):
                ui.label("Languages offered to shoppers:")
                self.offered = {
                    code: ui.checkbox(name, value=code in profile.languages).mark(
                        f"shop-offers-{code}"
                    )
                    for code, name in LANGUAGE_NAMES.items()
                }
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
                currency=str(self.currency.value or "").upper(),
                default_language=str(self.language.value or "en"),
                languages=[code for code, box in self.offered.items() if box.value],
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
        self.currency.value = profile.currency
        self.language.value = profile.default_language
        for code, box in self.offered.items():
            box.value = code in profile.languages
        self.returns.value = profile.return_address
        self.postal.value = profile.postal_address
