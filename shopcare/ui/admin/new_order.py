"""Adding an order by hand, for shops without a platform hook or for a phone order.

The form only collects text; the service validates and stores it, and its message (an
``InputError``) is shown as it is. Prices are parsed into minor units, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.money import parse_money
from shopcare.services.admin_views import carrier_choices
from shopcare.services.errors import InputError
from shopcare.services.orders import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare

DETECT = ""
"""The carrier select's value for "let ShopCare choose from the number"."""
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK", "JPY"]


@dataclass
class ItemFields:
    row: ui.row
    title: ui.input
    quantity: ui.number
    price: ui.input


def register_new_order(shopcare: ShopCare) -> None:
    @ui.page("/admin/orders/new")
    def new_order_page() -> None:
        with frame("Add order"):
            NewOrderForm(shopcare)


class NewOrderForm:
    """The fields of one order; ``submit`` turns them into an ``OrderIn`` for the service."""

    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.items: list[ItemFields] = []
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            self.number = ui.input("Order number").mark("order-number")
            self.name = ui.input("Customer name").mark("customer-name")
            self.email = ui.input("Email").mark("email")
            self.postcode = ui.input("Postcode").mark("postcode")
            self.city = ui.input("City").mark("city")
            self.country = ui.input("Country (2 letters)").props("maxlength=2").mark("country")
            self.currency = ui.select(CURRENCIES, value="EUR", label="Currency").mark("currency")
        ui.label("Items").classes("text-lg")
        self.item_box = ui.column().classes("w-full")
        ui.button("Add item", icon="add", on_click=self.add_item).props("flat")
        ui.label("Shipment (optional)").classes("text-lg")
        with ui.card().classes("w-full"), ui.row().classes("w-full"):
            choices = {DETECT: "Detect from the number", **carrier_choices(shopcare.carrier_names)}
            self.carrier = ui.select(choices, value=DETECT, label="Carrier").mark("carrier")
            self.tracking = ui.input("Tracking number").mark("tracking")
        ui.button("Create order", on_click=self.submit).mark("create-order")
        self.add_item()

    def add_item(self) -> None:
        n = len(self.items) + 1
        with self.item_box, ui.row().classes("w-full items-center") as row:
            fields = ItemFields(
                row=row,
                title=ui.input("Item").classes("grow").mark(f"item-{n}-title"),
                quantity=ui.number("Quantity", value=1, min=1, precision=0).mark(
                    f"item-{n}-quantity"
                ),
                price=ui.input("Unit price", placeholder="12.50").mark(f"item-{n}-price"),
            )
            ui.button(icon="delete", on_click=lambda: self.remove_item(fields)).props("flat")
        self.items.append(fields)

    def remove_item(self, fields: ItemFields) -> None:
        self.items.remove(fields)
        self.item_box.remove(fields.row)

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
        ui.navigate.to(f"/admin/orders/{order.id}")

    def order_in(self) -> OrderIn:
        """Raises ValueError (bad price or quantity) with a message for the owner."""
        currency = str(self.currency.value or "EUR")
        tracking = (self.tracking.value or "").strip()
        return OrderIn(
            order_number=self.number.value or "",
            customer_name=self.name.value or "",
            email=self.email.value or "",
            placed_at=self.shopcare.clock(),
            currency=currency,
            ship_city=self.city.value or "",
            ship_postcode=self.postcode.value or "",
            ship_country=self.country.value or "",
            lines=[_line(item, currency) for item in self.items],
            shipments=[ShipmentIn(str(self.carrier.value or DETECT), tracking)] if tracking else [],
        )


def _line(item: ItemFields, currency: str) -> LineIn:
    title = item.title.value or ""
    quantity = item.quantity.value
    if quantity is None or quantity != int(quantity):
        raise ValueError(f"quantity of {title!r} must be a whole number")
    price = parse_money(item.price.value or "0", currency)
    return LineIn(title=title, quantity=int(quantity), unit_price_minor=price)
