"""The exchange catalogue: the products ShopCare knows from the shop's orders, and those the
owner adds, with their prices and whether an exchange may send them. Prices in minor units
(cents), like the return policy page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.orders.catalogue_editor import (
    CatalogueRow,
    add_product,
    catalogue_rows,
    edit_product,
)
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def register_catalogue(shopcare: ShopCare) -> None:
    @ui.page("/admin/return-policy/catalogue")
    def catalogue_page() -> None:
        with frame("Exchange catalogue"):
            CatalogueEditor(shopcare)


class CatalogueEditor:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        ui.label(
            "What an exchange can send. Products come from the shop's orders; add others here. "
            "A hidden product is never offered."
        ).classes("text-sm")
        with ui.card().classes("w-full"), ui.row().classes("items-end w-full"):
            self.sku = ui.input("SKU").mark("new-sku")
            self.title = ui.input("Title").mark("new-title")
            self.variant = ui.input("Variant").mark("new-variant")
            self.product = ui.input("Product key (variants share it)").mark("new-product")
            self.price = ui.number("Price (cents)", min=0, precision=0).mark("new-price")
            ui.button("Add product", on_click=self.add).mark("add-product")
        self.listing = ui.refreshable(self._listing)
        self.listing()

    def _listing(self) -> None:
        rows = catalogue_rows(self.shopcare.sessions)
        if not rows:
            ui.label("No products yet: they appear with the first imported orders.")
        for row in rows:
            self._row(row)

    def _row(self, row: CatalogueRow) -> None:
        with ui.row().classes("items-center w-full").mark(f"product-{row.sku}"):
            name = f"{row.title} – {row.variant}" if row.variant else row.title
            ui.label(f"{name} ({row.sku})").classes("grow")
            price = ui.number("Price (cents)", value=row.price_minor, min=0, precision=0).mark(
                f"price-{row.sku}"
            )
            ui.button("Save price", on_click=lambda: self.reprice(row.sku, price.value)).props(
                "flat"
            ).mark(f"save-price-{row.sku}")
            ui.button(
                "Hide" if row.available else "Show",
                on_click=lambda: self.show_or_hide(row.sku, not row.available),
            ).props("flat").mark(f"toggle-{row.sku}")

    def add(self) -> None:
        try:
            add_product(
                self.shopcare.sessions,
                sku=self.sku.value or "",
                title=self.title.value or "",
                variant=self.variant.value or "",
                product_key=self.product.value or "",
                price_minor=int(self.price.value or 0),
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Product added", type="positive")
        self.listing.refresh()

    def reprice(self, sku: str, value: float | None) -> None:
        self._edit(sku, price_minor=int(value or 0))

    def show_or_hide(self, sku: str, available: bool) -> None:
        self._edit(sku, available=available)

    def _edit(
        self, sku: str, *, price_minor: int | None = None, available: bool | None = None
    ) -> None:
        try:
            edit_product(
                self.shopcare.sessions,
                sku,
                now=self.shopcare.clock(),
                price_minor=price_minor,
                available=available,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Catalogue saved", type="positive")
        self.listing.refresh()
