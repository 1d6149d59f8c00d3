"""Store credit in the admin: every credit with its balance and status (search by code or
email, a status filter), a form to mark a code used, the owner's expiry rule, and one
credit's page with its redemptions and a way to void it.

The shop's checkout is not ShopCare's: when a shopper pays with a code at the till or in a
shop ShopCare does not hear from, the owner records it here; orders that come in through
the intake with the code as a discount are redeemed without anyone typing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import events, ui

from shopcare.domain.money import format_money, parse_money
from shopcare.domain.roles import Role
from shopcare.domain.store_credit import REDEEMABLE, CreditStatus
from shopcare.services.errors import InputError
from shopcare.services.returns.credit_ledger import credit_currency, redeem_by_owner, void_credit
from shopcare.services.returns.credit_list import (
    CreditFilter,
    CreditList,
    CreditRow,
    credit_history,
    credit_list,
)
from shopcare.services.returns.store_credit import get_credit_settings, update_credit_settings
from shopcare.ui.admin.access.gate import current_admin, signed_in
from shopcare.ui.admin.detail_page import record_frame, redrawn
from shopcare.ui.admin.layout import frame, status_label, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

PATH = "/admin/store-credit"
COLUMNS: list[dict[str, Any]] = [
    {"name": "code", "label": "Code", "field": "code", "align": "left"},
    {"name": "email", "label": "Email", "field": "email", "align": "left"},
    {"name": "order", "label": "Order", "field": "order", "align": "left"},
    {"name": "issued", "label": "Issued", "field": "issued", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount"},
    {"name": "balance", "label": "Balance", "field": "balance"},
    {"name": "expires", "label": "Expires", "field": "expires", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
]
SOURCES = {"owner": "by hand", "shopify": "Shopify order", "woocommerce": "WooCommerce order",
           "csv": "CSV import", "api": "API order",
           "cancelled": "given back: order cancelled"}  # fmt: skip


def register_store_credit(shopcare: ShopCare) -> None:
    @ui.page(PATH)
    def credit_page() -> None:
        with frame("Store credit"):
            CreditPage(shopcare)

    @ui.page(PATH + "/{credit_id}")
    def one_credit_page(credit_id: str) -> None:
        def load(number: int) -> Any:
            return credit_history(shopcare.sessions, number, now=shopcare.clock())

        with record_frame(
            credit_id,
            load,
            what="store credit",
            title=lambda found: f"Store credit {found[0].code}",
            back=("Back to store credit", PATH),
        ) as found:
            if found is not None:
                _number, (row, _log) = found
                _one_credit(shopcare, row)


class CreditPage:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        if _is_owner():
            _expiry_setting(shopcare)
        _redeem_form(shopcare, code="", on_done=self.refresh)
        self.counts_row = ui.row().classes("gap-2")
        with ui.row().classes("w-full items-end gap-3"):
            self.status = (
                ui.select({"": "Any"} | {s.value: status_label(s) for s in CreditStatus},
                          label="Status", value="", on_change=self.first_page)
                .classes("min-w-40").mark("credit-status")
            )  # fmt: skip
            self.text = ui.input("Search code or email", on_change=self.first_page)
            self.text.props("clearable debounce=300").classes("min-w-64").mark("credit-search")
        self.page, self.per_page = 1, 50
        self.table = ui.table(
            columns=COLUMNS,
            rows=[],
            row_key="id",
            pagination={"rowsPerPage": self.per_page, "page": 1, "rowsNumber": 0},
        ).classes("w-full cursor-pointer")
        self.table.mark("credit-table")
        self.table.on("rowClick", _open_credit)
        self.table.on("request", self._request)
        self.refresh()

    def first_page(self) -> None:
        self.page = 1
        self.refresh()

    def _request(self, event: events.GenericEventArguments) -> None:
        """Quasar's server-side pagination asks for a page; the service reads only it."""
        wanted = event.args.get("pagination", {}) if isinstance(event.args, dict) else {}
        self.page = int(wanted.get("page") or 1)
        self.per_page = int(wanted.get("rowsPerPage") or self.per_page) or 50
        self.refresh()

    def refresh(self) -> None:
        wanted = CreditFilter(
            text=self.text.value or "", status=self.status.value or "", page=self.page,
            per_page=self.per_page,
        )  # fmt: skip
        self._show(credit_list(self.shopcare.sessions, wanted, now=self.shopcare.clock()))

    def _show(self, found: CreditList) -> None:
        self.page = found.page.page
        self.table.pagination = {
            "rowsPerPage": self.per_page, "page": found.page.page, "rowsNumber": found.page.total,
        }  # fmt: skip
        self.table.rows = [_row(r) for r in found.page.rows]
        self.counts_row.clear()
        with self.counts_row:
            for status in CreditStatus:
                ui.button(
                    f"{status_label(status)} {found.counts.get(status, 0)}",
                    on_click=lambda s=status.value: self.status.set_value(s),
                ).props("outline dense no-caps").mark(f"credit-count-{status.value}")


def _is_owner() -> bool:
    live = signed_in(ui.context.client.request)
    return live is None or live.role is Role.OWNER


