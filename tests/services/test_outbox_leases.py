"""Who may take back a row left "sending" (issue 11, §1): a restarted process takes the rows
of processes that no longer exist at once, never those of a live one; rows claimed before
leases existed keep the 10-minute rule."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.config import SmtpConfig
from shopcare.db.models import OutboxMessage, ProcessLease, ShopOrder
from shopcare.notify.base import Channel
from shopcare.notify.smtp import SmtpSender
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.runtime.process_lease import host_identity
from tests.conftest import PUBLIC_URL, FakeClock, SmtpInbox
from tests.services.helpers import make_order


class Holder:
    """A real second process holding a lease in the same store."""

    def __init__(self, app: ShopCare, clock: FakeClock) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.services.lease_holder",
             app.settings.database_url, clock().isoformat()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.lease_id = self.proc.stdout.readline().strip()
        assert self.lease_id, "the lease holder did not start"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def holders(shopcare: ShopCare, clock: FakeClock) -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.kill()


def claim_for(app: ShopCare, order_number: str, lease_id: str, clock: FakeClock) -> None:
    """As a dispatcher does: the order's confirmation is 'sending', claimed by ``lease_id``."""
    with app.sessions() as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.order_id) == order_id(app, order_number))
            .values(status="sending", claimed_at=clock(), claimed_by=lease_id, attempts=1)
        )
        session.commit()


def order_id(app: ShopCare, number: str) -> int:
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()
        return order.id or 0


def statuses(app: ShopCare) -> dict[str, str]:
    with app.sessions() as session:
        found = session.exec(
            select(ShopOrder.order_number, OutboxMessage.status).join(
                OutboxMessage, col(OutboxMessage.order_id) == ShopOrder.id
            )
        ).all()
    return dict(found)


def leases(app: ShopCare) -> set[str]:
    with app.sessions() as session:
        return set(session.exec(select(ProcessLease.id)).all())


async def test_a_restarted_process_takes_back_dead_processes_rows_at_once_not_a_live_ones(
    shopcare: ShopCare, clock: FakeClock, smtp_inbox: SmtpInbox, holders: list[Holder]
) -> None:
    for number in ("1", "2", "3", "4", "5"):
        make_order(shopcare, number=number, email=f"s{number}@example.com", tracking="")
    dead = Holder(shopcare, clock)  # a process that claimed a row, then was killed
    dead.kill()
    live = Holder(shopcare, clock)  # a second dispatcher, running
    holders.append(live)
    with shopcare.sessions() as session:
        live_started = session.get(ProcessLease, live.lease_id).started_at  # type: ignore[union-attr]
        session.add_all(
            [  # silent for two minutes on another host
                ProcessLease(id="elsewhere:7:aa", host="elsewhere", pid=7,
                             started_at=clock() - timedelta(hours=1),
                             heartbeat_at=clock() - timedelta(minutes=2)),
                # its pid lives here, but as a process started an hour later: reused
                ProcessLease(id="reused:9:bb", host=host_identity(), pid=live.proc.pid,
                             started_at=live_started - timedelta(hours=1),
                             heartbeat_at=clock()),
            ]
        )  # fmt: skip
        session.commit()
    claim_for(shopcare, "1", dead.lease_id, clock)
    claim_for(shopcare, "2", "elsewhere:7:aa", clock)
    claim_for(shopcare, "3", "reused:9:bb", clock)
    claim_for(shopcare, "4", live.lease_id, clock)
    claim_for(shopcare, "5", "", clock)  # claimed before leases existed
    sender = SmtpSender(SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain"))

    async def dispatch() -> None:
        await dispatch_outbox(
            shopcare.sessions,
            {Channel.EMAIL: sender},
            now=clock(),
            public_url=PUBLIC_URL,
            lease=shopcare.lease,
        )

    await dispatch()
    assert statuses(shopcare) == {
        "1": "sent", "2": "sent", "3": "sent", "4": "sending", "5": "sending"
    }  # fmt: skip
    assert leases(shopcare) == {shopcare.lease.id, live.lease_id}

    live.kill()
    await dispatch()
    assert statuses(shopcare)["4"] == "sent" and statuses(shopcare)["5"] == "sending"
    assert leases(shopcare) == {shopcare.lease.id}

    clock.advance(minutes=11)
    await dispatch()
    await sender.close()
    assert set(statuses(shopcare).values()) == {"sent"}
    numbers = sorted(s.split()[2] for s in smtp_inbox.subjects())
    assert numbers == ["1", "2", "3", "4", "5"]
