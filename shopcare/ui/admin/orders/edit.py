"""The order page's order-level actions: "Add parcel", "Edit order" and "Cancel order",
and the banners that say an order is cancelled or no email can reach its shopper.

Editing corrects what the shop got wrong or the shopper asked to change: email, name,
phone, address, items (a line already in a return keeps its place). Cancelling asks first,
because it stops the parcels being followed and skips every message still waiting.
Both dialogs are built once per page, outside the re-rendered detail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.money import minor_digits
from shopcare.services.errors import InputError
from shopcare.services.orders.changes import LineEdit, OrderEdit, cancel, order_edit, update_order
from shopcare.services.orders.facts import OrderFacts
from shopcare.services.orders.views import OrderView
from shopcare.ui.admin.access.gate import current_admin
from shopcare.ui.admin.layout import when
from shopcare.ui.admin.orders.address_fields import Address, AddressFields
from shopcare.ui.admin.orders.line_items import OWNER_DECIMAL, ItemRows
from shopcare.ui.admin.orders.parcel_dialog import ParcelDialog

if TYPE_CHECKING:
    from shopcare.app import ShopCare

PLATFORMS = {"shopify": "Shopify", "woocommerce": "WooCommerce", "api": "the REST API"}


class EditDialog:
    def __init__(
        self, shopcare: ShopCare, *, order_id: int, currency: str, on_change: Callable[[], object]
    ) -> None:
        self.shopcare = shopcare
        self.order_id = order_id
        self.currency = currency
        self.on_change = on_change
        with ui.dialog().props("full-width") as self.dialog, ui.card():
            ui.label("Edit order").classes("text-lg font-semibold")
            self.origin = ui.label().classes("text-sm text-warning").mark("edit-origin")
            with ui.row().classes("w-full"):
                self.email = ui.input("Email").classes("grow").mark("edit-email")
                self.name = ui.input("Customer name").classes("grow").mark("edit-customer-name")
            self.address = AddressFields(prefix="edit-")
            ui.label("Items").classes("font-semibold")
            self.items_box = ui.column().classes("w-full")
            self.items: ItemRows | None = None
            with ui.row():
                ui.button("Save changes", on_click=self.save).mark("edit-save")
                ui.button("Close", on_click=self.dialog.close).props("flat")

    def open(self, source: str) -> None:
        """``source``: where the order came from; a platform's next update of it wins."""
        edit = order_edit(self.shopcare.sessions, self.order_id)
        if edit is None:
            ui.notify("This order does not exist any more", type="negative")
            return
        platform = PLATFORMS.get(source, "")
        self.origin.set_text(
            f"This order comes from {platform}: a later change there replaces these edits."
            if platform
            else ""
        )
        self.email.value = edit.email
        self.name.value = edit.customer_name
        self.address.fill(
            Address(
                name=edit.ship_name,
                address1=edit.ship_address1,
                address2=edit.ship_address2,
                postcode=edit.ship_postcode,
                city=edit.ship_city,
                region=edit.ship_region,
                country=edit.ship_country,
                phone=edit.phone,
            )
        )
        self.items_box.clear()
        with self.items_box:
            self.items = ItemRows(
                currency=lambda: self.currency, decimal=OWNER_DECIMAL, prefix="edit-item"
            )
        for li in edit.lines:
            self.items.add(
                title=li.title,
                quantity=li.quantity,
                price=_plain(li.unit_price_minor, self.currency),
                line_id=li.line_id,
                removable=li.line_id not in edit.returned_line_ids,
            )
        self.dialog.open()

    def save(self) -> None:
        assert self.items is not None
        address = self.address.value()
        try:
            edit = OrderEdit(
                email=self.email.value or "",
                customer_name=self.name.value or "",
                phone=address.phone,
                ship_name=address.name,
                ship_address1=address.address1,
                ship_address2=address.address2,
                ship_postcode=address.postcode,
                ship_city=address.city,
                ship_region=address.region,
                ship_country=address.country,
                lines=[
                    LineEdit(li.title, li.quantity, li.unit_price_minor, li.line_id)
                    for li in self.items.lines()
                ],
            )
            warning = update_order(
                self.shopcare.sessions,
                self.order_id,
                edit,
                now=self.shopcare.clock(),
                by=current_admin(),
            )
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.dialog.close()
        ui.notify("Order saved", type="positive")
        if warning:
            ui.notify(warning, type="warning")
        self.on_change()


def _plain(minor: int, currency: str) -> str:
    """A stored price as the owner would type it again: '19.90', never '1,234.00', which
    the parser would refuse as ambiguous."""
    digits = minor_digits(currency)
    if not digits:
        return str(minor)
    sign, value = ("-" if minor < 0 else ""), abs(minor)
    return f"{sign}{value // 10**digits}.{value % 10**digits:0{digits}d}"


class CancelDialog:
    def __init__(
        self, shopcare: ShopCare, *, order_id: int, on_change: Callable[[], object]
    ) -> None:
        self.shopcare = shopcare
        self.order_id = order_id
        self.on_change = on_change
        with ui.dialog() as self.dialog, ui.card():
            ui.label("Cancel this order?").classes("text-lg font-semibold")
            ui.label(
                "Its parcels will no longer be followed, and messages still waiting to be "
                "sent will not be sent. Messages already sent stay sent."
            )
            with ui.row():
                ui.button("Cancel order", color="negative", on_click=self.confirm).mark(
                    "cancel-confirm"
                )
                ui.button("Keep it", on_click=self.dialog.close).props("flat")

    def open(self) -> None:
        self.dialog.open()

    def confirm(self) -> None:
        try:
            changed = cancel(
                self.shopcare.sessions, self.order_id, now=self.shopcare.clock(), by=current_admin()
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.dialog.close()
        ui.notify("Order cancelled" if changed else "It was cancelled already", type="positive")
        self.on_change()


class OrderDialogs:
    """The order-level dialogs of one page, built once outside the re-rendered detail, and
    the buttons inside it that open them."""

    def __init__(
        self, shopcare: ShopCare, *, order_id: int, currency: str, on_change: Callable[[], object]
    ) -> None:
        self.parcel = ParcelDialog(shopcare, order_id=order_id, on_change=on_change)
        self.edit = EditDialog(shopcare, order_id=order_id, currency=currency, on_change=on_change)
        self.cancel = CancelDialog(shopcare, order_id=order_id, on_change=on_change)

    def buttons(self, view: OrderView, facts: OrderFacts) -> None:
        with ui.row().classes("gap-2"):
            ui.button(
                "Add parcel",
                icon="add_box",
                on_click=lambda: self.parcel.open(view.lines, first=not view.shipments),
            ).mark("add-parcel")
            ui.button(
                "Edit order", icon="edit", on_click=lambda: self.edit.open(facts.source)
            ).props("outline").mark("edit-order")
            if facts.cancelled_at is None:
                ui.button("Cancel order", icon="block", on_click=self.cancel.open).props(
                    "outline color=negative"
                ).mark("cancel-order")


def order_banners(facts: OrderFacts) -> None:
    if facts.cancelled_at:
        with ui.card().classes("w-full bg-red-50").mark("cancelled-banner"):
            ui.label(
                f"Cancelled {when(facts.cancelled_at)}: its parcels are no longer followed "
                "and nothing more is sent to the shopper."
            ).classes("text-negative font-medium")
    if facts.email_problem:
        with ui.card().classes("w-full bg-amber-50").mark("email-banner"):
            ui.label(
                f"{facts.email_problem[:1].upper()}{facts.email_problem[1:]}: no message can "
                "reach this shopper. Edit the order to add their email."
            ).classes("font-medium")
