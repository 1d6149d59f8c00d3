"""The demo as ``shopcare run --demo`` seeds it, with its months of history: the owner's
pages open on it and show the past orders beside today's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import Feedback, ShopOrder
from shopcare.services.accounts.auth import set_password
from tests.ui.admin_support import OWNER, PASSWORD, only, sign_in


@pytest.fixture
def history_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[int, str, int]]:
    """The full demo and a known owner; yields a past order with a comment in its feedback
    (id, number) and how many shoppers answered."""
    monkeypatch.setenv("SHOPCARE_DATA_DIR", str(tmp_path))
    for name in ("SHOPCARE_DATABASE_URL", "SHOPCARE_SMTP_URL", "SHOPCARE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    app = build(load_settings(), demo=True)
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=app.clock())
    with app.sessions() as session:
        answers = len(session.exec(select(Feedback.id).where(col(Feedback.score) >= 0)).all())
        past = session.exec(
            select(ShopOrder.id, ShopOrder.order_number)
            .join(Feedback, Feedback.order_id == ShopOrder.id)  # type: ignore[arg-type]
            .where(Feedback.comment != "")
            .order_by(ShopOrder.id)
        ).first()
    app.engine.dispose()
    assert past is not None and past[0] is not None
    yield past[0], past[1], answers


pytestmark = pytest.mark.usefixtures("history_data_dir")


async def test_a_past_order_opens_with_its_delivered_parcel(
    user: User, history_data_dir: tuple[int, str, int]
) -> None:
    order_id, number, _ = history_data_dir
    await sign_in(user)
    await user.open("/admin/orders")
    numbers = [row["number"] for row in only(user, ui.table).rows]
    assert set(numbers[:6]) == {str(n) for n in range(1001, 1007)}  # today's first
    assert len(numbers) > 6 and int(numbers[6]) < 1001  # then the past, newest first
    await user.open(f"/admin/orders/{order_id}")
    await user.should_see(f"Order {number}")


async def test_the_feedback_page_lists_the_past_answers(
    user: User, history_data_dir: tuple[int, str, int]
) -> None:
    await sign_in(user)
    await user.open("/admin/feedback")
    await user.should_see(f"{history_data_dir[2]} answers · page 1 of")
