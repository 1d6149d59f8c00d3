"""Outbox throughput: 2,000 queued order confirmations sent through ShopCare's outbox
(claim, render, send, record each one as it is accepted) to a local aiosmtpd server in
another process, beside two bare aiosmtplib loops sending the same messages with the same
concurrency in the same run: one connection per message (``baseline``, target >= 0.7), and
the same number of persistent connections as the outbox keeps (``pooled_baseline``, target
>= 0.8). Checks every message arrived exactly once.

    python bench/outbox.py [--messages 2000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime

import aiosmtplib
import sqlalchemy as sa
from sqlmodel import func, select

from shopcare.app import build
from shopcare.config import SmtpConfig, load_settings
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.notify.email import build_email
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.messages.outbox import message_rows
from shopcare.services.messages.outgoing import compose
from shopcare.services.messages.rules import MessageRules, update_rules

SINK = """
import sys, time
from aiosmtpd.controller import Controller

class Count:
    def __init__(self):
        self.ids = []
    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.splitlines():
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip())
                break
        return "250 OK"

handler = Count()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
for line in sys.stdin:  # "count" -> how many and how many distinct; "reset" -> forget
    if line.strip() == "reset":
        handler.ids.clear()
    print(len(handler.ids), len(set(handler.ids)), flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SINK, str(self.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("SMTP sink did not start")

    def received(self, command: str = "count") -> tuple[int, int]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{command}\n")
        self.proc.stdin.flush()
        total, distinct = self.proc.stdout.readline().split()
        return int(total), int(distinct)

    def stop(self) -> None:
        self.proc.terminate()


def seed(app, count: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    rules = MessageRules()
    with app.sessions() as session:
        session.add(
            Customer(id=1, email="bench@example.com", unsubscribe_token="u", created_at=now)
        )
        orders = [
            ShopOrder(id=i, order_number=f"B{i}", customer_id=1, email=f"s{i}@example.com",
                      placed_at=now, public_token=f"tok{i}", created_at=now)
            for i in range(1, count + 1)
        ]  # fmt: skip
        session.add_all(orders)
        session.flush()
        rows = [
            row
            for order in orders
            for row in message_rows(
                MessageKind.ORDER_CONFIRMED, order=order, phone="", rules=rules, now=now
            )
        ]
        session.execute(sa.insert(OutboxMessage), rows)
        session.commit()


def rendered(app) -> list:  # type: ignore[no-untyped-def]
    """The messages, rendered beforehand: the bare loops only send."""
    with app.sessions() as session:
        rows = session.exec(select(OutboxMessage)).all()
        mails = [build_email(compose(session, r, public_url="http://shop.test")) for r in rows]
        session.rollback()
    return mails


async def bare_loop(mails: list, port: int, concurrency: int) -> float:  # type: ignore[type-arg]
    """aiosmtplib and nothing else, one connection per message; the seconds it took."""
    gate = asyncio.Semaphore(concurrency)

    async def one(mail) -> None:  # type: ignore[no-untyped-def]
        async with gate:
            await aiosmtplib.send(mail, hostname="127.0.0.1", port=port)

    began = time.perf_counter()
    await asyncio.gather(*(one(m) for m in mails))
    return time.perf_counter() - began


async def pooled_loop(mails: list, port: int, concurrency: int) -> float:  # type: ignore[type-arg]
    """aiosmtplib and nothing else over ``concurrency`` persistent connections, as the
    outbox's SMTP sender keeps them; the seconds it took."""
    queue: asyncio.Queue = asyncio.Queue()  # type: ignore[type-arg]
    for mail in mails:
        queue.put_nowait(mail)

    async def connection() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        while not queue.empty():
            await client.send_message(queue.get_nowait())
        await client.quit()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - began


async def main(count: int, concurrency: int) -> dict[str, object]:
    sink = Sink()
    try:
        now = datetime.now(UTC)
        settings = load_settings({}, data_dir=tempfile.mkdtemp(prefix="shopcare-bench-"))
        smtp = SmtpConfig(host="127.0.0.1", port=sink.port, security="plain")
        app = build(replace(settings, smtp=smtp))
        update_rules(app.sessions, hourly_cap=0)  # measure the outbox, not the owner's cap
        seed(app, count, now)
        mails = rendered(app)
        # Half of each baseline before the outbox and half after, so a load that changes on
        # a shared machine during the run weighs on both sides alike.
        half = len(mails) // 2
        bare_times = [await bare_loop(mails[:half], sink.port, concurrency)]
        pooled_times = [await pooled_loop(mails[:half], sink.port, concurrency)]
        sink.received("reset")  # the bare loops sent the same Message-IDs twice
        began = time.perf_counter()
        while True:
            report = await dispatch_outbox(
                app.sessions, app.senders(), now=now, public_url="http://shop.test",
                limit=500, concurrency=concurrency, lease=app.lease,
            )  # fmt: skip
            if not report.sent and not report.retrying and not report.deferred:
                break
        rate = count / (time.perf_counter() - began)
        total, distinct = sink.received()
        pooled_times.append(await pooled_loop(mails[half:], sink.port, concurrency))
        bare_times.append(await bare_loop(mails[half:], sink.port, concurrency))
        bare, pooled = len(mails) / sum(bare_times), len(mails) / sum(pooled_times)
        with app.sessions() as session:
            sent = session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "sent")
            ).one()
        again = await dispatch_outbox(
            app.sessions, app.senders(), now=now, public_url="http://shop.test"
        )
        await app.stop()
    finally:
        sink.stop()
    ours = total
    assert sent == count and ours == count and again.sent == 0, (sent, ours, again)
    assert distinct == total, "a Message-ID arrived twice"
    print(
        f"{count} messages, {concurrency} at a time: outbox {rate:.0f} msg/s, bare aiosmtplib "
        f"{bare:.0f} msg/s, bare over {concurrency} kept connections {pooled:.0f} msg/s; "
        f"arrived {ours}, distinct Message-IDs {distinct}; "
        f"second pass sent {again.sent}"
    )
    return {
        "bench": "outbox",
        "value": round(rate, 1),
        "unit": "messages/s",
        "baseline": round(bare, 1),
        "ratio": round(rate / bare, 3),
        "target": 0.7,
        "pooled_baseline": round(pooled, 1),
        "pooled_ratio": round(rate / pooled, 3),
        "pooled_target": 0.8,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    # The app runs under uvicorn, which uses uvloop when it is installed (NiceGUI installs
    # it); measure on the same loop.
    try:
        import uvloop

        result = uvloop.run(main(args.messages, args.concurrency))
    except ImportError:
        result = asyncio.run(main(args.messages, args.concurrency))
    print(json.dumps(result))
