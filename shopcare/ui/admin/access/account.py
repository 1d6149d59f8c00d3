"""The owner's account: change the password, see where the account is signed in, sign out
everywhere, and choose after how long an idle browser is signed out.

The password and "sign out everywhere" are native form posts (like the sign-in page): the
password never travels over the websocket, and ending this browser's session must also
clear its cookie, which only an HTTP answer can. Whatever ends sessions also closes their
open pages' sockets (``LiveSockets.end``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from shopcare.domain.admin_sessions import ABSOLUTE, IDLE_CHOICES, idle_label
from shopcare.services.accounts.admin_sessions import (
    SessionView,
    end_all_sessions,
    get_session_rules,
    list_sessions,
    set_idle_timeout,
)
from shopcare.services.accounts.auth import MIN_PASSWORD, change_password
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.auth import (
    FLASH_KEY,
    forget_cookie,
    pop_flash,
    refuse_foreign_origin,
    sentence,
)
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.access.login import native_field, native_form
from shopcare.ui.admin.access.sockets import LiveSockets
from shopcare.ui.admin.layout import frame, when

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from shopcare.app import ShopCare

PATH = "/admin/account"
COLUMNS: list[dict[str, Any]] = [
    {"name": k, "label": label, "field": k, "align": "left"}
    for k, label in (
        ("browser", "Browser"),
        ("address", "Address"),
        ("signed_in", "Signed in"),
        ("last_seen", "Last seen"),
        ("this", ""),
    )
]


def register_account(shopcare: ShopCare) -> None:
    @ui.page(PATH)
    def account_page(request: Request) -> None:
        live = signed_in(request)
        flash = pop_flash(request)
        with frame("Account"):
            if flash:
                ui.label(flash).classes("font-medium").mark("account-flash")
            if live is None:  # pragma: no cover - the gate lets no one here signed out
                return
            _password_form()
            _idle_choice(shopcare)
            _sessions(shopcare, user_id=live.user_id, current=live.session_id)


def account_router(shopcare: ShopCare, sockets: LiveSockets) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(f"{PATH}/password")
    def password(
        request: Request,
        current: Annotated[str, Form()] = "",
        new: Annotated[str, Form()] = "",
        repeat: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        live = signed_in(request)
        if live is None:  # pragma: no cover - the gate sends these to the sign-in page
            return RedirectResponse("/admin/login", status_code=303)
        try:
            if new != repeat:
                raise InputError("the two new passwords differ")
            ended = change_password(
                shopcare.sessions,
                user_id=live.user_id,
                current=current,
                new=new,
                keep_session=live.session_id,
            )
        except InputError as exc:
            request.session[FLASH_KEY] = sentence(str(exc))
            return RedirectResponse(PATH, status_code=303)
        sockets.end(ended)
        others = f" {len(ended)} other browser(s) signed out." if ended else ""
        request.session[FLASH_KEY] = f"Password changed.{others}"
        return RedirectResponse(PATH, status_code=303)

    @router.post(f"{PATH}/sign-out-everywhere")
    def everywhere(request: Request) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        live = signed_in(request)
        if live is not None:
            sockets.end(end_all_sessions(shopcare.sessions, user_id=live.user_id))
        request.session.clear()
        response = RedirectResponse("/admin/login", status_code=303)
        forget_cookie(request, response)
        return response

    return router


def _password_form() -> None:
    with ui.card().classes("w-full max-w-md"):
        ui.label("Change the password").classes("text-lg font-semibold")
        ui.label("Every other browser signed in to this account is signed out.").classes(
            "text-sm text-gray-600"
        )
        with native_form(f"{PATH}/password").mark("password-form"):
            new = f"type=password autocomplete=new-password minlength={MIN_PASSWORD} required"
            native_field(
                "Current password",
                "type=password name=current required autocomplete=current-password",
            )
            native_field("New password", f"{new} name=new")
            native_field("Repeat the new password", f"{new} name=repeat")
            ui.button("Change password").props("type=submit").mark("change-password")


def _idle_choice(shopcare: ShopCare) -> None:
    rules = get_session_rules(shopcare.sessions)
    options = {int(c.total_seconds() // 60): idle_label(c) for c in IDLE_CHOICES}
    with ui.card().classes("w-full max-w-md"):
        ui.label("Sign out when idle").classes("text-lg font-semibold")
        ui.label(
            "A browser that made no request for this long is signed out; every browser is "
            f"signed out {idle_label(ABSOLUTE)} after signing in, however busy."
        ).classes("text-sm text-gray-600")
        choice = ui.select(options, value=rules.idle_minutes, label="Idle timeout")
        choice.classes("w-60").mark("idle-timeout")

        def save() -> None:
            set_idle_timeout(shopcare.sessions, idle=timedelta(minutes=int(choice.value)))
            ui.notify(f"Idle browsers are now signed out after {options[choice.value]}")

        ui.button("Save", on_click=save).mark("save-idle")


def _sessions(shopcare: ShopCare, *, user_id: int, current: int) -> None:
    views = list_sessions(shopcare.sessions, user_id=user_id, current=current, now=shopcare.clock())
    zone = get_profile(shopcare.sessions).zone
    with ui.card().classes("w-full"):
        ui.label("Signed in").classes("text-lg font-semibold")
        rows = [_row(v, zone) for v in views]
        ui.table(columns=COLUMNS, rows=rows, row_key="id").classes("w-full").mark("sessions")
        with native_form(f"{PATH}/sign-out-everywhere").mark("everywhere-form"):
            ui.button("Sign out everywhere").props("type=submit color=negative").mark(
                "sign-out-everywhere"
            )


def _row(view: SessionView, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": view.session_id,
        "browser": view.browser,
        "address": view.address or "—",
        "signed_in": when(view.created_at.astimezone(zone)),
        "last_seen": when(view.last_seen_at.astimezone(zone)),
        "this": "this browser" if view.current else "",
    }