def _expiry_setting(shopcare: ShopCare) -> None:
    settings = get_credit_settings(shopcare.sessions)
    with ui.row().classes("items-end gap-3"):
        field = ui.number(
            "Credit expires after (months, 0 = never)", value=settings.expiry_months, min=0,
            precision=0,
        ).classes("min-w-72").mark("credit-expiry")  # fmt: skip
        reminder = ui.number(
            "Remind the shopper (days before it expires, 0 = no reminder)",
            value=settings.reminder_days, min=0, precision=0,
        ).classes("min-w-96").mark("credit-reminder")  # fmt: skip

        def save() -> None:
            try:
                value, days = int(field.value or 0), int(reminder.value or 0)
                update_credit_settings(shopcare.sessions, expiry_months=value, reminder_days=days)
            except (InputError, ValueError) as error:
                ui.notify(str(error), type="negative")
                return
            ui.notify("Saved: new credits " + (f"expire after {value} months." if value
                                                else "never expire."))  # fmt: skip

        ui.button("Save", on_click=save).mark("credit-expiry-save")
    ui.label(
        "The expiry applies to credit issued from now on; credit already issued keeps its "
        "date. The reminder (an email with the code and what is left) goes to every credit "
        "with money left, once, by the reminders job (every 10 minutes)."
    )


def _redeem_form(shopcare: ShopCare, *, code: str, on_done: Any, currency: str = "") -> None:
    """Mark a code used: the amount in the credit's currency, and the order if known."""
    with ui.row().classes("items-end gap-3"):
        code_field = ui.input("Code", value=code).classes("min-w-48").mark("redeem-code")
        amount = ui.input(f"Amount used{f' ({currency})' if currency else ''}").mark(
            "redeem-amount"
        )
        order = ui.input("Order number (optional)").mark("redeem-order")

        def record() -> None:
            wanted = (code_field.value or "").strip()
            try:
                money = credit_currency(shopcare.sessions, wanted) or "EUR"
                credit = redeem_by_owner(
                    shopcare.sessions, wanted, amount_minor=parse_money(amount.value or "", money),
                    order_number=order.value or "", by=current_admin(), now=shopcare.clock(),
                )  # fmt: skip
            except (InputError, ValueError) as error:
                ui.notify(str(error), type="negative")
                return
            ui.notify(
                f"Recorded. {credit.code} has "
                f"{format_money(credit.balance_minor, credit.currency)} left."
            )
            amount.value = order.value = ""
            on_done()

        ui.button("Mark used", on_click=record).mark("redeem-record")


def _one_credit(shopcare: ShopCare, first: CreditRow) -> None:
    credit_id = first.id

    def draw() -> None:
        found = credit_history(shopcare.sessions, credit_id, now=shopcare.clock())
        if found is None:
            return
        row, redemptions = found
        with ui.grid(columns=2).classes("gap-x-6").mark("credit-facts"):
            for name, value in (
                ("Status", status_label(row.status)),
                ("Issued", f"{format_money(row.amount_minor, row.currency)} on "
                           f"{when(row.issued_at)}"),
                ("Balance", format_money(row.balance_minor, row.currency)),
                ("Expires", when(row.expires_at) if row.expires_at else "never"),
                ("Shopper", row.email),
                ("Return", f"{row.rma} (order {row.order_number})"),
            ):  # fmt: skip
                ui.label(name).classes("text-gray-500")
                ui.label(value)
        ui.link("Open the return", f"/admin/returns/{row.return_id}")
        ui.label("Redemptions").classes("text-lg")
        ui.table(
            columns=[
                {"name": "at", "label": "When", "field": "at", "align": "left"},
                {"name": "amount", "label": "Amount", "field": "amount"},
                {"name": "order", "label": "Order", "field": "order", "align": "left"},
                {"name": "source", "label": "Source", "field": "source", "align": "left"},
                {"name": "by", "label": "Who", "field": "by", "align": "left"},
            ],
            rows=[
                {
                    "id": i, "at": when(r.at),
                    "amount": format_money(r.amount_minor, row.currency),
                    "order": r.order_number or "—", "source": SOURCES.get(r.source, r.source),
                    "by": r.by or "—",
                }
                for i, r in enumerate(redemptions)
            ],
            row_key="id",
        ).classes("w-full").mark("credit-history")  # fmt: skip
        if not redemptions:
            ui.label("Not used yet.")

    refresh = redrawn(draw)
    if first.status in REDEEMABLE:
        _redeem_form(shopcare, code=first.code, on_done=refresh, currency=first.currency)

        with ui.dialog() as confirm, ui.card():
            ui.label(f"Void {first.code}? The shopper can no longer use what is left of it.")

            def void() -> None:
                void_credit(shopcare.sessions, credit_id, now=shopcare.clock())
                confirm.close()
                ui.notify("Voided: the code can no longer be used.")
                refresh()

            with ui.row():
                ui.button("Void", on_click=void).props("color=negative").mark("credit-void-confirm")
                ui.button("Keep it", on_click=confirm.close).props("flat")
        ui.button("Void this credit", on_click=confirm.open).props("outline color=negative").mark(
            "credit-void"
        )


def _row(r: CreditRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "code": r.code,
        "email": r.email,
        "order": r.order_number,
        "issued": when(r.issued_at),
        "amount": format_money(r.amount_minor, r.currency),
        "balance": format_money(r.balance_minor, r.currency),
        "expires": when(r.expires_at) if r.expires_at else "never",
        "status": status_label(r.status),
    }


def _open_credit(event: events.GenericEventArguments) -> None:
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "id" in row:
        ui.navigate.to(f"{PATH}/{int(row['id'])}")
