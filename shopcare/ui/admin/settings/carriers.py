"""Carrier accounts and provider health: one card per adapter, the calls each provider took
today, and the pauses that wait for the owner.

The cards hold typed input, so only the health table is re-read by the timer. Secrets come
back masked; a masked secret left as it is keeps the stored one (the service's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import UNREADABLE
from shopcare.services.tracking.carrier_accounts import (
    AccountView,
    list_accounts,
    save_account,
    test_connection,
)
from shopcare.services.tracking.provider_views import ProviderRow, production_address, provider_rows
from shopcare.services.tracking.providers import resume_provider
from shopcare.ui.admin.layout import REFRESH_S, frame, when
from shopcare.ui.admin.settings.mail_address import reachability_note

if TYPE_CHECKING:
    from shopcare.app import ShopCare

HEALTH_COLUMNS: list[dict[str, Any]] = [
    {"name": k, "label": label, "field": k, "align": "left"}
    for k, label in (
        ("label", "Provider"),
        ("calls", "Calls today"),
        ("errors", "Errors today"),
        ("last_error", "Last error"),
        ("paused", "Paused because"),
        ("open_until", "Resting until"),
    )
]


def register_carriers(shopcare: ShopCare) -> None:
    @ui.page("/admin/carriers")
    def carriers_page() -> None:
        with frame("Carriers"):
            ui.label("Provider status").classes("text-lg")

            @ui.refreshable
            def health() -> None:
                _health(shopcare, on_resume=health.refresh)

            health()
            ui.timer(REFRESH_S, health.refresh)
            ui.label("Accounts").classes("text-lg")
            ui.label(
                "Turn on the carriers and tracking services you have an account with. "
                "Parcels whose carrier is not set are followed by the best account for "
                "their number."
            ).classes("text-sm text-gray-600")
            for view in list_accounts(shopcare.sessions):
                AccountCard(shopcare, view)


def _health(shopcare: ShopCare, *, on_resume: Callable[[], object]) -> None:
    rows = provider_rows(shopcare.sessions)
    if not rows:
        ui.label("No provider has been asked anything yet.").mark("no-provider-calls")
        return
    ui.table(columns=HEALTH_COLUMNS, rows=[_health_row(r) for r in rows], row_key="name").classes(
        "w-full"
    ).mark("provider-health")
    for row in rows:
        if row.paused_reason:
            with ui.row().classes("items-center gap-2").mark(f"paused-{row.name}"):
                ui.label(f"{row.label} is paused: {row.paused_reason}").classes("text-negative")

                def resume(name: str = row.name, label: str = row.label) -> None:
                    resume_provider(shopcare.sessions, name)
                    ui.notify(f"{label} resumed", type="positive")
                    on_resume()

                ui.button("Resume", on_click=resume).props("flat").mark(f"resume-{row.name}")


def _health_row(row: ProviderRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "label": row.label,
        "calls": row.calls_today,
        "errors": row.errors_today,
        "last_error": row.last_error or "—",
        "paused": row.paused_reason or "—",
        "open_until": when(row.open_until),
    }


class AccountCard:
    """One adapter's account: switch, credentials, API address, save and test."""

    def __init__(self, shopcare: ShopCare, view: AccountView) -> None:
        self.shopcare = shopcare
        self.name, self.label = view.name, view.label
        self.inputs: dict[str, ui.input] = {}
        with ui.card().classes("w-full").mark(f"account-{view.name}"):
            with ui.row().classes("w-full items-center"):
                ui.label(view.label).classes("text-lg font-semibold")
                ui.space()
                self.enabled = ui.switch("Enabled", value=view.enabled).mark(f"{view.name}-enabled")
            if view.unreadable:
                ui.label(UNREADABLE).classes("text-negative").mark(f"{view.name}-unreadable")
            with ui.grid(columns=2).classes("w-full"):
                for f in view.fields:
                    field = ui.input(
                        f.label if f.required else f"{f.label} (optional)",
                        value=view.values.get(f.key, ""),
                        password=f.secret,
                    ).mark(f"{view.name}-{f.key}")
                    if f.help:
                        field.props["hint"] = f.help
                    self.inputs[f.key] = field
                self.base_url = ui.input(
                    "API address (optional)",
                    value=view.base_url,
                    placeholder=production_address(view.name),
                ).mark(f"{view.name}-base-url")
                self.base_url.props["hint"] = "Leave empty for the production API"
            if view.pushes:
                self._webhook(view)
            with ui.row().classes("items-center gap-2"):
                ui.button("Save", on_click=self.save).mark(f"{view.name}-save")
                test = ui.button("Test connection", on_click=self.test).props("outline")
                test.tooltip("Asks the provider with the saved account").mark(f"{view.name}-test")
                self.result = ui.label("").mark(f"{view.name}-test-result")

    def _webhook(self, view: AccountView) -> None:
        url = f"{self.shopcare.public_url}/webhooks/carrier/{view.name}"
        with ui.column().classes("gap-0"):
            ui.label(
                f"{view.label} can push news: paste this address in its dashboard, "
                "and its webhook secret above."
            ).classes("text-sm text-gray-600")
            ui.label(url).classes("font-mono select-all").mark(f"{view.name}-webhook")
            reachability_note(self.shopcare)

    def save(self) -> None:
        try:
            save_account(
                self.shopcare.sessions,
                self.name,
                enabled=bool(self.enabled.value),
                values={key: field.value or "" for key, field in self.inputs.items()},
                base_url=(self.base_url.value or "").strip(),
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.shopcare.reload_carriers()
        self._show_stored()
        ui.notify(f"{self.label} saved", type="positive")

    async def test(self) -> None:
        """Uses the saved account, as polling will."""
        self.result.set_text("Testing…")
        self.result.classes(remove="text-positive text-negative")
        text = await test_connection(
            self.shopcare.sessions,
            self.name,
            client=self.shopcare.http,
            clock=self.shopcare.clock,
        )
        self.result.set_text(text)
        self.result.classes("text-positive" if text.startswith("ok") else "text-negative")

    def _show_stored(self) -> None:
        """Secrets typed a moment ago come back masked, as after a reload."""
        view = next(v for v in list_accounts(self.shopcare.sessions) if v.name == self.name)
        for key, field in self.inputs.items():
            field.value = view.values.get(key, "")
        self.base_url.value = view.base_url
