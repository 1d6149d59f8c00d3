"""Send one email of every kind through ShopCare's real outbox to a local aiosmtpd server
and keep what arrived as .eml files: a way to look at every message as a shopper gets it.

    python scripts/sample_emails.py [OUT_DIR] [--locale de]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlmodel import select

from shopcare.app import build
from shopcare.config import SmtpConfig, load_settings
from shopcare.db.models import Customer, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.services.messages.outbox import enqueue
from shopcare.services.messages.rules import get_rules, update_rules
from shopcare.services.returns.requests import open_return, returnable_lines


class Keep:
    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.raw.append(envelope.content)
        return "250 OK"


async def main(out: Path, locale: str) -> None:
    keep = Keep()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(keep, hostname="127.0.0.1", port=port)
    controller.start()
    settings = load_settings({}, data_dir=tempfile.mkdtemp(prefix="shopcare-samples-"))
    app = build(replace(settings, smtp=SmtpConfig("127.0.0.1", port, "plain")), demo=True)
    kinds = {
        k: {**v, "enabled": True, "delay_minutes": 0}
        for k, v in get_rules(app.sessions).kinds.items()
    }
    update_rules(app.sessions, kinds=kinds, hourly_cap=0)
    now = app.clock()
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        customer.locale = locale
        session.add(customer)
        session.commit()
    lines = returnable_lines(app.sessions, order.public_token) or {}
    open_return(app.sessions, order_token=order.public_token, quantities={next(iter(lines)): 1},
                reason="too_small", now=now)  # fmt: skip
    with app.sessions() as session:
        order = session.get(ShopOrder, order.id)
        for kind in MessageKind:
            if kind not in (MessageKind.ORDER_CONFIRMED, MessageKind.RETURN_REQUESTED):
                enqueue(session, kind, order=order, shipment_id=1, occurrence="sample", now=now)  # type: ignore[arg-type]
        session.commit()
    while (await app.dispatch_once()).sent:
        pass
    await app.stop()
    controller.stop()
    save(keep.raw, out)


def save(messages: list[bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for n, raw in enumerate(messages, 1):
        (out / f"{n:02d}.eml").write_bytes(raw)
    print(f"{len(messages)} emails in {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="test-artifacts/emails")
    parser.add_argument("--locale", default="en")
    args = parser.parse_args()
    asyncio.run(main(Path(args.out), args.locale))
