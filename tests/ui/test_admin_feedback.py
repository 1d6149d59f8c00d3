"""The owner reads shoppers' answers: newest first, by score band, an aspect rated low,
carrier and the days answered, with comments only, found by order, one page at a time, each
row leading to its order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Feedback, Shipment, ShopOrder
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.shopper_site.feedback_list import FeedbackQuery, feedback_page
from shopcare.ui.admin.insight.feedback import ORDER_LINK
from tests.ui.admin_support import only, sign_in

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("answered")  # before the app ``user`` starts


@pytest.fixture
def answered(new_shop: Path) -> Path:
    """40 orders; orders 1-30 answered on day ``n`` after AT, score ``n % 11``, delivery
    rated ``1 + n % 5``, a comment on even ones; 31-40 asked and not answered."""
    app = build(load_settings())
    seed_many_orders(app.sessions, 40, now=AT)
    with transaction(app.sessions) as session:
        for n in range(1, 41):
            done = n <= 30
            session.add(
                Feedback(
                    order_id=n, public_token=f"fb-{n:04d}", created_at=AT,
                    score=n % 11 if done else None,
                    comment=f"comment {n}" if done and n % 2 == 0 else "",
                    answered_at=AT + timedelta(days=n) if done else None,
                    rating_delivery=1 + n % 5 if done else None,
                )
            )  # fmt: skip
    app.engine.dispose()
    return new_shop


def numbers(query: FeedbackQuery) -> set[int]:
    app = build(load_settings())
    found = feedback_page(app.sessions, query)
    app.engine.dispose()
    return {row.order_id for row in found.rows}


def test_bands_comments_and_search_narrow_the_answers() -> None:
    app = build(load_settings())
    every = feedback_page(app.sessions, FeedbackQuery(per_page=50))
    assert every.total == 30 and every.rows[0].order_number == "B0000030"  # newest first
    scores = {n: n % 11 for n in range(1, 31)}
    assert numbers(FeedbackQuery(band="detractor", per_page=50)) == {
        n for n, s in scores.items() if s <= 6
    }
    assert numbers(FeedbackQuery(band="passive", per_page=50)) == {7, 8, 18, 19, 29, 30}
    assert numbers(FeedbackQuery(band="promoter", per_page=50)) == {9, 10, 20, 21}
    commented = feedback_page(app.sessions, FeedbackQuery(with_comment=True, per_page=50))
    assert commented.total == 15 and all(r.comment for r in commented.rows)
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.id == 12)).one()
    found = feedback_page(app.sessions, FeedbackQuery(search=order.email))
    assert [r.order_number for r in found.rows] == ["B0000012"]
    assert found.rows[0].ratings == "delivery 3/5"
    app.engine.dispose()


def test_an_aspect_rated_low_a_carrier_and_days_narrow_the_answers() -> None:
    low_delivery = {n for n in range(1, 31) if 1 + n % 5 <= 2}
    assert numbers(FeedbackQuery(low_aspect="delivery", per_page=50)) == low_delivery
    assert numbers(FeedbackQuery(low_aspect="any", per_page=50)) == low_delivery
    assert numbers(FeedbackQuery(low_aspect="packaging", per_page=50)) == set()
    # days in the shop's zone, both ends included: answered Nov 25 .. Nov 29
    week = FeedbackQuery(since=date(2026, 11, 25), until=date(2026, 11, 29), per_page=50)
    assert numbers(week) == {5, 6, 7, 8, 9}
    app = build(load_settings())
    with app.sessions() as session:
        parcels = session.exec(
            select(Shipment.order_id, Shipment.carrier).where(col(Shipment.order_id) <= 30)
        ).all()
    app.engine.dispose()
    carrier = parcels[0][1]
    by_carrier = {order for order, name in parcels if name == carrier}
    assert numbers(FeedbackQuery(carrier=carrier, per_page=50)) == by_carrier
    both = FeedbackQuery(carrier=carrier, low_aspect="delivery", per_page=50)
    assert numbers(both) == by_carrier & low_delivery


async def test_the_feedback_page_lists_answers_a_page_at_a_time(user: User, answered: Path) -> None:
    await sign_in(user)
    await user.open("/admin/feedback")
    await user.should_see("30 answers · page 1 of 2")
    table = only(user, ui.table, "feedback-table")
    rows = table.rows
    assert (len(rows), rows[0]["order"], rows[0]["order_id"]) == (25, "B0000030", 30)
    assert table.slots["body-cell-order"].template == ORDER_LINK  # the number links its order
    assert "'/admin/orders/' + props.row.order_id" in ORDER_LINK
    await user.open("/admin/feedback?band=promoter")
    assert {r["score"] for r in only(user, ui.table, "feedback-table").rows} <= {9, 10}
    await user.open("/admin/feedback?q=no-such-order")
    await user.should_see("No answer matches these filters.")


async def test_the_filters_are_read_from_the_address(user: User, answered: Path) -> None:
    await sign_in(user)
    await user.open("/admin/feedback?low=delivery&since=2026-11-25&until=2026-11-29")
    rows = only(user, ui.table, "feedback-table").rows
    low_in_week = {n for n in range(5, 10) if 1 + n % 5 <= 2}
    assert {r["order_id"] for r in rows} == low_in_week
    assert all(r["ratings"].startswith("delivery ") for r in rows)
    assert only(user, ui.select, "feedback-low").value == "delivery"
    await user.open("/admin/feedback?since=not-a-day&band=nonsense")  # ignored, never an error
    await user.should_see("30 answers · page 1 of 2")
