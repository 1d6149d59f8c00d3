"""What the owner can do with a return on the order page: approve or reject it (with a note
for the shopper), mark the parcel received in full, record the refund or issue store credit.
Exchanges, conditions and photos are on the return's own page, linked from here.

As with the parcel actions, the dialog is built once per page, outside the part the timer
re-renders, so what the owner types survives a refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.money import format_money, minor_digits, parse_money
from shopcare.domain.returns import Condition, ReturnStatus, next_statuses
from shopcare.services.errors import InputError
from shopcare.services.orders.views import ReturnView
from shopcare.services.returns.admin import ReturnDetail
from shopcare.services.returns.workflow import (
    Received,
    move_return,
    receive_return,
    refund_figures,
)
from shopcare.ui.admin.access.auth import sentence
from shopcare.ui.admin.access.gate import current_admin
from shopcare.ui.admin.layout import status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare

_LABELS = {
    ReturnStatus.APPROVED: ("Approve", "check"),
    ReturnStatus.REJECTED: ("Reject", "block"),
    ReturnStatus.RECEIVED: ("Mark received", "inventory_2"),
    ReturnStatus.REFUNDED: ("Record refund", "payments"),
    ReturnStatus.EXCHANGED: ("Create exchange order", "swap_horiz"),
    ReturnStatus.CREDITED: ("Issue store credit", "redeem"),
}
_WITH_AMOUNT = (ReturnStatus.REFUNDED, ReturnStatus.CREDITED)


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
            self.amount = ui.input(
                f"Amount ({currency})", placeholder="empty: what came back, less the fee"
            ).classes("w-full")
            self.amount.mark("return-amount")
            with ui.row():
                ui.button("Confirm", on_click=self.confirm).mark("return-confirm")
                ui.button("Cancel", on_click=self.dialog.close).props("flat")

    def buttons(self, ret: ReturnView) -> None:
        """Drawn inside each return's card: only the steps its status allows."""
        with ui.row().classes("gap-2 items-center"):
            ui.link("Open the return", f"/admin/returns/{ret.id}").mark(f"return-{ret.id}-open")
            for status in next_statuses(ReturnStatus(ret.status), resolution=ret.resolution):
                label, icon = _LABELS[status]
                ui.button(label, icon=icon, on_click=lambda s=status: self.open(ret, s)).props(
                    "flat dense"
                ).mark(f"return-{ret.id}-{status}")

    def open(self, ret: ReturnView, target: ReturnStatus) -> None:
        self.return_id, self.target = ret.id, target
        self.title.set_text(f"{_LABELS[target][0]}: {ret.rma}")
        self.note.value = ""
        self.amount.value = ""
        self.note.set_visibility(
            target in (ReturnStatus.APPROVED, ReturnStatus.REJECTED, ReturnStatus.RECEIVED)
        )
        self.amount.set_visibility(target in _WITH_AMOUNT)
        self.dialog.open()

    def confirm(self) -> None:
        try:
            typed = (self.amount.value or "").strip()
            refund = (
                parse_money(typed, self.currency) if self.target in _WITH_AMOUNT and typed else None
            )
            move_return(
                self.shopcare.sessions,
                self.return_id,
                self.target,
                note=self.note.value or "",
                refund_minor=refund,
                now=self.shopcare.clock(),
                by=current_admin(),
            )
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative")
            return
        self.dialog.close()
        ui.notify(f"Return {self.target}; the shopper will be told.", type="positive")
        self.on_change()


_STEP_HELP = {
    ReturnStatus.APPROVED: "The shopper gets the approval with your note and the return slip.",
    ReturnStatus.REJECTED: "Tell the shopper why; they get your note by email.",
    ReturnStatus.RECEIVED: "Count what came back and how it looks.",
    ReturnStatus.REFUNDED: "Record the refund you made in your payment system.",
    ReturnStatus.EXCHANGED: "A new order at no cost is created and confirmed to the shopper.",
    ReturnStatus.CREDITED: "A store credit code is issued and emailed to the shopper.",
}
CONDITIONS = {c.value: status_label(c) for c in Condition}


