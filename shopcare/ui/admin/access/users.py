"""Users and roles (owner only, as the gate enforces): who may sign in to the admin, as the
owner (everything) or staff (orders, returns, problems, mailbox; no settings, users or keys).
A new account's first password is typed here once and changed by its person under Account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from nicegui import ui

from shopcare.domain.roles import Role
from shopcare.services.accounts.auth import MIN_PASSWORD
from shopcare.services.accounts.users import add_user, list_users, remove_user, set_role
from shopcare.services.errors import InputError
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.access.sockets import LiveSockets
from shopcare.ui.admin.layout import frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

ROLES = {Role.OWNER.value: "Owner: everything", Role.STAFF.value: "Staff: daily work"}


def register_users(shopcare: ShopCare, sockets: LiveSockets) -> None:
    @ui.page("/admin/users")
    def users_page(request: Request) -> None:
        live = signed_in(request)
        me = live.user_id if live else 0
        with frame("Users"):
            ui.label(
                "Staff handle orders, returns, problems and the mailbox; only owners change "
                "settings, users and API keys. A changed role applies at the next page: the "
                "account's browsers are signed out."
            ).classes("text-sm text-gray-600")

            @ui.refreshable
            def table() -> None:
                for user in list_users(shopcare.sessions):
                    with (
                        ui.row().classes("items-center gap-4 w-full").mark(f"user-{user.username}")
                    ):
                        ui.label(user.username).classes("font-medium min-w-40")
                        role = ui.select(ROLES, value=user.role.value, label="Role")
                        role.classes("min-w-48").mark(f"role-{user.username}")
                        ui.label(f"since {when(user.created_at)}").classes("text-sm")
                        if user.id == me:
                            ui.label("(you)").classes("text-sm")
                            role.disable()
                            continue

                        def change(_: object, uid: int = user.id, box: ui.select = role) -> None:
                            act(
                                lambda: set_role(
                                    shopcare.sessions, user_id=uid, role=Role(box.value), by=me
                                ),
                                "Role changed",
                            )

                        role.on_value_change(change)
                        ui.button(
                            "Remove",
                            on_click=lambda uid=user.id: act(
                                lambda: remove_user(shopcare.sessions, user_id=uid, by=me),
                                "Account removed",
                            ),
                        ).props("flat color=negative").mark(f"remove-{user.username}")

            def act(change: object, done: str) -> None:
                try:
                    ended = change()  # type: ignore[operator]
                except InputError as exc:
                    ui.notify(str(exc), type="negative")
                else:
                    sockets.end(ended)
                    ui.notify(done, type="positive")
                table.refresh()

            table()
            with ui.card().classes("w-full max-w-xl"):
                ui.label("Add an account").classes("text-lg font-semibold")
                name = ui.input("User name").mark("new-username")
                password = ui.input(
                    f"First password (at least {MIN_PASSWORD} characters)",
                    password=True,
                    password_toggle_button=True,
                ).mark("new-password")
                password.props["autocomplete"] = "new-password"
                role = ui.select(ROLES, value=Role.STAFF.value, label="Role").mark("new-role")

                def create() -> None:
                    try:
                        add_user(
                            shopcare.sessions,
                            username=name.value or "",
                            password=password.value or "",
                            role=Role(role.value),
                            now=shopcare.clock(),
                        )
                    except InputError as exc:
                        ui.notify(str(exc), type="negative")
                        return
                    ui.notify(f"Account {name.value} added", type="positive")
                    name.value = password.value = ""
                    table.refresh()

                ui.button("Add account", on_click=create).mark("add-user")
