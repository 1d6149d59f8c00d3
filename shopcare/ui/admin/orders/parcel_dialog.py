"""The order page's "Add parcel": a tracking number for an order that shipped after it was
entered (or shipped in more than one box), with what went into it.

Built once per page, outside the re-rendered detail, so the timer never wipes what the
owner is typing; the item list is filled in each time the dialog opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.orders.changes import add_parcel
from shopcare.services.orders.views import LineView
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.access.gate import current_admin
from shopcare.ui.admin.orders.parcel_form import ParcelFields

if TYPE_CHECKING:
    from shopcare.app import ShopCare


class ParcelDialog:
    def __init__(
        self, shopcare: ShopCare, *, order_id: int, on_change: Callable[[], object]
    ) -> None:
        self.shopcare = shopcare
        self.order_id = order_id
        self.on_change = on_change
        self.quantities: dict[int, ui.number] = {}
        with ui.dialog().props("full-width") as self.dialog, ui.card():
            ui.label("Add parcel").classes("text-lg font-semibold")
            self.fields = ParcelFields(carriers=shopcare.carrier_names, prefix="add-parcel-")
            ui.label("What went into it").classes("text-sm")
            self.lines_box = ui.column().classes("w-full gap-1")
            with ui.row():
                ui.button("Save parcel", on_click=self.save).mark("add-parcel-save")
                ui.button("Close", on_click=self.dialog.close).props("flat")

    def open(self, lines: list[LineView], *, first: bool) -> None:
        """``first``: the order has no parcel yet, so everything is offered as in this one."""
        self.fields.carriers = self.shopcare.carrier_names
        self.fields.clear()
        self.fields.show_hint()
        self.lines_box.clear()
        self.quantities = {}
        with self.lines_box:
            for line in lines:
                with ui.row().classes("w-full items-center"):
                    self.quantities[line.id] = ui.number(
                        value=line.quantity if first else 0, min=0, max=line.quantity, precision=0
                    ).mark(f"add-parcel-line-{line.id}")
                    ui.label(f"of {line.quantity} × {line.title}")
        self.dialog.open()

    def save(self) -> None:
        try:
            zone = get_profile(self.shopcare.sessions).zone
            shipment = add_parcel(
                self.shopcare.sessions,
                self.order_id,
                tracking_number=self.fields.number(),
                carrier=self.fields.carrier_name(),
                shipped_at=self.fields.shipped_at(zone, self.shopcare.clock),
                lines={line_id: _whole(field) for line_id, field in self.quantities.items()},
                now=self.shopcare.clock(),
                carriers=self.shopcare.carrier_names,
                by=current_admin(),
            )
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.dialog.close()
        waiting = " — no carrier account can follow it yet" if not shipment.carrier else ""
        ui.notify(f"Parcel {shipment.tracking_number} added{waiting}", type="positive")
        self.on_change()


def _whole(field: ui.number) -> int:
    value = field.value
    if value is None:
        return 0
    if value != int(value):
        raise ValueError("quantities in a parcel are whole numbers")
    return int(value)
