import asyncio

import sqlalchemy as sa
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OutboxMessage
from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.services.messages.dispatch import dispatch_outbox
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order


class Recorder:
    """A sender at the outbound seam that records, and fails when told to."""

    name = "recorder"
    channel = Channel.EMAIL

    def __init__(self, fail: SendError | None = None, times: int = 0, delay: float = 0) -> None:
        self.sent: list[Outgoing] = []
        self.fail, self.times, self.delay = fail, times, delay

    async def send(self, message: Outgoing) -> None:
        await asyncio.sleep(self.delay)
        if self.fail and self.times:
            self.times -= 1
            raise self.fail
        self.sent.append(message)


def rows(app: ShopCare) -> list[OutboxMessage]:
    with app.sessions() as session:
        return list(session.exec(select(OutboxMessage)))


async def test_creating_an_order_queues_one_confirmation(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    sender = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert [m.subject for m in sender.sent] == ["Your order 1001 is confirmed"]
    message = sender.sent[0]
    assert message.recipient == "anna@example.com"
    assert message.reply_to == "help@shop.test"
    assert message.message_id and rows(shopcare)[0].message_id == message.message_id


async def test_two_dispatchers_at_once_send_each_message_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    for n in range(5):
        make_order(shopcare, number=str(2000 + n), tracking="")
    sender = Recorder(delay=0.01)
    await asyncio.gather(
        *(
            dispatch_outbox(
                shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
            )
            for _ in range(3)
        )
    )
    assert len(sender.sent) == 5
    assert {r.status for r in rows(shopcare)} == {"sent"}


async def test_a_temporary_failure_is_retried_with_the_same_message_id(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    sender = Recorder(fail=SendError("451 try later", permanent=False), times=1)
    report = await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert report.retrying == 1 and not sender.sent
    first_id = rows(shopcare)[0].message_id
    assert rows(shopcare)[0].last_error == "451 try later"
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert not sender.sent  # not due yet
    clock.advance(minutes=2)
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert len(sender.sent) == 1 and sender.sent[0].message_id == first_id
    assert rows(shopcare)[0].attempts == 2


async def test_a_permanent_failure_stops_with_the_reason(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    sender = Recorder(fail=SendError("550 no such user", permanent=True), times=5)
    report = await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert report.failed == 1
    clock.advance(days=1)
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    (row,) = rows(shopcare)
    assert row.status == "failed" and row.last_error == "550 no such user" and row.attempts == 1


async def test_a_message_left_sending_by_a_crash_is_sent_once_after_recovery(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    with shopcare.sessions() as session:  # a dispatcher claimed it, then the process died
        session.execute(sa.update(OutboxMessage).values(status="sending", claimed_at=clock()))
        session.commit()
    sender = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert not sender.sent
    clock.advance(minutes=11)
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: sender}, now=clock(), public_url=PUBLIC_URL
    )
    assert len(sender.sent) == 1