class ReturnSteps:
    """The next steps on a return's own page, each with its inputs: received quantities and
    conditions per line, the refund or credit amount (suggested, editable), a note."""

    def __init__(self, shopcare: ShopCare, *, on_change: Callable[[], object]) -> None:
        self.shopcare = shopcare
        self.on_change = on_change
        self.view: ReturnDetail | None = None
        self.target = ReturnStatus.APPROVED
        self.note: ui.textarea | None = None
        self.amount: ui.input | None = None
        self.received: dict[int, tuple[ui.number, ui.select]] = {}
        with ui.dialog() as self.dialog, ui.card().classes("min-w-[32rem]"):
            self.title = ui.label().classes("text-lg font-semibold")
            self.help = ui.label().classes("text-sm text-gray-600")
            self.body = ui.column().classes("w-full")
            with ui.row():
                ui.button("Confirm", on_click=self.confirm).mark("step-confirm")
                ui.button("Cancel", on_click=self.dialog.close).props("flat")

    def buttons(self, view: ReturnDetail) -> None:
        with ui.row().classes("gap-2"):
            if not view.next_steps:
                ui.label("This return is settled.").classes("text-sm text-gray-600")
            for status in view.next_steps:
                label, icon = _LABELS[status]
                ui.button(label, icon=icon, on_click=lambda s=status: self.open(view, s)).mark(
                    f"step-{status}"
                )

    def open(self, view: ReturnDetail, target: ReturnStatus) -> None:
        self.view, self.target = view, target
        self.title.set_text(f"{_LABELS[target][0]}: {view.rma}")
        self.help.set_text(_STEP_HELP[target])
        self.note = self.amount = None
        self.received = {}
        self.body.clear()
        with self.body:
            if target is ReturnStatus.RECEIVED:
                self._received_inputs(view)
            if target in _WITH_AMOUNT:
                self._amount_input(view)
            if target is ReturnStatus.EXCHANGED:
                for line in view.lines:
                    if line.exchange_sku:
                        ui.label(f"{line.title} → {line.exchange_label}")
            if target in (ReturnStatus.APPROVED, ReturnStatus.REJECTED, ReturnStatus.RECEIVED):
                required = target is ReturnStatus.REJECTED
                self.note = ui.textarea(
                    "Message to the shopper" + ("" if required else " (optional)")
                ).classes("w-full")
                self.note.mark("step-note")
        self.dialog.open()

    def _received_inputs(self, view: ReturnDetail) -> None:
        for line in view.lines:
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(f"{line.title} ({line.quantity} returned)").classes("grow")
                quantity = ui.number(
                    "Received", value=line.quantity, min=0, max=line.quantity, step=1, format="%d"
                ).classes("w-24")
                quantity.mark(f"receive-qty-{line.id}")
                condition = ui.select(CONDITIONS, label="Condition", value=Condition.AS_NEW.value)
                condition.classes("w-36").mark(f"receive-condition-{line.id}")
                self.received[line.id] = (quantity, condition)

    def _amount_input(self, view: ReturnDetail) -> None:
        figures = refund_figures(self.shopcare.sessions, view.id)
        self.amount = ui.input(
            f"Amount ({view.currency})", value=_plain(figures.suggested, view.currency)
        ).classes("w-full")
        self.amount.mark("step-amount")
        ui.label(
            f"Suggested: what came back, less the fee. At most "
            f"{format_money(figures.most, view.currency)}."
        ).classes("text-sm text-gray-600")

    def confirm(self) -> None:
        assert self.view is not None
        view, now, sessions = self.view, self.shopcare.clock(), self.shopcare.sessions
        by = current_admin()
        note = self.note.value or "" if self.note else ""
        try:
            if self.target is ReturnStatus.RECEIVED:
                received = {
                    line_id: Received(int(qty.value or 0), Condition(cond.value))
                    for line_id, (qty, cond) in self.received.items()
                }
                receive_return(sessions, view.id, now=now, received=received, note=note, by=by)
            elif self.target in _WITH_AMOUNT:
                assert self.amount is not None
                amount = parse_money(self.amount.value or "", view.currency)
                move_return(sessions, view.id, self.target, now=now, refund_minor=amount, by=by)
            else:
                move_return(sessions, view.id, self.target, now=now, note=note, by=by)
        except (InputError, ValueError) as exc:
            ui.notify(sentence(str(exc)), type="negative")
            return
        self.dialog.close()
        ui.notify(f"Return {self.target}; the shopper will be told.", type="positive")
        self.on_change()


def _plain(minor: int, currency: str) -> str:
    return f"{Decimal(minor).scaleb(-minor_digits(currency)):f}"
