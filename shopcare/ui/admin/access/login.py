"""The sign-in and first-run set-up pages.

They are NiceGUI pages for the look, but their forms are native HTML forms with native
inputs posting to the routes in ``auth.py``: the password never travels over the websocket
and is checked server-side, and signing in works with scripts off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from shopcare.services.accounts.auth import MIN_PASSWORD, has_admin
from shopcare.ui.admin.access.auth import pop_flash, safe_next
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.layout import bare

if TYPE_CHECKING:
    from shopcare.app import ShopCare

_INPUT = "w-full border rounded px-3 py-2"


def register_login_pages(shopcare: ShopCare) -> None:
    @ui.page("/admin/login")
    def login_page(request: Request, next: str = "/admin") -> RedirectResponse | None:
        if not has_admin(shopcare.sessions):
            return RedirectResponse("/admin/setup", status_code=303)
        if signed_in(request):
            return RedirectResponse(safe_next(next), status_code=303)
        flash = pop_flash(request)
        with bare("Sign in"):
            ui.label("Sign in to ShopCare").classes("text-2xl font-semibold")
            _flash(flash)
            with native_form("/admin/login"):
                hidden = ui.element("input").props("type=hidden name=next")
                hidden.props["value"] = safe_next(next)
                native_field("User name", "type=text name=username autocomplete=username required")
                native_field(
                    "Password", "type=password name=password autocomplete=current-password required"
                )
                ui.button("Sign in").props("type=submit")
        return None

    @ui.page("/admin/setup")
    def setup_page(request: Request) -> RedirectResponse | None:
        if has_admin(shopcare.sessions):
            return RedirectResponse("/admin/login", status_code=303)
        flash = pop_flash(request)
        with bare("Set up"):
            ui.label("Welcome to ShopCare").classes("text-2xl font-semibold")
            ui.label(
                "Choose the user name and password for the owner's account. "
                f"The password needs at least {MIN_PASSWORD} characters."
            )
            _flash(flash)
            with native_form("/admin/setup"):
                native_field("User name", "type=text name=username autocomplete=username required")
                new = f"type=password autocomplete=new-password minlength={MIN_PASSWORD} required"
                native_field("Password", f"{new} name=password")
                native_field("Repeat the password", f"{new} name=repeat")
                ui.button("Create account").props("type=submit")
        return None


def native_form(action: str) -> ui.element:
    """A plain HTML form posting to ``action``: its fields never travel over the websocket."""
    form = ui.element("form").props(f"method=post action={action}")
    return form.classes("w-full flex flex-col gap-3")


def native_field(label: str, props: str) -> None:
    with ui.element("label").classes("w-full flex flex-col gap-1"):
        ui.label(label)
        ui.element("input").props(props).classes(_INPUT)


def _flash(message: str) -> None:
    if message:
        ui.label(message).classes("text-negative font-medium")
