"""What the owner can do with a return on the order page: approve or reject it (with a note
for the shopper), mark the parcel received, record the refund.

As with the parcel actions, the dialog is built once per page, outside the part the timer
re-renders, so what the owner types survives a refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.money import parse_money
from shopcare.domain.returns import ReturnStatus, next_statuses
from shopcare.services.errors import InputError
from shopcare.services.return_workflow import move_return
from shopcare.services.views import ReturnView

if TYPE_CHECKING:
    from shopcare.app import ShopCare

_LABELS = {
    ReturnStatus.APPROVED: ("Approve", "check"),
    ReturnStatus.REJECTED: ("Reject", "block"),
    ReturnStatus.RECEIVED: ("Mark received", "inventory_2"),
    ReturnStatus.REFUNDED: ("Record refund", "payments"),
}


class ReturnActions:
    def __init__(
        self,
        shopcare: ShopCare,
        *,
        currency: str,
        on_change: Callable[[], object],
    ) -> None:
        self.shopcare = shopcare
        self.currency = currency
        self.on_change = on_change
        self.return_id = 0
        self.target = ReturnStatus.APPROVED
        with ui.dialog() as self.dialog, ui.card().classes("min-w-96"):
            self.title = ui.label().classes("text-lg font-semibold")
            self.note = ui.textarea("Message to the shopper (optional)").classes("w-full")
            self.note.mark("return-note")
            self.amount = ui.input(f"Refunded amount ({currency})").classes("w-full")
            self.amount.mark("return-amount")
            with ui.row():
                ui.button("Confirm", on_click=self.confirm).mark("return-confirm")
                ui.button("Cancel", on_click=self.dialog.close).props("flat")

    def buttons(self, ret: ReturnView) -> None:
        """Drawn inside each return's card: only the steps its status allows."""
        with ui.row().classes("gap-2"):
            for status in next_statuses(ReturnStatus(ret.status)):
                label, icon = _LABELS[status]
                ui.button(label, icon=icon, on_click=lambda s=status: self.open(ret, s)).props(
                    "flat dense"
                ).mark(f"return-{ret.id}-{status}")

    def open(self, ret: ReturnView, target: ReturnStatus) -> None:
        self.return_id, self.target = ret.id, target
        self.title.set_text(f"{_LABELS[target][0]}: {ret.rma}")
        self.note.value = ""
        self.amount.value = ""
        self.note.set_visibility(target in (ReturnStatus.APPROVED, ReturnStatus.REJECTED))
        self.amount.set_visibility(target is ReturnStatus.REFUNDED)
        self.dialog.open()

    def confirm(self) -> None:
        try:
            refund = (
                parse_money(self.amount.value or "", self.currency)
                if self.target is ReturnStatus.REFUNDED
                else None
            )
            move_return(
                self.shopcare.sessions,
                self.return_id,
                self.target,
                note=self.note.value or "",
                refund_minor=refund,
                now=self.shopcare.clock(),
            )
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative")
            return
        self.dialog.close()
        ui.notify(f"Return {self.target}; the shopper will be told.", type="positive")
        self.on_change()
