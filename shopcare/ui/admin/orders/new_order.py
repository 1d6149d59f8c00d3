"""Adding an order by hand, for shops without a platform hook or for a phone order.

The form only collects text and shows what it understood before anything is saved: each
price as parsed by the currency's conventions and the order's total, whether an email can
reach the shopper, and what will follow the tracking number. The service (the same order
writer every source uses) validates and stores it; its ``InputError`` is shown as it is.
An order whose parcel no carrier account can follow yet is saved all the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.intake import LineIn, OrderIn, ShipmentIn, email_problem
from shopcare.domain.money import COMMON_CURRENCIES
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import create_order
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.layout import frame
from shopcare.ui.admin.orders.address_fields import AddressFields
from shopcare.ui.admin.orders.line_items import OWNER_DECIMAL, ItemRows
from shopcare.ui.admin.orders.parcel_form import ParcelFields

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def register_new_order(shopcare: ShopCare) -> None:
    @ui.page("/admin/orders/new")
    def new_order_page() -> None:
        with frame("Add order"):
            NewOrderForm(shopcare)


class NewOrderForm:
    """The fields of one order; ``submit`` turns them into an ``OrderIn`` for the service."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            self.number = ui.input("Order number").mark("order-number")
            self.name = ui.input("Customer name").mark("customer-name")
            with ui.column().classes("gap-0"):
                self.email = ui.input("Email").classes("w-full").mark("email")
                self.email_warning = ui.label().classes("text-sm text-warning")
                self.email_warning.mark("email-warning")
            usual = get_profile(shopcare.sessions).currency
            choices = list(dict.fromkeys((usual, *COMMON_CURRENCIES)))
            self.currency = ui.select(choices, value=usual, label="Currency").mark("currency")
        ui.label("Shipping address").classes("text-lg")
        with ui.card().classes("w-full"):
            self.address = AddressFields()
        ui.label("Items").classes("text-lg")
        self.items = ItemRows(currency=self.currency_code, decimal=OWNER_DECIMAL)
        ui.label("Parcel (optional)").classes("text-lg")
        with ui.card().classes("w-full"):
            self.parcel = ParcelFields(carriers=shopcare.carrier_names)
        ui.button("Create order", on_click=self.submit).mark("create-order")
        self.email.on_value_change(self.show_email_warning)
        self.currency.on_value_change(self.items.show_totals)
        self.items.add()
        self.show_email_warning()

    def currency_code(self) -> str:
        return str(self.currency.value or "EUR")

    def show_email_warning(self) -> None:
        """Shown, not refused: the order is kept and followed, but nobody can be mailed."""
        problem = email_problem(self.email.value or "")
        words = f"{problem[:1].upper()}{problem[1:]}: no message can reach this shopper"
        self.email_warning.set_text(words if problem else "")

    def submit(self) -> None:
        try:
            order = create_order(
                self.shopcare.sessions,
                self.order_in(),
                now=self.shopcare.clock(),
                carriers=self.shopcare.carrier_names,
            )
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify(f"Order {order.order_number} added", type="positive")
        if order.email_problem:
            ui.notify(f"{order.email_problem}: no message can reach this shopper", type="warning")
        ui.navigate.to(f"/admin/orders/{order.id}")

    def order_in(self) -> OrderIn:
        """Raises ValueError (a price, quantity or date it cannot read) worded for the owner."""
        now = self.shopcare.clock()
        address = self.address.value()
        number = self.parcel.number()
        shipped_at = self.parcel.shipped_at(get_profile(self.shopcare.sessions).zone, lambda: now)
        shipments = (
            [ShipmentIn(self.parcel.carrier_name(), number, shipped_at=shipped_at)]
            if number
            else []
        )
        return OrderIn(
            order_number=self.number.value or "",
            customer_name=(self.name.value or "").strip(),
            email=(self.email.value or "").strip(),
            placed_at=now,
            currency=self.currency_code(),
            ship_name=address.name,
            ship_address1=address.address1,
            ship_address2=address.address2,
            ship_postcode=address.postcode,
            ship_city=address.city,
            ship_region=address.region,
            ship_country=address.country,
            ship_phone=address.phone,
            phone=address.phone,
            lines=[
                LineIn(title=li.title, quantity=li.quantity, unit_price_minor=li.unit_price_minor)
                for li in self.items.lines()
            ],
            shipments=shipments,
        )
