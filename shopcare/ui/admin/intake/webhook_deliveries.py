"""The last platform webhook deliveries with their outcome, so an owner can see why an order
is missing (a delivery that failed says why; one never received is not here at all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.intake.webhooks import DeliveryView, recent_deliveries
from shopcare.ui.admin.layout import REFRESH_S, frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

SHOWN = 200
PLATFORMS = {"shopify": "Shopify", "woocommerce": "WooCommerce"}
RESULTS = {
    "received": "Waiting",
    "applied": "Applied",
    "ignored": "Ignored",
    "stale": "Stale (older copy)",
    "failed": "Failed",
}
COLUMNS = [
    {"name": "time", "label": "Received", "field": "time", "align": "left"},
    {"name": "platform", "label": "Platform", "field": "platform", "align": "left"},
    {"name": "topic", "label": "Topic", "field": "topic", "align": "left"},
    {"name": "order", "label": "Order", "field": "order", "align": "left"},
    {"name": "result", "label": "Result", "field": "result", "align": "left"},
    {"name": "error", "label": "Error", "field": "error", "align": "left"},
]


def register_webhook_deliveries(shopcare: ShopCare) -> None:
    @ui.page("/admin/webhooks")
    def webhook_deliveries_page() -> None:
        with frame("Webhooks"):
            ui.label(
                f"The last {SHOWN} deliveries from the shop platform. Set the webhooks up on "
                "the platform to POST to /webhooks/shopify or /webhooks/woocommerce, signed "
                "with the secret saved under Store connection."
            ).classes("text-sm text-gray-600")
            DeliveryTable(shopcare)


class DeliveryTable:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.deliveries = recent_deliveries(shopcare.sessions, limit=SHOWN)
        self.listing = ui.refreshable(self._listing)
        self.listing()
        ui.timer(REFRESH_S, self.reload)

    def reload(self) -> None:
        deliveries = recent_deliveries(self.shopcare.sessions, limit=SHOWN)
        if deliveries != self.deliveries:
            self.deliveries = deliveries
            self.listing.refresh()

    def _listing(self) -> None:
        if not self.deliveries:
            ui.label("No webhook has arrived yet.").mark("no-deliveries")
            return
        rows = [_row(i, d) for i, d in enumerate(self.deliveries)]
        ui.table(columns=COLUMNS, rows=rows, row_key="id", pagination=50).classes("w-full").mark(
            "deliveries"
        )


def _row(index: int, delivery: DeliveryView) -> dict[str, str | int]:
    return {
        "id": index,
        "time": when(delivery.received_at),
        "platform": PLATFORMS.get(delivery.platform, delivery.platform),
        "topic": delivery.topic,
        "order": delivery.order_number,
        "result": RESULTS.get(delivery.status, delivery.status),
        "error": delivery.error,
    }
