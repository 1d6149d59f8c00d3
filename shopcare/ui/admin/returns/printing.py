"""Printing: the page size of return and packing slips, for the owner's printer and for the
slips shoppers download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.returns.print_settings import (
    PAGE_SIZE_LABELS,
    get_print_settings,
    update_print_settings,
)
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def register_printing(shopcare: ShopCare) -> None:
    @ui.page("/admin/printing")
    def printing_page() -> None:
        with frame("Printing"):
            PrintingForm(shopcare)


class PrintingForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        current = get_print_settings(shopcare.sessions)
        with ui.card().classes("w-full"):
            ui.label("Default page size of return slips and packing slips")
            self.size = ui.radio(
                {size.value: label for size, label in PAGE_SIZE_LABELS.items()},
                value=current.page_size,
            ).mark("print-size")
            ui.label(
                "Shoppers get their slip in this size too. A link can ask for another one "
                "with ?size=a4, ?size=letter or ?size=label_4x6."
            ).classes("text-sm text-gray-600")
            ui.button("Save", on_click=self.save).mark("save-printing")

    def save(self) -> None:
        try:
            saved = update_print_settings(self.shopcare.sessions, page_size=str(self.size.value))
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.size.value = saved.page_size
        ui.notify("Printing settings saved", type="positive")
