"""The dispatcher is woken by committed outbox rows, whoever wrote them, and only then."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import OutboxMessage, ShopOrder
from shopcare.db.outbox_signal import on_new_outbox_rows
from shopcare.services.messages.dispatch import DispatchReport
from tests.conftest import FakeClock
from tests.services.helpers import make_order


def counted(app: ShopCare) -> list[int]:
    calls: list[int] = []
    on_new_outbox_rows(app.engine, lambda: calls.append(1))
    return calls


def test_a_commit_with_outbox_rows_notifies_once_after_it(shopcare: ShopCare) -> None:
    calls = counted(shopcare)
    make_order(shopcare, number="W1", tracking="SIMOK300001")  # confirmation queued (ORM)
    assert calls == [1]
    with transaction(shopcare.sessions) as session:  # a Core bulk insert, as polling writes
        order_id = session.execute(sa.select(ShopOrder.id)).scalars().first()
        session.execute(
            sa.insert(OutboxMessage),
            [
                {
                    "order_id": order_id,
                    "kind": "shipped",
                    "channel": "email",
                    "recipient": "a@example.com",
                    "idempotency_key": f"wake-{n}",
                    "locale": "en",
                    "created_at": datetime(2026, 11, 2, tzinfo=UTC),
                    "next_attempt_at": datetime(2026, 11, 2, tzinfo=UTC),
                }
                for n in range(3)
            ],
        )
    assert calls == [1, 1]  # one wake for the commit, not one per row


def test_a_rollback_or_other_writes_do_not_notify(shopcare: ShopCare) -> None:
    calls = counted(shopcare)
    make_order(shopcare, number="W2", tracking="")
    calls.clear()
    try:
        with transaction(shopcare.sessions) as session:
            order_id = session.execute(sa.select(ShopOrder.id)).scalars().first()
            session.add(
                OutboxMessage(
                    order_id=order_id or 0, kind="shipped", channel="email",
                    recipient="a@example.com", idempotency_key="rolled-back", locale="en",
                    created_at=datetime(2026, 11, 2, tzinfo=UTC),
                    next_attempt_at=datetime(2026, 11, 2, tzinfo=UTC),
                )
            )  # fmt: skip
            session.flush()
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    with transaction(shopcare.sessions) as session:  # not the outbox
        session.execute(sa.update(ShopOrder).values(currency="EUR"))
    assert calls == []


async def test_a_wake_runs_a_dispatch_at_once(shopcare: ShopCare, clock: FakeClock) -> None:
    runs: list[int] = []

    async def one_run() -> DispatchReport:
        runs.append(1)
        return DispatchReport()

    shopcare.dispatch_once = one_run  # type: ignore[method-assign]
    shopcare.start_scheduler()
    try:
        shopcare.wake_dispatch()  # as from a worker thread
        for _ in range(100):  # the wake's run, long before the 5-second tick
            if runs:
                break
            await asyncio.sleep(0.01)
        assert runs == [1]
    finally:
        shopcare.scheduler.shutdown(wait=False)  # type: ignore[union-attr]


async def test_a_start_during_a_run_waits_for_another_round(shopcare: ShopCare) -> None:
    runs: list[str] = []

    async def one_run() -> DispatchReport:
        runs.append("run")
        if len(runs) == 1:  # the tick fires while the woken run is still sending
            second = asyncio.create_task(shopcare.dispatch_until_quiet())
            await asyncio.sleep(0)
            assert not second.done()  # it waits for a round begun after it
            runs.append("tick")
        return DispatchReport()

    shopcare.dispatch_once = one_run  # type: ignore[method-assign]
    await shopcare.dispatch_until_quiet()
    assert runs == ["run", "tick", "run"]


async def test_rows_committed_during_a_run_get_another_run(shopcare: ShopCare) -> None:
    shopcare._loop = asyncio.get_running_loop()
    runs: list[int] = []

    async def one_run() -> DispatchReport:
        runs.append(1)
        if len(runs) == 1:  # a shopper's event commits rows while this run is sending
            shopcare._wake_dispatch()
        return DispatchReport()

    shopcare.dispatch_once = one_run  # type: ignore[method-assign]
    await shopcare.dispatch_until_quiet()
    assert runs == [1, 1]
