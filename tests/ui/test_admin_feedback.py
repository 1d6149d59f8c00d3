"""The owner reads shoppers' answers: newest first, by NPS group, with comments only,
found by order, one page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Feedback, ShopOrder
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.shopper_site.feedback_list import FeedbackQuery, feedback_page
from tests.ui.admin_support import only, sign_in

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("answered")  # before the app ``user`` starts


@pytest.fixture
def answered(new_shop: Path) -> Path:
    """40 orders; orders 1-30 answered, score ``n % 11``, a comment on even ones; 31-40 asked
    and not answered."""
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
                    answered_at=AT + timedelta(minutes=n) if done else None,
                )
            )  # fmt: skip
    app.engine.dispose()
    return new_shop


def test_groups_comments_and_search_narrow_the_answers() -> None:
    app = build(load_settings())
    every = feedback_page(app.sessions, FeedbackQuery(per_page=50))
    assert every.total == 30 and every.rows[0].order_number == "B0000030"  # newest first
    scores = [n % 11 for n in range(1, 31)]
    detractors = feedback_page(app.sessions, FeedbackQuery(group="detractors", per_page=50))
    assert detractors.total == sum(s <= 6 for s in scores)
    assert {r.score for r in detractors.rows} <= set(range(7))
    commented = feedback_page(app.sessions, FeedbackQuery(with_comment=True, per_page=50))
    assert commented.total == 15 and all(r.comment for r in commented.rows)
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.id == 12)).one()
    found = feedback_page(app.sessions, FeedbackQuery(search=order.email))
    assert [r.order_number for r in found.rows] == ["B0000012"]
    app.engine.dispose()


async def test_the_feedback_page_lists_answers_a_page_at_a_time(user: User, answered: Path) -> None:
    await sign_in(user)
    await user.open("/admin/feedback")
    await user.should_see("30 answers · page 1 of 2")
    rows = only(user, ui.table, "feedback-table").rows
    assert (len(rows), rows[0]["order"]) == (25, "B0000030")
    await user.open("/admin/feedback?group=promoters")
    assert {r["score"] for r in only(user, ui.table, "feedback-table").rows} <= {9, 10}
    await user.open("/admin/feedback?q=no-such-order")
    await user.should_see("No answer matches these filters.")
