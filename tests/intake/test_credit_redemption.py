"""A store credit's code used at the shop's checkout comes back with the order: Shopify's
``discount_codes`` and WooCommerce's ``coupon_lines``, delivered by signed webhooks, and a
CSV file's discount columns redeem the credit for the discount's amount, once per order
however often the order arrives."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import ShopOrder, StoreCredit, StoreCreditRedemption
from shopcare.domain.insight import Period
from shopcare.services.insight.credit_figures import credit_figures
from shopcare.services.intake.csv_import import ImportOptions, import_csv
from shopcare.services.intake.webhooks import set_webhook_secret
from shopcare.services.orders.changes import cancel
from shopcare.services.returns.store_credit import update_credit_settings
from tests.conftest import FakeClock
from tests.intake import test_webhooks_shopify as shopify
from tests.intake import test_webhooks_woocommerce as woo
from tests.intake.webhook_helpers import client, deliveries, payload
from tests.services.credit_builders import issued_credit


@pytest.fixture
async def hooks(shopcare: ShopCare, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    set_webhook_secret(shopcare.sessions, "shopify", shopify.SECRET, now=clock())
    set_webhook_secret(shopcare.sessions, "woocommerce", woo.SECRET, now=clock())
    async with client(shopcare) as c:
        yield c


def ledger(app: ShopCare) -> tuple[int, list[tuple[int, str, str, str]]]:
    """The credit's balance and its log: (amount, order, source, who)."""
    with app.sessions() as session:
        credit = session.exec(select(StoreCredit)).one()
        log = session.exec(select(StoreCreditRedemption).order_by(StoreCreditRedemption.id))  # type: ignore[arg-type]
        return credit.balance_minor, [
            (r.amount_minor, r.order_number, r.source, r.recorded_by) for r in log
        ]


def shopify_order(code: str, amount: str) -> dict[str, Any]:
    """The documented Order webhook body with a discount code, as Shopify sends it."""
    body = copy.deepcopy(payload("shopify_order.json"))
    body["discount_codes"] = [
        {"code": code, "amount": amount, "type": "fixed_amount"},
        {"code": "WELCOME10", "amount": "2.00", "type": "percentage"},  # not a credit
    ]
    return body


async def test_a_shopify_order_with_the_code_redeems_its_amount_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    body = shopify_order(code, "15.00")
    assert (await shopify.send(hooks, "orders/create", body, "wh-1")).status_code == 200
    assert ledger(shopcare) == (2900, [(1500, "#1001", "shopify", "")])
    body["updated_at"] = "2026-11-02T10:05:00+01:00"  # an edit later: the same order again
    await shopify.send(hooks, "orders/updated", body, "wh-2")
    await shopify.send(hooks, "orders/create", body, "wh-1")  # Shopify's retry of the first
    assert ledger(shopcare) == (2900, [(1500, "#1001", "shopify", "")])
    assert [d.status for d in deliveries(shopcare)] == ["applied", "applied"]


async def test_a_discount_above_the_balance_takes_what_is_left(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=1000)
    await shopify.send(hooks, "orders/create", shopify_order(code, "25.00"), "wh-1")
    assert ledger(shopcare) == (0, [(1000, "#1001", "shopify", "")])


