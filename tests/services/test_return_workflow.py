import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OutboxMessage, ReturnRequest
from shopcare.domain.returns import ReturnStatus, can_move
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.returns.requests import open_return, returnable_lines
from shopcare.services.returns.workflow import move_return
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder


def test_returns_only_move_forward() -> None:
    assert can_move(ReturnStatus.REQUESTED, ReturnStatus.APPROVED)
    assert can_move(ReturnStatus.APPROVED, ReturnStatus.RECEIVED)
    assert can_move(ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
    assert not can_move(ReturnStatus.REQUESTED, ReturnStatus.REFUNDED)
    assert not can_move(ReturnStatus.REFUNDED, ReturnStatus.REQUESTED)
    assert not can_move(ReturnStatus.REJECTED, ReturnStatus.APPROVED)


async def test_each_step_of_a_return_tells_the_shopper_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare, tracking="")
    line = next(iter(returnable_lines(shopcare.sessions, order.public_token) or {}))
    open_return(
        shopcare.sessions, order_token=order.public_token, quantities={line: 1},
        reason="too_small", now=clock(),
    )  # fmt: skip
    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
    rid = request.id or 0
    move_return(
        shopcare.sessions, rid, ReturnStatus.APPROVED, note="Use any post office.", now=clock()
    )
    move_return(shopcare.sessions, rid, ReturnStatus.RECEIVED, now=clock())
    with pytest.raises(InputError, match="more than the shopper paid"):
        move_return(shopcare.sessions, rid, ReturnStatus.REFUNDED, refund_minor=1801, now=clock())
    move_return(shopcare.sessions, rid, ReturnStatus.REFUNDED, refund_minor=1750, now=clock())
    with pytest.raises(InputError, match="already refunded"):
        move_return(shopcare.sessions, rid, ReturnStatus.APPROVED, now=clock())
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions,
        {Channel.EMAIL: recorder},
        now=clock(),
        public_url=PUBLIC_URL,
    )
    kinds = [m.kind for m in recorder.sent]
    assert kinds == [
        "order_confirmed", "return_requested", "return_approved", "return_received",
        "return_refunded",
    ]  # fmt: skip
    approved, refunded = recorder.sent[2], recorder.sent[4]
    assert "Use any post office." in approved.text and request.rma in approved.text
    assert f"{PUBLIC_URL}/r/{request.public_token}" in approved.text
    assert "17.50 EUR" in refunded.text
    with shopcare.sessions() as session:
        assert session.get(ReturnRequest, rid).status == "refunded"  # type: ignore[union-attr]
        assert len(session.exec(select(OutboxMessage)).all()) == 5
