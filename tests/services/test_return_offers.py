"""Return offers on a real store: the bonus recorded on the return and added to the credit,
the handling fee kept off credit, exchanges for cheaper products with their difference as
credit, the owner's catalogue, and instant exchanges with their watch (explicit times)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.models import (
    Customer,
    OrderLine,
    ProblemReport,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ShopOrder,
    StoreCredit,
)
from shopcare.domain.return_policy import RequestedLine
from shopcare.domain.returns import Condition
from shopcare.jobs import make_scheduler
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.orders.catalogue_editor import add_product, catalogue_rows, edit_product
from shopcare.services.returns.instant import watch_instant_exchanges
from shopcare.services.returns.offers import update_offers
from shopcare.services.returns.policy import update_policy
from shopcare.services.returns.requests import ReturnAsk, request_return, return_options
from shopcare.services.returns.shipments import add_return_parcel
from shopcare.services.returns.workflow import (
    Received,
    approve_return,
    credit_return,
    exchange_return,
    receive_return,
)
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.test_outbox import Recorder


def place(
    shopcare: ShopCare,
    clock: FakeClock,
    number: str,
    *,
    tracking: str = "",
    email: str = "ada@example.com",
) -> tuple[str, dict[str, int]]:
    made = create_order(
        shopcare.sessions,
        OrderIn(
            order_number=number,
            email=email,
            placed_at=clock(),
            lines=[
                LineIn(
                    title="Linen shirt", quantity=2, unit_price_minor=4000, sku="SHIRT-M",
                    variant="M", product_key="shirt",
                ),
            ],
            shipments=[ShipmentIn(carrier="simulated", tracking_number=tracking)]
            if tracking
            else [],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )  # fmt: skip
    with shopcare.sessions() as session:
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == made.id)).all()
        return made.public_token, {li.sku: li.id or 0 for li in lines}


def ask_for(token: str, line_id: int, resolution: str, *, exchange: str = "") -> ReturnAsk:
    return ReturnAsk(
        order_token=token,
        lines=(RequestedLine(line_id, 1, "too_small", exchange),),
        resolution=resolution,
    )


def the_return(shopcare: ShopCare, token: str) -> ReturnRequest:
    with shopcare.sessions() as session:
        return session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token)).one()


def test_credit_gets_the_bonus_and_bears_no_handling_fee(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_policy(shopcare.sessions, restocking_percent=10)
    update_offers(shopcare.sessions, bonus_percent=10)
    token, ids = place(shopcare, clock, "5001")
    made = request_return(
        shopcare.sessions, ask_for(token, ids["SHIRT-M"], "store_credit"), now=clock(),
        photo_dir=None,
    )  # fmt: skip
    request = the_return(shopcare, made)
    assert (request.bonus_minor, request.fee_minor) == (400, 0)
    assert request.id is not None
    approve_return(shopcare.sessions, request.id, now=clock())
    receive_return(shopcare.sessions, request.id, now=clock())
    code = credit_return(shopcare.sessions, request.id, now=clock())
    with shopcare.sessions() as session:
        credit = session.exec(select(StoreCredit).where(StoreCredit.code == code)).one()
        detail = session.exec(
            select(ReturnEvent.detail).where(ReturnEvent.action == "credited")
        ).one()
    assert credit.amount_minor == 4400
    assert detail == f"{code}, 44.00 EUR (bonus 4.00 EUR included)"


def test_a_refund_bears_the_handling_fee_and_no_bonus(shopcare: ShopCare, clock: FakeClock) -> None:
    update_policy(shopcare.sessions, restocking_percent=10)
    update_offers(shopcare.sessions, bonus_percent=10)
    token, ids = place(shopcare, clock, "5002")
    made = request_return(
        shopcare.sessions, ask_for(token, ids["SHIRT-M"], "refund"), now=clock(), photo_dir=None
    )
    request = the_return(shopcare, made)
    assert (request.bonus_minor, request.fee_minor) == (0, 400)


def test_the_owner_credits_less_than_was_sent_and_the_bonus_follows(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_offers(shopcare.sessions, bonus_fixed_minor=300)
    token, ids = place(shopcare, clock, "5003")
    made = request_return(
        shopcare.sessions,
        ReturnAsk(token, (RequestedLine(ids["SHIRT-M"], 2, "too_small"),), "store_credit"),
        now=clock(),
        photo_dir=None,
    )
    request = the_return(shopcare, made)
    assert request.id is not None and request.bonus_minor == 300
    approve_return(shopcare.sessions, request.id, now=clock())
    with shopcare.sessions() as session:
        line = session.exec(select(ReturnLine).where(ReturnLine.return_id == request.id)).one()
    receive_return(
        shopcare.sessions, request.id, now=clock(),
        received={line.id or 0: Received(1, Condition.AS_NEW)},
    )  # fmt: skip
    credit_return(shopcare.sessions, request.id, now=clock())
    with shopcare.sessions() as session:
        assert session.exec(select(StoreCredit.amount_minor)).one() == 4000 + 150


def cheaper_products(shopcare: ShopCare, clock: FakeClock) -> None:
    add_product(shopcare.sessions, sku="MUG", title="Ceramic mug", price_minor=3500, now=clock())
    add_product(shopcare.sessions, sku="PIN", title="Enamel pin", price_minor=900, now=clock())
    add_product(shopcare.sessions, sku="COAT", title="Wool coat", price_minor=9900, now=clock())


def test_an_exchange_offers_other_products_within_the_limit(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    cheaper_products(shopcare, clock)
    token, ids = place(shopcare, clock, "5004")
    options = return_options(shopcare.sessions, token, now=clock())
    assert options is not None and options.lines[ids["SHIRT-M"]].products == []

    update_offers(shopcare.sessions, other_products=True, difference_limit_minor=1000)
    options = return_options(shopcare.sessions, token, now=clock())
    assert options is not None
    offered = [(p.sku, p.credit_minor) for p in options.lines[ids["SHIRT-M"]].products]
    assert offered == [("MUG", 500)]


def test_an_exchange_for_a_cheaper_product_sends_it_and_credits_the_difference(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    cheaper_products(shopcare, clock)
    update_offers(
        shopcare.sessions, other_products=True, difference_limit_minor=1000, bonus_percent=5
    )
    token, ids = place(shopcare, clock, "5005")
    made = request_return(
        shopcare.sessions, ask_for(token, ids["SHIRT-M"], "exchange", exchange="MUG"),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    request = the_return(shopcare, made)
    assert request.id is not None and request.bonus_minor == 200
    with shopcare.sessions() as session:
        line = session.exec(select(ReturnLine).where(ReturnLine.return_id == request.id)).one()
    assert (line.exchange_sku, line.exchange_credit_minor) == ("MUG", 500)
    approve_return(shopcare.sessions, request.id, now=clock())
    receive_return(shopcare.sessions, request.id, now=clock())
    number = exchange_return(shopcare.sessions, request.id, now=clock())
    with shopcare.sessions() as session:
        sent = session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()
        sent_lines = session.exec(select(OrderLine).where(OrderLine.order_id == sent.id)).all()
        credit = session.exec(select(StoreCredit)).one()
    assert [(li.sku, li.title) for li in sent_lines] == [("MUG", "Ceramic mug")]
    assert credit.amount_minor == 500 + 200


def test_a_dearer_product_is_refused_in_the_request(shopcare: ShopCare, clock: FakeClock) -> None:
    cheaper_products(shopcare, clock)
    update_offers(shopcare.sessions, other_products=True, difference_limit_minor=1000)
    token, ids = place(shopcare, clock, "5006")
    with pytest.raises(InputError, match="exchange_needs_variant"):
        request_return(
            shopcare.sessions, ask_for(token, ids["SHIRT-M"], "exchange", exchange="COAT"),
            now=clock(), photo_dir=None,
        )  # fmt: skip


def test_the_owner_adds_prices_and_hides_catalogue_products(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    place(shopcare, clock, "5007")  # the order's line is in the catalogue already
    add_product(shopcare.sessions, sku="MUG", title="Ceramic mug", price_minor=3500, now=clock())
    with pytest.raises(InputError, match="has MUG already"):
        add_product(shopcare.sessions, sku="MUG", title="Mug", price_minor=100, now=clock())
    with pytest.raises(InputError, match="price above 0"):
        add_product(shopcare.sessions, sku="CUP", title="Cup", price_minor=0, now=clock())
    edit_product(shopcare.sessions, "MUG", price_minor=3900, available=False, now=clock())
    rows = {r.sku: (r.title, r.price_minor, r.available) for r in catalogue_rows(shopcare.sessions)}
    assert rows == {"MUG": ("Ceramic mug", 3900, False), "SHIRT-M": ("Linen shirt", 4000, True)}

    update_offers(shopcare.sessions, other_products=True, difference_limit_minor=1000)
    token, ids = place(shopcare, clock, "5008")
    options = return_options(shopcare.sessions, token, now=clock())
    assert options is not None and options.lines[ids["SHIRT-M"]].products == []


def delivered_orders(shopcare: ShopCare, clock: FakeClock, count: int) -> None:
    for n in range(count):
        place(shopcare, clock, f"49{n:02}", tracking=f"SIMOK1000{n:02}")
    clock.advance(hours=50)


async def instant_exchange_return(shopcare: ShopCare, clock: FakeClock, number: str) -> int:
    await shopcare.poll_once()
    variant_order = place(shopcare, clock, number)
    token, ids = variant_order
    add_product(
        shopcare.sessions, sku="SHIRT-L", title="Linen shirt", variant="L", product_key="shirt",
        price_minor=4000, now=clock(),
    )  # fmt: skip
    made = request_return(
        shopcare.sessions, ask_for(token, ids["SHIRT-M"], "exchange", exchange="SHIRT-L"),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    request = the_return(shopcare, made)
    assert request.id is not None
    approve_return(shopcare.sessions, request.id, now=clock())
    return request.id


def exchange_orders(shopcare: ShopCare) -> list[str]:
    with shopcare.sessions() as session:
        return list(
            session.exec(
                select(ShopOrder.order_number)
                .where(ShopOrder.source == "exchange")
                .order_by(col(ShopOrder.id))
            ).all()
        )


async def test_a_repeat_customer_gets_the_replacement_at_approval(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_offers(shopcare.sessions, instant_exchange=True, instant_min_delivered_orders=2)
    delivered_orders(shopcare, clock, 2)
    return_id = await instant_exchange_return(shopcare, clock, "5010")
    assert exchange_orders(shopcare) == ["5010-EX1"]
    with shopcare.sessions() as session:
        request = session.get(ReturnRequest, return_id)
        assert request is not None
        assert (request.status, request.instant_exchange_at) == ("approved", clock())

    receive_return(shopcare.sessions, return_id, now=clock())
    assert exchange_return(shopcare.sessions, return_id, now=clock()) == "5010-EX1"
    assert exchange_orders(shopcare) == ["5010-EX1"]  # not sent twice


async def test_a_shopper_without_enough_delivered_orders_waits_for_the_item(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_offers(shopcare.sessions, instant_exchange=True, instant_min_delivered_orders=2)
    delivered_orders(shopcare, clock, 1)
    await instant_exchange_return(shopcare, clock, "5011")
    assert exchange_orders(shopcare) == []


async def test_an_unsent_return_becomes_one_problem_after_the_days(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_offers(shopcare.sessions, instant_exchange=True, watch_days=7)
    return_id = await instant_exchange_return(shopcare, clock, "5012")
    clock.advance(days=7, seconds=-1)
    assert watch_instant_exchanges(shopcare.sessions, now=clock()) == 0
    clock.advance(seconds=1)
    assert watch_instant_exchanges(shopcare.sessions, now=clock()) == 1
    assert watch_instant_exchanges(shopcare.sessions, now=clock()) == 0  # once
    with shopcare.sessions() as session:
        problem = session.exec(select(ProblemReport)).one()
        request = session.get(ReturnRequest, return_id)
        assert request is not None
    assert (problem.kind, problem.status, problem.order_id) == (
        "return_not_sent", "open", request.order_id,
    )  # fmt: skip
    assert request.rma in problem.message and "5012-EX1" in problem.message


async def test_a_return_parcel_the_carrier_scanned_is_not_a_problem(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_offers(shopcare.sessions, instant_exchange=True, watch_days=7)
    return_id = await instant_exchange_return(shopcare, clock, "5013")
    the_token = ""
    with shopcare.sessions() as session:
        request = session.get(ReturnRequest, return_id)
        assert request is not None
        the_token = request.public_token
    add_return_parcel(
        shopcare.sessions, the_token, tracking_number="SIMOK200001",
        carriers=shopcare.carrier_names, now=clock(),
    )  # fmt: skip
    clock.advance(hours=10)  # picked up: in transit
    await shopcare.poll_once()
    clock.advance(days=7)
    assert watch_instant_exchanges(shopcare.sessions, now=clock()) == 0


async def test_the_hourly_job_is_the_watch(shopcare: ShopCare, clock: FakeClock) -> None:
    async def nothing() -> None:
        return None

    scheduler = make_scheduler(poll=nothing, dispatch=nothing, return_watch=shopcare.watch_returns)
    job = scheduler.get_job("return_watch")
    assert job is not None and job.trigger.interval == timedelta(hours=1)

    update_offers(shopcare.sessions, instant_exchange=True, watch_days=3)
    await instant_exchange_return(shopcare, clock, "5014")
    clock.advance(days=3)
    assert await shopcare.watch_returns() == 1


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", "You also receive 7.00 EUR in store credit. Use this code at checkout:"),
        ("de", "Zusätzlich erhalten Sie ein Guthaben über 7.00 EUR."),
    ],
)
async def test_the_exchange_email_gives_the_code_and_amount_of_the_difference(
    shopcare: ShopCare, clock: FakeClock, locale: str, words: str
) -> None:
    cheaper_products(shopcare, clock)
    update_offers(
        shopcare.sessions, other_products=True, difference_limit_minor=1000, bonus_percent=5
    )
    token, ids = place(shopcare, clock, "5006")
    with shopcare.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "5006")).one()
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        customer.locale = locale
        session.add(customer)
        session.commit()
    made = request_return(
        shopcare.sessions, ask_for(token, ids["SHIRT-M"], "exchange", exchange="MUG"),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    request = the_return(shopcare, made)
    assert request.id is not None
    approve_return(shopcare.sessions, request.id, now=clock())
    receive_return(shopcare.sessions, request.id, now=clock())
    exchange_return(shopcare.sessions, request.id, now=clock())
    code = the_return(shopcare, made).store_credit_code
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    settled = next(m for m in recorder.sent if m.kind == "return_refunded")
    assert words in settled.text and words in settled.html
    assert code and f"    {code}\n" in settled.text and f">{code}</p>" in settled.html
    assert "Refund" not in settled.text and "Erstattung" not in settled.text
