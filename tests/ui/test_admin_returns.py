"""The owner works a return from the order page: approve with a note, then record the
refund; each step is stored and queued for the shopper."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import OutboxMessage, ReturnRequest, ShopOrder
from shopcare.services.returns import open_return, returnable_lines
from tests.ui.admin_support import sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def open_a_return() -> tuple[int, int]:
    """A shopper returns one mug of demo order 1001: (order id, return id)."""
    app = build(load_settings())
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
    line = next(iter(returnable_lines(app.sessions, order.public_token) or {}))
    open_return(
        app.sessions, order_token=order.public_token, quantities={line: 1},
        reason="too_small", now=app.clock(),
    )  # fmt: skip
    with app.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
    app.engine.dispose()
    return order.id or 0, request.id or 0


def stored(return_id: int) -> tuple[str, str, int | None, list[str]]:
    app = build(load_settings())
    with app.sessions() as session:
        request = session.get(ReturnRequest, return_id)
        assert request is not None
        kinds = [
            m.kind
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.return_id == return_id))
        ]
        result = (request.status, request.owner_note, request.refund_minor, kinds)
    app.engine.dispose()
    return result


async def test_the_owner_approves_a_return_with_a_note_then_refunds_it(user: User) -> None:
    order_id, return_id = open_a_return()
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id}")
    await user.should_see("Approve")
    user.find(marker=f"return-{return_id}-approved").click()
    user.find(marker="return-note").type("Please use any post office.")
    user.find(marker="return-confirm").click()
    status, note, _, kinds = stored(return_id)
    assert (status, note) == ("approved", "Please use any post office.")
    assert kinds == ["return_requested", "return_approved"]

    await user.open(f"/admin/orders/{order_id}")
    user.find(marker=f"return-{return_id}-received").click()
    user.find(marker="return-confirm").click()
    await user.open(f"/admin/orders/{order_id}")
    user.find(marker=f"return-{return_id}-refunded").click()
    user.find(marker="return-amount").type("18.5x")
    user.find(marker="return-confirm").click()
    assert user.notify.contains("not an amount")
    user.find(marker="return-amount").clear().type("18.50")
    user.find(marker="return-confirm").click()
    status, _, refund, kinds = stored(return_id)
    assert (status, refund) == ("refunded", 1850)
    assert kinds[-1] == "return_refunded"
