"""The owner settles returns with real SQLite: conditions on receipt, refund money rules,
exchange orders, store credit, history and the shopper's emails, each step in one commit."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.models import (
    OrderLine,
    OutboxMessage,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ShopOrder,
    StoreCredit,
)
from shopcare.domain.returns import CREDIT_ALPHABET, Condition, ReturnStatus
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.returns.workflow import (
    Received,
    approve_return,
    credit_return,
    exchange_return,
    receive_return,
    refund_figures,
    refund_return,
    reject_return,
)
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.return_builders import add_variant, open_return_rows
from tests.services.test_outbox import Recorder


def line_ids(app: ShopCare, return_id: int) -> dict[str, int]:
    """Return line ids by the order line's SKU."""
    with app.sessions() as session:
        rows = session.exec(
            select(ReturnLine.id, OrderLine.sku)
            .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
            .where(ReturnLine.return_id == return_id)
        ).all()
    return {sku: line_id or 0 for line_id, sku in rows}


def history(app: ShopCare, return_id: int) -> list[tuple[str, str, str]]:
    with app.sessions() as session:
        rows = session.exec(
            select(ReturnEvent)
            .where(ReturnEvent.return_id == return_id)
            .order_by(col(ReturnEvent.id))
        ).all()
    return [(e.actor, e.action, e.detail) for e in rows]


def request_row(app: ShopCare, return_id: int) -> ReturnRequest:
    with app.sessions() as session:
        request = session.get(ReturnRequest, return_id)
    assert request is not None
    return request


def return_kinds(app: ShopCare, return_id: int) -> list[str]:
    with app.sessions() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.return_id == return_id)
            .order_by(col(OutboxMessage.id))
        ).all()
    return [m.kind for m in rows]


