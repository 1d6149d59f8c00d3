"""Item rows with their totals parsed as the owner types, for the Add order form and the
Edit order dialog.

Prices go through ``parse_money`` by the currency's conventions (and the owner's decimal
separator when the shop has one): each row shows what it understood ("2 × 19.90 EUR =
39.80 EUR") or why it cannot ("'1,234' is ambiguous ..."), and the order's total is shown
before anything is saved, so '19,90' can never quietly become 1,990.00 again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from shopcare.domain.money import format_money, parse_money

OWNER_DECIMAL: str | None = None
"""The owner's decimal separator, when the shop profile says (it has no locale yet): the
amount's own shape decides, and what reads two ways is refused."""


@dataclass(frozen=True)
class PricedLine:
    title: str
    quantity: int
    unit_price_minor: int
    line_id: int | None = None
    """The stored line this row edits; None for a new one."""


@dataclass
class _Row:
    element: ui.row
    title: ui.input
    quantity: ui.number
    price: ui.input
    total: ui.label
    line_id: int | None


class ItemRows:
    """Rows of title, quantity and unit price; ``lines()`` raises ValueError with the first
    row's problem, worded for the owner."""

    def __init__(
        self, *, currency: Callable[[], str], decimal: str | None = None, prefix: str = "item"
    ) -> None:
        self.currency = currency
        self.decimal = decimal
        self.prefix = prefix
        self.rows: list[_Row] = []
        self.made = 0
        self.box = ui.column().classes("w-full")
        with ui.row().classes("w-full items-center"):
            ui.button("Add item", icon="add", on_click=lambda: self.add()).props("flat").mark(
                f"{prefix}-add"
            )
            ui.space()
            self.total = ui.label().classes("text-lg font-semibold").mark(f"{prefix}-total")

    def add(
        self,
        *,
        title: str = "",
        quantity: int = 1,
        price: str = "",
        line_id: int | None = None,
        removable: bool = True,
    ) -> None:
        self.made += 1
        n = self.made
        with self.box, ui.row().classes("w-full items-center no-wrap") as element:
            row = _Row(
                element=element,
                title=ui.input("Item", value=title)
                .classes("grow")
                .mark(f"{self.prefix}-{n}-title"),
                quantity=ui.number("Quantity", value=quantity, min=1, precision=0).mark(
                    f"{self.prefix}-{n}-quantity"
                ),
                price=ui.input("Unit price", value=price, placeholder="19.90").mark(
                    f"{self.prefix}-{n}-price"
                ),
                total=ui.label().classes("min-w-48").mark(f"{self.prefix}-{n}-line-total"),
                line_id=line_id,
            )
            remove = ui.button(icon="delete", on_click=lambda: self.remove(row)).props("flat")
            remove.mark(f"{self.prefix}-{n}-remove")
            if not removable:
                remove.disable()
                remove.tooltip("Part of a return: it cannot be removed")
        for field in (row.title, row.quantity, row.price):
            field.on_value_change(self.show_totals)
        self.rows.append(row)
        self.show_totals()

    def remove(self, row: _Row) -> None:
        self.rows.remove(row)
        self.box.remove(row.element)
        self.show_totals()

    def show_totals(self) -> None:
        """Each row's reading of its price, and the order's total once every row reads."""
        currency = self.currency()
        total: int | None = 0
        for row in self.rows:
            try:
                line = self._line(row, currency)
            except ValueError as exc:
                row.total.set_text(str(exc))
                row.total.classes(replace="min-w-48 text-negative")
                total = None
                continue
            amount = line.quantity * line.unit_price_minor
            row.total.set_text(
                f"{line.quantity} × {format_money(line.unit_price_minor, currency)} = "
                f"{format_money(amount, currency)}"
            )
            row.total.classes(replace="min-w-48")
            total = None if total is None else total + amount
        shown = format_money(total, currency) if total is not None else "—"
        self.total.set_text(f"Total: {shown}")

    def lines(self) -> list[PricedLine]:
        currency = self.currency()
        return [self._line(row, currency) for row in self.rows]

    def _line(self, row: _Row, currency: str) -> PricedLine:
        title = (row.title.value or "").strip()
        quantity = row.quantity.value
        if quantity is None or quantity != int(quantity) or quantity < 1:
            raise ValueError(f"quantity of {title or 'an item'!r} must be a whole number from 1")
        text = (row.price.value or "").strip()
        try:
            price = parse_money(text or "0", currency, decimal=self.decimal)
        except ValueError as exc:
            raise ValueError(f"price of {title or 'an item'!r}: {exc}") from None
        return PricedLine(title, int(quantity), price, row.line_id)
