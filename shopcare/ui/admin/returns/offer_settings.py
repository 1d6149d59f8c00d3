"""The return policy page's section on steering returns towards store credit and exchanges:
the bonus, exchanges for other products, instant exchanges and their watch. Saved on its own
(``services.returns.offers``); amounts in minor units (cents), like the rest of the page.
The handling fee is the policy's restocking fee above: it is taken off refunds only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.returns.offers import (
    ReturnOffersSettings,
    get_offers_settings,
    update_offers,
)

if TYPE_CHECKING:
    from shopcare.app import ShopCare

WHOLE_NUMBERS: tuple[tuple[str, str], ...] = (
    ("bonus_fixed_minor", "Bonus, fixed (cents)"),
    ("difference_limit_minor", "Cheaper product: most difference per item, as credit (cents)"),
    ("instant_min_delivered_orders", "Instant exchange: earlier delivered orders (0: anyone)"),
    ("watch_days", "Days to wait for the return parcel's first scan"),
)
SWITCHES: tuple[tuple[str, str], ...] = (
    ("bonus_on_exchange", "An exchange earns the bonus too"),
    ("other_products", "Exchange for another product of the same or a lower price"),
    ("instant_exchange", "Instant exchange: send the replacement at approval"),
)


class OffersForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        ui.label("Store credit and exchanges instead of refunds").classes("text-lg")
        ui.label(
            "A bonus for choosing store credit or an exchange is shown to the shopper beside "
            "the refund; the restocking fee above is the handling fee, taken off refunds only."
        ).classes("text-sm")
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            self.percent = ui.number("Bonus (% of the items' value)", min=0, max=100).mark(
                "bonus-pct"
            )
            self.numbers = {
                name: ui.number(label, min=0, precision=0).mark(_marker(name))
                for name, label in WHOLE_NUMBERS
            }
            self.switches = {name: ui.switch(label).mark(_marker(name)) for name, label in SWITCHES}
        with ui.row():
            ui.button("Save offers", on_click=self.save).mark("save-return-offers")
            ui.link("Exchange catalogue", "/admin/return-policy/catalogue").mark("catalogue-link")
        self.show(get_offers_settings(shopcare.sessions))

    def show(self, s: ReturnOffersSettings) -> None:
        self.percent.value = s.bonus_percent
        for name, field in self.numbers.items():
            field.value = getattr(s, name)
        for name, switch in self.switches.items():
            switch.value = bool(getattr(s, name))

    def save(self) -> None:
        try:
            saved = update_offers(self.shopcare.sessions, **self.changes())
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.show(saved)
        ui.notify("Return offers saved", type="positive")

    def changes(self) -> dict[str, Any]:
        """Raises InputError for what cannot be read; the service checks the rest."""
        if self.percent.value is None:
            raise InputError("the bonus (%) is missing")
        changes: dict[str, Any] = {"bonus_percent": float(self.percent.value)}
        for name, field in self.numbers.items():
            value = field.value
            if value is None or value != int(value):
                raise InputError(f"{field.props.get('label', name)}: a whole number")
            changes[name] = int(value)
        for name, switch in self.switches.items():
            changes[name] = bool(switch.value)
        return changes


def _marker(name: str) -> str:
    return name.removesuffix("_minor").replace("_", "-")
