"""Admin → Store connection: pick Shopify or WooCommerce, paste the credentials, Test, then
Import the last N days with a progress bar.

The bar reads the import's row in the store on a timer, so leaving the page and coming back
shows the same progress; the import itself runs in the background (``ShopCare``). Secrets
are never put back into the inputs: an empty secret field keeps the stored one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import run, ui

from shopcare.services.errors import InputError
from shopcare.services.intake.connection import (
    ADDRESS,
    DEFAULT_DAYS,
    FIELDS,
    LABELS,
    connection_view,
    disconnect,
    enabled_platforms,
    save_connection,
    test_connection,
)
from shopcare.services.intake.store_status import RunView, store_status
from shopcare.services.secrets_at_rest.box import UNREADABLE
from shopcare.ui.admin.layout import REFRESH_S, frame, when
from shopcare.ui.admin.settings.mail_address import reachability_note

if TYPE_CHECKING:
    from shopcare.app import ShopCare

WEBHOOK_TOPICS = {
    "shopify": "orders/create, orders/updated, orders/cancelled, fulfillments/create, "
    "fulfillments/update (JSON, latest API version)",
    "woocommerce": "Order created, Order updated, Order deleted (API version WP REST API "
    "Integration v3)",
}


def register_store_connection(shopcare: ShopCare) -> None:
    @ui.page("/admin/store")
    def store_page() -> None:
        with frame("Store connection"):
            ui.label(
                "Connect the shop your orders come from. ShopCare imports the orders of the "
                "last days you choose (old ones quietly, without sending anything), then "
                "takes new orders by webhook and checks for missed ones every 15 minutes."
            ).classes("text-sm text-gray-600")
            connected = enabled_platforms(shopcare.sessions)
            choice = ui.toggle(LABELS, value=connected[0] if connected else "shopify").mark(
                "platform"
            )

            @ui.refreshable
            def form() -> None:
                ConnectionForm(shopcare, str(choice.value))

            form()
            choice.on_value_change(form.refresh)


class ConnectionForm:
    """One platform's credentials, Test and Import, and its imports' progress."""

    def __init__(self, shopcare: ShopCare, platform: str) -> None:
        self.shopcare, self.platform = shopcare, platform
        view = connection_view(shopcare.sessions, platform)
        self.inputs: dict[str, ui.input] = {}
        with ui.card().classes("w-full").mark(f"connection-{platform}"):
            if view.unreadable:
                ui.label(UNREADABLE).classes("text-negative").mark("credentials-unreadable")
            self.address = ui.input(ADDRESS[platform], value=view.shop_url).mark("shop-url")
            self.address.classes("w-full")
            with ui.grid(columns=2).classes("w-full"):
                for f in FIELDS[platform]:
                    kept = f.secret and f.key in view.secrets_set
                    field = ui.input(
                        f.label,
                        value=view.values.get(f.key, ""),
                        password=f.secret,
                        placeholder="saved; leave empty to keep" if kept else "",
                    ).mark(f.key.replace("_", "-"))
                    field.props["hint"] = f.help
                    self.inputs[f.key] = field
                self.webhook_secret = ui.input(
                    "Webhook signing secret",
                    password=True,
                    placeholder="saved; leave empty to keep" if view.webhook_secret_set else "",
                ).mark("webhook-secret")
                self.webhook_secret.props["hint"] = _secret_hint(platform)
                self.days = ui.number(
                    "Import the orders of the last … days",
                    value=view.backfill_days or DEFAULT_DAYS,
                    min=1,
                    max=3650,
                    precision=0,
                ).mark("backfill-days")
                if platform == "shopify":
                    self.days.props["hint"] = "More than 60 needs the read_all_orders scope"
            with ui.row().classes("items-center gap-2"):
                ui.button("Save and test", on_click=self.test).mark("test")
                ui.button("Import", on_click=self.start_import).props("outline").mark("import")
                if view.enabled:
                    ui.button("Check for changes now", on_click=self.reconcile).props("flat").mark(
                        "reconcile-now"
                    )
                    ui.button("Disconnect", on_click=self.disconnect).props("flat color=negative")
                self.result = ui.label("").mark("test-result")
            self._webhooks()
        self.progress = ui.column().classes("w-full gap-2")
        self.show_progress()
        ui.timer(REFRESH_S, self.show_progress)

    def _webhooks(self) -> None:
        url = f"{self.shopcare.public_url}/webhooks/{self.platform}"
        with ui.column().classes("gap-0"):
            ui.label(f"Webhooks: add these in {LABELS[self.platform]} with this address:").classes(
                "text-sm text-gray-600"
            )
            ui.label(url).classes("font-mono select-all").mark("webhook-url")
            reachability_note(self.shopcare)
            ui.label(WEBHOOK_TOPICS[self.platform]).classes("text-sm text-gray-600")

    async def save(self) -> bool:
        """The store's write in a worker thread (``run.io_bound``), never on the loop."""
        try:
            await run.io_bound(
                save_connection,
                self.shopcare.sessions,
                self.platform,
                shop_url=self.address.value or "",
                values={key: field.value or "" for key, field in self.inputs.items()},
                backfill_days=int(self.days.value or DEFAULT_DAYS),
                webhook_secret=self.webhook_secret.value or "",
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return False
        for key, field in self.inputs.items():  # secrets do not stay on the page
            if any(f.key == key and f.secret for f in FIELDS[self.platform]):
                field.value = ""
                field.props["placeholder"] = "saved; leave empty to keep"
        self.webhook_secret.value = ""
        return True

    async def test(self) -> None:
        if not await self.save():
            return
        self.result.set_text("Testing…")
        self.result.classes(remove="text-positive text-negative")
        text = await test_connection(
            self.shopcare.sessions,
            self.platform,
            http=self.shopcare.http,
            clock=self.shopcare.clock,
        )
        self.result.set_text(text)
        self.result.classes("text-negative" if text.startswith("failed") else "text-positive")
        self.show_progress()  # the last error, as the reconcile will meet it

    async def start_import(self) -> None:
        if not await self.save():
            return
        days = int(self.days.value or DEFAULT_DAYS)
        self.shopcare.start_backfill(self.platform, days=days)
        ui.notify(f"Importing the orders of the last {days} days", type="positive")
        self.show_progress()

    async def reconcile(self) -> None:
        """What the 15-minute reconcile does, now (after shipping a parcel on the platform)."""
        await self.shopcare.reconcile_once()
        self.show_progress()

    def disconnect(self) -> None:
        disconnect(self.shopcare.sessions, self.platform, now=self.shopcare.clock())
        ui.notify(f"{LABELS[self.platform]} disconnected: no more reconcile", type="info")

    def show_progress(self) -> None:
        status = store_status(self.shopcare.sessions, self.platform)
        self.progress.clear()
        with self.progress:
            ui.label("Import").classes("text-lg")
            if status.backfill is None:
                ui.label("Nothing imported yet.").mark("no-import")
            else:
                self._run(status.backfill)
            ui.label(
                f"Last reconcile: {when(status.last_reconcile_at)}"
                + (f" · {status.reconcile.summary}" if status.reconcile else "")
            ).classes("text-sm").mark("reconcile")
            if status.last_error:
                ui.label(f"Last error: {status.last_error}").classes("text-negative").mark(
                    "last-error"
                )

    def _run(self, run: RunView) -> None:
        ui.linear_progress(value=run.fraction, show_value=False).mark("import-progress")
        state = {"running": "running", "done": "finished", "failed": "stopped"}[run.status]
        ui.label(f"{state.capitalize()}: {run.summary}").mark("import-summary")
        ui.label(f"Started {when(run.started_at)}, ended {when(run.finished_at)}").classes(
            "text-sm text-gray-600"
        )
        alive = self.shopcare.backfills.get(run.run_id)
        if run.status != "done" and (alive is None or alive.done()):
            ui.button("Resume import", on_click=self.resume).mark("resume")
        if run.message:
            ui.label(run.message).classes("text-sm whitespace-pre-wrap").mark("import-message")

    def resume(self) -> None:
        self.shopcare.start_backfill(self.platform, days=int(self.days.value or DEFAULT_DAYS))
        self.show_progress()


def _secret_hint(platform: str) -> str:
    if platform == "shopify":
        return "Settings → Notifications → Webhooks shows it; for app webhooks, the client secret"
    return "The secret you set on each WooCommerce webhook"
