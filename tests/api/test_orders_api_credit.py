"""An order sent through the REST API with a store credit's code among its discount codes
redeems the credit once, however often the script sends the order."""

from __future__ import annotations

import httpx
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import StoreCredit, StoreCreditRedemption
from tests.api.conftest import order_body
from tests.conftest import FakeClock
from tests.services.credit_builders import issued_credit


async def test_an_api_order_with_the_code_redeems_it_once(
    api: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    code = issued_credit(shopcare, now=clock(), amount_minor=4400)
    body = order_body("2001", discount_codes=[{"code": code, "amount_minor": 1990}])
    assert (await api.post("/orders", json=body)).status_code == 201
    assert (await api.post("/orders", json=body)).json()["outcome"] == "unchanged"
    with shopcare.sessions() as session:
        credit = session.exec(select(StoreCredit)).one()
        log = session.exec(select(StoreCreditRedemption)).all()
    assert credit.balance_minor == 2410
    assert [(r.amount_minor, r.order_number, r.source) for r in log] == [(1990, "2001", "api")]


async def test_a_discount_code_without_a_code_is_refused(api: httpx.AsyncClient) -> None:
    body = order_body("2002", discount_codes=[{"code": "", "amount_minor": 100}])
    assert (await api.post("/orders", json=body)).status_code == 422
