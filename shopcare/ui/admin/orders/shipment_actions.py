"""What the owner can do to one parcel on the order page: ask the carrier now, change the
carrier, follow an expired parcel again.

The buttons sit in the re-rendered detail; the "Change carrier" dialog is built once per
page outside it, so the timer never wipes what the owner is typing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from nicegui import ui

from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.orders.views import ShipmentView, order_view_by_id
from shopcare.services.tracking.provider_views import carrier_choices
from shopcare.services.tracking.recording import PollReport
from shopcare.services.tracking.shipments import change_carrier, retrack

if TYPE_CHECKING:
    from shopcare.app import ShopCare

Kind = Literal["positive", "negative", "warning", "info"]


class ShipmentActions:
    def __init__(
        self, shopcare: ShopCare, *, order_id: int, on_change: Callable[[], object]
    ) -> None:
        self.shopcare = shopcare
        self.order_id = order_id
        self.on_change = on_change
        self.client = ui.context.client
        self.shipment_id: int | None = None
        with ui.dialog() as self.dialog, ui.card().classes("min-w-96"):
            self.title = ui.label("Change carrier").classes("text-lg font-semibold")
            self.carrier = ui.select({}, label="Carrier").classes("w-full")
            self.carrier.mark("change-carrier-select")
            self.code = ui.input("Carrier code (optional)", placeholder="ups").classes("w-full")
            self.code.props["hint"] = "For a tracking service: the carrier it should ask"
            self.code.mark("change-carrier-code")
            with ui.row():
                ui.button("Save", on_click=self.save_carrier).mark("change-carrier-save")
                ui.button("Cancel", on_click=self.dialog.close).props("flat")

    def buttons(self, shipment: ShipmentView) -> None:
        """Drawn inside each parcel's card."""
        with ui.row().classes("gap-2"):
            ui.button(
                "Refresh now", icon="refresh", on_click=lambda: self.refresh_now(shipment)
            ).props("flat dense").mark(f"refresh-{shipment.id}")
            ui.button(
                "Change carrier", icon="local_shipping", on_click=lambda: self.open(shipment)
            ).props("flat dense").mark(f"change-carrier-{shipment.id}")
            if shipment.status == ShipmentStatus.EXPIRED:
                ui.button("Retrack", icon="replay", on_click=lambda: self.retrack(shipment)).props(
                    "flat dense"
                ).mark(f"retrack-{shipment.id}")

    def open(self, shipment: ShipmentView) -> None:
        self.shipment_id = shipment.id
        names = self.shopcare.carrier_names
        self.title.set_text(f"Change carrier of {shipment.tracking_number}")
        self.carrier.set_options(
            carrier_choices(names), value=shipment.carrier if shipment.carrier in names else None
        )
        self.code.value = shipment.carrier_code
        self.dialog.open()

    def save_carrier(self) -> None:
        if self.shipment_id is None:
            return
        try:
            change_carrier(
                self.shopcare.sessions,
                self.shipment_id,
                carrier=str(self.carrier.value or ""),
                carrier_code=self.code.value or "",
                known_carriers=self.shopcare.carrier_names,
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.dialog.close()
        ui.notify("Carrier changed; it is asked within a few seconds", type="positive")
        self.on_change()

    def retrack(self, shipment: ShipmentView) -> None:
        try:
            retrack(self.shopcare.sessions, shipment.id, now=self.shopcare.clock())
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"Following {shipment.tracking_number} again", type="positive")
        self.on_change()

    async def refresh_now(self, shipment: ShipmentView) -> None:
        report = await self.shopcare.refresh_now(shipment.id)
        self.on_change()
        message, kind = self._outcome(report, shipment)
        with self.client:  # the button may have been redrawn meanwhile
            ui.notify(message, type=kind, multi_line=True)

    def _outcome(self, report: PollReport, shipment: ShipmentView) -> tuple[str, Kind]:
        label = shipment.carrier_label
        if report.providers_paused:
            return f"{label} is paused; fix the account under Carriers", "negative"
        if report.deferred:
            return f"{label} is resting or out of calls; asked again later", "warning"
        if report.errors:
            return f"{label} failed: {self._last_error(shipment.id)}", "negative"
        if report.new_events:
            return f"{report.new_events} new scan(s) from {label}", "positive"
        return f"No news from {label}", "info"

    def _last_error(self, shipment_id: int) -> str:
        view = order_view_by_id(self.shopcare.sessions, self.order_id)
        found = [s for s in view.shipments if s.id == shipment_id] if view else []
        return found[0].last_error if found and found[0].last_error else "no reason given"
