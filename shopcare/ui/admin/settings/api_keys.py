"""API keys for the REST API: make one with a name, see it once (with a copy button), list
the keys with when each was last used, revoke one.

The whole key is only ever in the page that made it; the list shows its first characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.services.accounts.api_keys import ApiKeyRow, create_key, list_keys, revoke_key
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.layout import frame, when

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": k, "label": label, "field": k, "align": "left"}
    for k, label in (
        ("name", "Name"),
        ("prefix", "Key starts with"),
        ("created", "Created"),
        ("last_used", "Last used"),
        ("state", "State"),
    )
]


def register_api_keys(shopcare: ShopCare) -> None:
    @ui.page("/admin/api-keys")
    def api_keys_page() -> None:
        with frame("API keys"):
            ui.label(
                "Scripts and other systems use the REST API at "
                f"{shopcare.public_url}/api/v1 with a key, sent as "
                "'Authorization: Bearer <key>'. The API's description is at /api/v1/openapi.json."
            ).classes("text-sm text-gray-600")
            shown = ui.column().classes("w-full")

            def keys() -> None:
                listing.clear()
                with listing:
                    _keys(shopcare, on_revoke=keys)

            with ui.row().classes("items-end gap-2"):
                name = ui.input("Name", placeholder="e.g. warehouse script").mark("key-name")

                def create() -> None:
                    try:
                        made = create_key(shopcare.sessions, name.value, now=shopcare.clock())
                    except InputError as error:
                        ui.notify(str(error), type="warning")
                        return
                    name.value = ""
                    _show_once(shown, made.row.name, made.key)
                    keys()

                ui.button("Create key", on_click=create).mark("create-key")
            listing = ui.column().classes("w-full")
            keys()


def _show_once(place: ui.column, name: str, key: str) -> None:
    place.clear()
    with place, ui.card().classes("w-full bg-amber-50").mark("new-key-card"):
        ui.label(f"The key for {name!r}: copy it now, it is not shown again.")
        with ui.row().classes("items-center gap-2"):
            ui.label(key).classes("font-mono select-all break-all").mark("new-key")

            def copy() -> None:
                ui.clipboard.write(key)
                ui.notify("Key copied")

            ui.button("Copy", on_click=copy).props("outline").mark("copy-key")


def _keys(shopcare: ShopCare, *, on_revoke: Any) -> None:
    rows = list_keys(shopcare.sessions)
    if not rows:
        ui.label("No API keys yet.").mark("no-keys")
        return
    zone = get_profile(shopcare.sessions).zone
    ui.table(columns=COLUMNS, rows=[_row(r, zone) for r in rows], row_key="id").classes(
        "w-full"
    ).mark("api-keys")
    for row in rows:
        if row.revoked_at is None:

            def revoke(key_id: int = row.id, name: str = row.name) -> None:
                revoke_key(shopcare.sessions, key_id, now=shopcare.clock())
                ui.notify(f"Key {name!r} revoked: calls with it now get 401")
                on_revoke()

            ui.button(f"Revoke {row.name}", on_click=revoke).props("flat color=negative").mark(
                f"revoke-{row.id}"
            )


def _row(row: ApiKeyRow, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": f"{row.prefix}…",
        "created": when(row.created_at.astimezone(zone)),
        "last_used": when(row.last_used_at.astimezone(zone) if row.last_used_at else None),
        "state": "revoked " + when(row.revoked_at.astimezone(zone)) if row.revoked_at else "active",
    }