async def sent(app: ShopCare, clock: FakeClock) -> Recorder:
    recorder = Recorder()
    await dispatch_outbox(
        app.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    return recorder


def approved_and_received(
    app: ShopCare, clock: FakeClock, *, mugs: int = 2, resolution: str = "refund", **kw: object
) -> int:
    make_order(app, tracking="")
    rid = open_return_rows(
        app.sessions, "1001", now=clock(), quantities={"MUG": 2, "TOWEL": 1},
        resolution=resolution, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    approve_return(app.sessions, rid, now=clock.advance(hours=1), by="anna")
    lines = line_ids(app, rid)
    receive_return(
        app.sessions, rid, now=clock.advance(days=3), by="anna",
        received={
            lines["MUG"]: Received(mugs, Condition.OPENED),
            lines["TOWEL"]: Received(1, Condition.AS_NEW),
        },
    )  # fmt: skip
    return rid


async def test_a_refund_defaults_to_what_came_back_less_the_fee(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    rid = approved_and_received(shopcare, clock, mugs=1, fee_minor=450)
    figures = refund_figures(shopcare.sessions, rid)
    assert (figures.suggested, figures.most) == (1800 + 1250 - 450, 2 * 1800 + 1250)
    assert refund_return(shopcare.sessions, rid, now=clock.advance(hours=1), by="bo") == 2600
    assert request_row(shopcare, rid).status == "refunded"
    assert request_row(shopcare, rid).refund_minor == 2600
    assert [(a, b) for a, b, _ in history(shopcare, rid)] == [
        ("shopper", "requested"), ("anna", "approved"), ("anna", "received"),
        ("bo", "refunded"),
    ]  # fmt: skip
    received_detail = history(shopcare, rid)[2][2]
    assert "1 of 2 × Ceramic mug (opened)" in received_detail
    assert "1 of 1 × Tea towel (as new)" in received_detail
    assert history(shopcare, rid)[3][2] == "26.00 EUR"
    with shopcare.sessions() as session:
        conditions = sorted(
            (line.received_quantity, line.condition)
            for line in session.exec(select(ReturnLine).where(ReturnLine.return_id == rid))
        )
    assert conditions == [(1, "as_new"), (1, "opened")]
    assert return_kinds(shopcare, rid) == ["return_approved", "return_received", "return_refunded"]
    mail = (await sent(shopcare, clock)).sent
    refunded = next(m for m in mail if m.kind == "return_refunded")
    assert "We have issued your refund of 26.00 EUR." in refunded.text
    assert refunded.subject == "Your refund for order 1001 is on its way"


def test_an_edited_refund_is_kept_within_what_was_paid(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    rid = approved_and_received(shopcare, clock)
    with pytest.raises(InputError, match="cannot be negative"):
        refund_return(shopcare.sessions, rid, now=clock(), amount_minor=-1)
    with pytest.raises(InputError, match=r"more than the shopper paid .*at most 48.50 EUR"):
        refund_return(shopcare.sessions, rid, now=clock(), amount_minor=4851)
    assert request_row(shopcare, rid).status == "received"
    assert len(history(shopcare, rid)) == 3
    assert refund_return(shopcare.sessions, rid, now=clock(), amount_minor=4000) == 4000


def test_what_other_returns_gave_back_lowers_the_most_a_refund_may_be(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    with shopcare.sessions() as session:  # a discount: the shopper paid less than the lines
        order = session.exec(select(ShopOrder)).one()
        order.total_minor = 4000
        session.add(order)
        session.commit()
    first = open_return_rows(shopcare.sessions, "1001", now=clock(), quantities={"MUG": 1})
    approve_return(shopcare.sessions, first, now=clock())
    receive_return(shopcare.sessions, first, now=clock())
    refund_return(shopcare.sessions, first, now=clock(), amount_minor=1800)
    second = open_return_rows(
        shopcare.sessions, "1001", now=clock(), quantities={"MUG": 1, "TOWEL": 1}, rma="R-TEST-0002"
    )
    approve_return(shopcare.sessions, second, now=clock())
    receive_return(shopcare.sessions, second, now=clock())
    figures = refund_figures(shopcare.sessions, second)
    assert (figures.suggested, figures.most) == (4000 - 1800, 4000 - 1800)


def test_impossible_steps_are_refused_and_change_nothing(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    rid = open_return_rows(shopcare.sessions, "1001", now=clock(), quantities={"MUG": 1})
    with pytest.raises(InputError, match="approve it first"):
        refund_return(shopcare.sessions, rid, now=clock())
    with pytest.raises(InputError, match="approve it first"):
        exchange_return(shopcare.sessions, rid, now=clock())
    with pytest.raises(InputError, match="why the return is rejected"):
        reject_return(shopcare.sessions, rid, now=clock(), note="  ")
    approve_return(shopcare.sessions, rid, now=clock())
    with pytest.raises(InputError, match="cannot become approved"):
        approve_return(shopcare.sessions, rid, now=clock())
    with pytest.raises(InputError, match="mark the parcel received first"):
        credit_return(shopcare.sessions, rid, now=clock())
    mug = line_ids(shopcare, rid)["MUG"]
    with pytest.raises(InputError, match="Ceramic mug: at most 1 of this item were returned"):
        receive_return(
            shopcare.sessions, rid, now=clock(), received={mug: Received(2, Condition.USED)}
        )
    with pytest.raises(InputError, match="not part of this return"):
        receive_return(
            shopcare.sessions, rid, now=clock(), received={mug + 99: Received(1, Condition.USED)}
        )
    with pytest.raises(InputError, match="does not exist"):
        approve_return(shopcare.sessions, rid + 99, now=clock())
    assert request_row(shopcare, rid).status == "approved"
    assert [action for _, action, _ in history(shopcare, rid)] == ["requested", "approved"]
    assert return_kinds(shopcare, rid) == ["return_approved"]


async def test_a_parcel_refused_after_inspection_tells_the_shopper_why(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    rid = approved_and_received(shopcare, clock)
    reject_return(shopcare.sessions, rid, now=clock(), note="The mugs arrived used.", by="bo")
    assert request_row(shopcare, rid).status == "rejected"
    assert history(shopcare, rid)[-1] == ("bo", "rejected", "The mugs arrived used.")
    with pytest.raises(InputError, match="already rejected"):
        refund_return(shopcare.sessions, rid, now=clock())
    mail = (await sent(shopcare, clock)).sent
    rejected = next(m for m in mail if m.kind == "return_rejected")
    assert "The mugs arrived used." in rejected.text
    for answer in (m for m in mail if m.kind.startswith("return_")):
        # Always sent, so no "unsubscribe from these emails" that would not stop them.
        assert "Unsubscribe" not in answer.text and "/unsubscribe/" not in answer.html
        assert "List-Unsubscribe" not in answer.headers


async def test_an_exchange_becomes_a_free_order_with_the_wanted_variants(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    add_variant(shopcare.sessions, "MUG-BLUE", now=clock())
    rid = approved_and_received(
        shopcare, clock, mugs=1, resolution="exchange", exchange={"MUG": "MUG-BLUE"}
    )
    commits: list[object] = []
    count = commits.append
    sa.event.listen(shopcare.engine, "commit", count)
    number = exchange_return(shopcare.sessions, rid, now=clock.advance(hours=2), by="bo")
    sa.event.remove(shopcare.engine, "commit", count)
    assert number == "1001-EX1"
    assert len(commits) == 1  # order, confirmation, status, history, email: one commit
    with shopcare.sessions() as session:
        original = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        confirmations = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.order_id == order.id, OutboxMessage.kind == "order_confirmed"
            )
        ).all()
    assert (order.customer_id, order.email) == (original.customer_id, original.email)
    assert (order.total_minor, order.source) == (0, "exchange")
    assert order.public_token and order.public_token != original.public_token
    assert [(li.sku, li.quantity, li.unit_price_minor, li.variant) for li in lines] == [
        ("MUG-BLUE", 1, 0, "Colour Blue")
    ]
    assert len(confirmations) == 1
    request = request_row(shopcare, rid)
    assert (request.status, request.exchange_order_id) == ("exchanged", order.id)
    assert history(shopcare, rid)[-1] == ("bo", "exchanged", "exchange order 1001-EX1")
    mail = (await sent(shopcare, clock)).sent
    confirmed = [m for m in mail if m.kind == "order_confirmed" and "1001-EX1" in m.subject]
    assert len(confirmed) == 1 and "MUG-BLUE" not in confirmed[0].text
    settled = next(m for m in mail if m.kind == "return_refunded")
    assert settled.subject == "Your exchange for order 1001 is on its way"
    assert "We have created your exchange order 1001-EX1." in settled.text
    assert "refund" not in settled.text.lower()
    received = next(m for m in mail if m.kind == "return_received")
    assert "as soon as your exchange is on its way" in received.text


def test_an_exchange_without_a_variant_to_send_is_refused_and_leaves_no_order(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    rid = approved_and_received(shopcare, clock, exchange={"MUG": "MUG-GONE"})
    with pytest.raises(InputError, match="no variant 'MUG-GONE'"):
        exchange_return(shopcare.sessions, rid, now=clock())
    with shopcare.sessions() as session:
        assert len(session.exec(select(ShopOrder)).all()) == 1
    assert request_row(shopcare, rid).status == "received"


def test_an_order_the_shop_would_refuse_stops_the_exchange(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """create_order's own checks apply to exchange orders too, and nothing is kept."""
    add_variant(shopcare.sessions, "MUG-BLUE", now=clock())
    rid = approved_and_received(shopcare, clock, exchange={"MUG": "MUG-BLUE"})
    with shopcare.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        order.currency = "E"
        session.add(order)
        session.commit()
    with pytest.raises(InputError, match="not a three-letter ISO 4217 code"):
        exchange_return(shopcare.sessions, rid, now=clock())
    with shopcare.sessions() as session:
        assert len(session.exec(select(ShopOrder)).all()) == 1
    assert request_row(shopcare, rid).status == "received"
    assert len(history(shopcare, rid)) == 3
    assert return_kinds(shopcare, rid) == ["return_approved", "return_received"]


async def test_store_credit_is_a_unique_code_worth_the_refund(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    rid = approved_and_received(shopcare, clock, resolution="store_credit", fee_minor=250)
    code = credit_return(shopcare.sessions, rid, now=clock(), by="bo")
    assert re.fullmatch(rf"CREDIT-[{CREDIT_ALPHABET}]{{4}}-[{CREDIT_ALPHABET}]{{4}}", code)
    with shopcare.sessions() as session:
        credit = session.exec(select(StoreCredit)).one()
    assert (credit.code, credit.amount_minor, credit.currency) == (code, 4850 - 250, "EUR")
    request = request_row(shopcare, rid)
    assert (request.status, request.store_credit_code, request.refund_minor) == (
        "credited", code, None,
    )  # fmt: skip
    assert history(shopcare, rid)[-1] == ("bo", "credited", f"{code}, 46.00 EUR")
    settled = next(m for m in (await sent(shopcare, clock)).sent if m.kind == "return_refunded")
    assert settled.subject == "Your store credit for order 1001"
    assert code in settled.text and code in settled.html
    assert "store credit of 46.00 EUR" in settled.text


def test_two_credits_never_share_a_code(shopcare: ShopCare, clock: FakeClock) -> None:
    make_order(shopcare, tracking="")
    codes = set()
    for n in range(2):
        rid = open_return_rows(
            shopcare.sessions, "1001", now=clock(), quantities={"MUG": 1}, rma=f"R-TEST-000{n}"
        )
        approve_return(shopcare.sessions, rid, now=clock())
        receive_return(shopcare.sessions, rid, now=clock())
        codes.add(credit_return(shopcare.sessions, rid, now=clock(), amount_minor=100))
    assert len(codes) == 2


async def test_a_kept_item_is_refunded_straight_after_approval(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    rid = open_return_rows(
        shopcare.sessions, "1001", now=clock(), quantities={"TOWEL": 1}, resolution="keep"
    )
    approve_return(shopcare.sessions, rid, now=clock())
    with pytest.raises(InputError, match="cannot become received"):
        receive_return(shopcare.sessions, rid, now=clock())
    assert refund_return(shopcare.sessions, rid, now=clock()) == 1250
    assert request_row(shopcare, rid).status == ReturnStatus.REFUNDED
    mail = (await sent(shopcare, clock)).sent
    approved = next(m for m in mail if m.kind == "return_approved")
    assert "You can keep the items" in approved.text and "send them back" not in approved.text
    refunded = next(m for m in mail if m.kind == "return_refunded")
    assert "You can keep the items" in refunded.text and "12.50 EUR" in refunded.text


async def test_return_emails_list_the_returned_lines_only(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")  # 2 × Ceramic mug, 1 × Tea towel
    rid = open_return_rows(shopcare.sessions, "1001", now=clock(), quantities={"MUG": 1})
    approve_return(shopcare.sessions, rid, now=clock.advance(hours=1))

    mail = (await sent(shopcare, clock)).sent

    answers = [m for m in mail if m.kind.startswith("return_")]
    assert {m.kind for m in answers} >= {"return_approved"}
    for answer in answers:
        assert "1 × Ceramic mug" in answer.text and "1 × Ceramic mug" in answer.html
        assert "Tea towel" not in answer.text and "2 × Ceramic mug" not in answer.text
