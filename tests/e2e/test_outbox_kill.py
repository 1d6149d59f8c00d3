"""kill -9 in the middle of sending (issue 11, §1): a ShopCare process sending to a slow SMTP
server is killed twenty times at random points and started again each time, then let
finish. Nothing may be lost, and only the message in flight on a connection at a kill may
arrive twice."""

from __future__ import annotations

import asyncio
import email
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.services.messages.outbox import message_rows
from shopcare.services.messages.rules import MessageRules, update_rules
from tests.conftest import free_port, set_up_shop
from tests.e2e.outbox_child import dispatch_until_done

KILLS = 20
ROWS = 240
SLOW_S = 0.08
"""The server's pause between taking a whole message and answering 250: the window in which
a message is delivered but its sender does not know yet."""


@dataclass
class SlowSink:
    """A real SMTP server that counts Message-IDs, and remembers per connection the last
    message it took and whether the client said QUIT."""

    received: list[str] = field(default_factory=list)
    last_on: dict[object, str] = field(default_factory=dict)
    quit: set[object] = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message_id = str(email.message_from_bytes(envelope.content)["Message-ID"])
        self.received.append(message_id)
        self.last_on[session] = message_id
        await asyncio.sleep(SLOW_S)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.quit.add(session)
        return "221 Bye"


def seed_confirmations(app: ShopCare, count: int) -> None:
    """``count`` orders with their confirmation queued, written at once."""
    now = app.clock()
    with app.sessions() as session:
        session.add(Customer(id=1, email="kill@example.com", created_at=now))
        orders = [
            ShopOrder(id=n, order_number=f"K{n}", customer_id=1, email=f"s{n}@example.com",
                      placed_at=now, public_token=f"kill{n}", created_at=now)
            for n in range(1, count + 1)
        ]  # fmt: skip
        session.add_all(orders)
        session.flush()
        rules = MessageRules()
        for order in orders:
            for row in message_rows(
                MessageKind.ORDER_CONFIRMED, order=order, phone="", rules=rules, now=now
            ):
                session.add(OutboxMessage(**row))
        session.commit()


def unsent(app: ShopCare) -> int:
    with app.sessions() as session:
        return len(session.exec(select(OutboxMessage).where(OutboxMessage.status != "sent")).all())


@pytest.fixture
def slow_sink() -> Iterator[tuple[SlowSink, int]]:
    sink, port = SlowSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def test_kill_9_while_sending_loses_nothing_and_repeats_only_what_was_in_flight(
    tmp_path: Path, slow_sink: tuple[SlowSink, int]
) -> None:
    sink, port = slow_sink
    data_dir = str(tmp_path / "data")
    app = build(load_settings({}, data_dir=data_dir))
    set_up_shop(app)
    update_rules(app.sessions, hourly_cap=0)
    seed_confirmations(app, ROWS)
    # A fork server that imported ShopCare once starts each process (a cold start is ~3 s).
    began = time.monotonic()
    processes = multiprocessing.get_context("forkserver")
    processes.set_forkserver_preload(["tests.e2e.outbox_child"])
    rng = random.Random(11)
    in_flight_at_kill: list[int] = []
    for kill in range(KILLS):
        known = set(sink.last_on)
        child = processes.Process(target=dispatch_until_done, args=(data_dir, port))
        child.start()
        if kill % 5 == 4:  # now and then while it starts, claims or renders
            time.sleep(rng.uniform(0, 0.5))
        else:  # mostly once it is sending
            before, deadline = len(sink.received), time.monotonic() + 30
            while len(sink.received) == before and child.is_alive():
                assert time.monotonic() < deadline, "the child sent nothing"
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.4))
        if not child.is_alive():  # it found nothing it could send
            assert unsent(app) == 0, f"{unsent(app)} rows of killed processes not taken back"
            pytest.fail("everything was sent before the last kill: more rows needed")
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        time.sleep(0.05)  # the server notices the closed connections
        cut = [s for s in sink.last_on if s not in known and s not in sink.quit]
        in_flight_at_kill.append(len(cut))

    kills_took = time.monotonic() - began
    child = processes.Process(target=dispatch_until_done, args=(data_dir, port))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert unsent(app) == 0, f"{unsent(app)} rows of killed processes not taken back"

    with app.sessions() as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert len(rows) == ROWS and {r.status for r in rows} == {"sent"}
    copies = Counter(sink.received)
    assert {r.message_id for r in rows} <= set(copies), "a row is 'sent' but never arrived"
    # A message can arrive twice only if it was the last one on a connection a kill cut.
    cut_last = Counter(sink.last_on[s] for s in sink.last_on if s not in sink.quit)
    beyond = {m: n for m, n in copies.items() if n - 1 > cut_last[m]}
    assert not beyond, beyond
    duplicates = sum(n - 1 for n in copies.values())
    assert duplicates <= sum(in_flight_at_kill) <= KILLS * 4
    print(
        f"{duplicates} duplicates over {KILLS} kills; connections cut: {in_flight_at_kill}; "
        f"kills took {kills_took:.1f} s, the last run {time.monotonic() - began - kills_took:.1f} s"
    )
    with app.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    app.engine.dispose()