async def test_an_expired_credit_used_on_shopify_is_not_redeemed(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    update_credit_settings(shopcare.sessions, expiry_months=1)
    code = issued_credit(shopcare, now=datetime(2026, 9, 1, 9, 0, tzinfo=UTC))
    await shopify.send(hooks, "orders/create", shopify_order(code, "15.00"), "wh-1")
    assert ledger(shopcare) == (4400, [])
    assert deliveries(shopcare)[0].status == "applied"  # the order itself is taken


async def test_a_woocommerce_coupon_line_redeems_the_discount_with_its_tax_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    body = copy.deepcopy(payload("woocommerce_order.json"))
    body["coupon_lines"] = [  # WooCommerce keeps coupon codes in lower case
        {"id": 318, "code": code.lower(), "discount": "16.81", "discount_tax": "3.19",
         "meta_data": []},
    ]  # fmt: skip
    await woo.send(hooks, "order.created", body, "d1")
    assert ledger(shopcare) == (2400, [(2000, "727", "woocommerce", "")])
    body["date_modified_gmt"] = "2026-12-01T08:45:00"
    await woo.send(hooks, "order.updated", body, "d2")
    await woo.send(hooks, "order.updated", body, None)
    assert ledger(shopcare) == (2400, [(2000, "727", "woocommerce", "")])


async def test_a_woocommerce_order_that_arrives_cancelled_redeems_nothing(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    code = issued_credit(shopcare, now=clock())
    body = copy.deepcopy(payload("woocommerce_order.json"))
    body["status"] = "cancelled"
    body["coupon_lines"] = [{"id": 1, "code": code.lower(), "discount": "5.00",
                             "discount_tax": "0.00"}]  # fmt: skip
    await woo.send(hooks, "order.created", body, "d1")
    assert ledger(shopcare) == (4400, [])


def test_a_csv_import_with_the_code_redeems_it_once_however_often_imported(
    shopcare: ShopCare, clock: FakeClock, tmp_path: Path
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_number,order_date,email,currency,item_name,item_qty,item_price,"
        "discount_code,discount_amount\n"
        f"B-200,2026-11-01T10:00:00+01:00,cleo@example.com,EUR,Mug,1,18.00,{code},12.50\n"
        "B-201,2026-11-01T11:00:00+01:00,dan@example.com,EUR,Mug,1,18.00,SUMMER,5.00\n",
        encoding="utf-8",
    )
    options = ImportOptions(now=clock(), carriers=shopcare.carrier_names, zone=ZoneInfo("UTC"))
    for _ in range(2):
        assert import_csv(shopcare.sessions, path, options).rejected == 0
    assert ledger(shopcare) == (3150, [(1250, "B-200", "csv", "")])


async def test_a_cancelled_shopify_order_gives_its_credit_back_once(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    body = shopify_order(code, "15.00")
    await shopify.send(hooks, "orders/create", body, "wh-1")
    assert ledger(shopcare) == (2900, [(1500, "#1001", "shopify", "")])
    body["cancelled_at"] = body["updated_at"] = "2026-11-02T09:55:00+01:00"
    await shopify.send(hooks, "orders/cancelled", body, "wh-2")
    given_back = (4400, [(1500, "#1001", "shopify", ""), (-1500, "#1001", "cancelled", "")])
    assert ledger(shopcare) == given_back
    await shopify.send(hooks, "orders/cancelled", body, "wh-2")  # Shopify's retry
    await shopify.send(hooks, "orders/updated", body, "wh-3")  # and the edit that follows
    assert ledger(shopcare) == given_back


async def test_a_deleted_woocommerce_order_gives_back_what_is_left_of_a_used_up_credit(
    hooks: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    code = issued_credit(shopcare, now=clock(), amount_minor=1000)
    body = copy.deepcopy(payload("woocommerce_order.json"))
    body["coupon_lines"] = [{"id": 1, "code": code.lower(), "discount": "25.00",
                             "discount_tax": "0.00"}]  # fmt: skip
    await woo.send(hooks, "order.created", body, "d1")
    assert ledger(shopcare) == (0, [(1000, "727", "woocommerce", "")])
    for delivery in ("d2", "d3"):
        await woo.send(hooks, "order.deleted", {"id": body["id"]}, delivery)
    assert ledger(shopcare) == (
        1000, [(1000, "727", "woocommerce", ""), (-1000, "727", "cancelled", "")]
    )  # fmt: skip
    with shopcare.sessions() as session:
        assert session.exec(select(StoreCredit)).one().redeemed_at is None


def test_the_owner_cancelling_the_order_gives_the_credit_back_and_the_figures_net_it(
    shopcare: ShopCare, clock: FakeClock, tmp_path: Path
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_number,order_date,email,currency,item_name,item_qty,item_price,"
        "discount_code,discount_amount\n"
        f"B-200,2026-11-01T10:00:00+01:00,cleo@example.com,EUR,Mug,1,18.00,{code},12.50\n",
        encoding="utf-8",
    )
    options = ImportOptions(now=clock(), carriers=shopcare.carrier_names, zone=ZoneInfo("UTC"))
    import_csv(shopcare.sessions, path, options)
    with shopcare.sessions() as session:
        order_id = session.exec(select(ShopOrder.id).where(ShopOrder.order_number == "B-200")).one()
    assert cancel(shopcare.sessions, order_id, now=clock(), by="anna") is True
    assert cancel(shopcare.sessions, order_id, now=clock(), by="anna") is False
    assert ledger(shopcare) == (
        4400,
        [(1250, "B-200", "csv", ""), (-1250, "B-200", "cancelled", "")],
    )
    import_csv(shopcare.sessions, path, options)  # the file again: the order stays cancelled
    assert ledger(shopcare)[0] == 4400
    month = clock().date().replace(day=1)
    period = Period(month, month + timedelta(days=27), ZoneInfo("UTC"))
    with shopcare.sessions() as session:
        figures = credit_figures(session, period, now=clock() + timedelta(hours=1))["EUR"]
    assert (figures.redeemed, figures.outstanding) == (0, 4400)


def test_a_cancelled_order_seen_again_in_a_file_redeems_nothing(
    shopcare: ShopCare, clock: FakeClock, tmp_path: Path
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    path = tmp_path / "orders.csv"
    header = "order_number,order_date,email,currency,item_name,item_qty,item_price"
    path.write_text(f"{header}\nB-300,2026-11-01T10:00:00+01:00,cleo@example.com,EUR,Mug,1,18\n")
    options = ImportOptions(now=clock(), carriers=shopcare.carrier_names, zone=ZoneInfo("UTC"))
    import_csv(shopcare.sessions, path, options)
    with shopcare.sessions() as session:
        order_id = session.exec(select(ShopOrder.id).where(ShopOrder.order_number == "B-300")).one()
    cancel(shopcare.sessions, order_id, now=clock(), by="anna")
    path.write_text(
        f"{header},discount_code,discount_amount\n"
        f"B-300,2026-11-01T10:00:00+01:00,cleo@example.com,EUR,Mug,1,18,{code},5.00\n"
    )  # the file has no cancelled column: the stored order stays cancelled
    import_csv(shopcare.sessions, path, options)
    assert ledger(shopcare) == (4400, [])
