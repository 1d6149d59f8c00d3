"""The owner's Store credit page: every credit with its balance and status, found by code or
email and narrowed by status; a code marked used lowers the balance and a larger amount than
is left is refused with the reason; a credit's own page shows its history and voids it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.models import OrderLine, ShopOrder, StoreCredit
from shopcare.domain.roles import Role
from shopcare.services.accounts.users import add_user
from shopcare.services.returns.store_credit import get_credit_settings
from shopcare.services.returns.workflow import approve_return, credit_return, receive_return
from tests.services.return_builders import open_return_rows
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@contextmanager
def store() -> Iterator[ShopCare]:
    app = build(load_settings())
    try:
        yield app
    finally:
        app.engine.dispose()


def a_credit(order: str, sku: str, *, amount_minor: int = 1800) -> StoreCredit:
    """A demo order's item returned for store credit and credited by the owner."""
    with store() as app:
        rid = open_return_rows(
            app.sessions, order, now=MARCH, quantities={sku: 1}, resolution="store_credit",
            rma=f"R-TEST-{order}",
        )  # fmt: skip
        approve_return(app.sessions, rid, now=MARCH)
        receive_return(app.sessions, rid, now=MARCH)
        code = credit_return(app.sessions, rid, now=MARCH, amount_minor=amount_minor)
        with app.sessions() as session:
            return session.exec(select(StoreCredit).where(StoreCredit.code == code)).one()


def balance(code: str) -> int:
    with store() as app, app.sessions() as session:
        return session.exec(select(StoreCredit).where(StoreCredit.code == code)).one().balance_minor


def codes(user: User) -> list[str]:
    return [row["code"] for row in only(user, ui.table, "credit-table").rows]


async def test_the_owner_finds_credits_and_marks_one_partly_used(user: User) -> None:
    first = a_credit("1001", "MUG-SAND")
    second = a_credit("1002", _sku_of("1002"), amount_minor=500)
    await sign_in(user)
    await user.open("/admin/store-credit")
    assert sorted(codes(user)) == sorted([first.code, second.code])
    assert only(user, ui.button, "credit-count-active").text == "Active 2"

    user.find(marker="credit-table").trigger(
        "request", {"pagination": {"page": 2, "rowsPerPage": 1}}
    )  # Quasar asks for the second page of one row: the older credit
    assert codes(user) == [first.code]
    assert only(user, ui.table, "credit-table").pagination["rowsNumber"] == 2
    user.find(marker="credit-table").trigger(
        "request", {"pagination": {"page": 1, "rowsPerPage": 50}}
    )
    only(user, ui.input, "credit-search").value = first.code[-4:].lower()
    assert codes(user) == [first.code]
    only(user, ui.input, "credit-search").value = ""

    user.find(marker="redeem-code").type(first.code.lower())
    user.find(marker="redeem-amount").type("10,00")
    user.find(marker="redeem-order").type("2001")
    user.find(marker="redeem-record").click()
    assert user.notify.contains(f"Recorded. {first.code} has 8.00 EUR left.")
    assert balance(first.code) == 800
    assert only(user, ui.button, "credit-count-partly_used").text == "Partly used 1"
    only(user, ui.select, "credit-status").value = "partly_used"
    assert codes(user) == [first.code]
    row = only(user, ui.table, "credit-table").rows[0]
    assert (row["amount"], row["balance"], row["status"]) == (
        "18.00 EUR",
        "8.00 EUR",
        "Partly used",
    )

    user.find(marker="redeem-code").clear().type(first.code)
    user.find(marker="redeem-amount").type("8.01")
    user.find(marker="redeem-record").click()
    assert user.notify.contains("the amount is more than the credit's remaining balance")
    assert balance(first.code) == 800


async def test_a_credits_page_shows_its_history_and_voids_it(user: User) -> None:
    credit = a_credit("1001", "MUG-SAND")
    await sign_in(user)
    await user.open(f"/admin/store-credit/{credit.id}")
    await user.should_see("Not used yet.")
    user.find(marker="redeem-amount").type("3.50")
    user.find(marker="redeem-order").type("#2002")
    user.find(marker="redeem-record").click()
    await user.open(f"/admin/store-credit/{credit.id}")
    (entry,) = only(user, ui.table, "credit-history").rows
    assert (entry["amount"], entry["order"], entry["source"], entry["by"]) == (
        "3.50 EUR", "#2002", "by hand", "owner",
    )  # fmt: skip
    user.find(marker="credit-void").click()
    user.find(marker="credit-void-confirm").click()
    await user.open(f"/admin/store-credit/{credit.id}")
    await user.should_see("Voided")
    await user.should_not_see(marker="credit-void")  # nothing more to use or void
    await user.open("/admin/store-credit/abc")
    await user.should_see("There is no store credit 'abc'.")


async def test_the_owner_sets_the_expiry_and_staff_record_redemptions_without_it(
    user: User,
) -> None:
    credit = a_credit("1001", "MUG-SAND")
    await sign_in(user)
    await user.open("/admin/store-credit")
    only(user, ui.number, "credit-expiry").value = 12
    only(user, ui.number, "credit-reminder").value = 14
    user.find(marker="credit-expiry-save").click()
    assert user.notify.contains("Saved: new credits expire after 12 months.")
    with store() as app:
        assert get_credit_settings(app.sessions).expiry_months == 12
        assert get_credit_settings(app.sessions).reminder_days == 14

    with store() as app:
        add_user(app.sessions, username="anna", password="staff password 1234",
                 role=Role.STAFF, now=MARCH)  # fmt: skip
    await user.http_client.post("/admin/logout")
    await sign_in(user, "staff password 1234", username="anna")
    await user.open("/admin/store-credit")
    assert codes(user) == [credit.code]
    await user.should_not_see(marker="credit-expiry")
    await user.should_not_see(marker="credit-reminder")
    user.find(marker="redeem-code").type(credit.code)
    user.find(marker="redeem-amount").type("1")
    user.find(marker="redeem-record").click()
    await user.open(f"/admin/store-credit/{credit.id}")
    assert only(user, ui.table, "credit-history").rows[0]["by"] == "anna"


def _sku_of(order: str) -> str:
    """The first item of a demo order."""
    with store() as app, app.sessions() as session:
        return (
            session.exec(
                select(OrderLine.sku)
                .join(ShopOrder, col(ShopOrder.id) == col(OrderLine.order_id))
                .where(ShopOrder.order_number == order)
            ).first()
            or ""
        )
