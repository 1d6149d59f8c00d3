"""Freshness as the shopper feels it: a carrier's push (AfterShip webhook, signed) reaches a
running ``shopcare run`` → the shopper's "out for delivery" email is accepted by the SMTP
server. Median and p99 over N pushes, one at a time, each timed from before the POST to the
moment a local aiosmtpd server (in this process) accepts the message.

Baseline, measured in the same run: the floor of that path, the same POST's answer alone
plus one direct aiosmtplib send of a message to the same server.

    python bench/freshness.py [--pushes 500]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
from aiosmtpd.controller import Controller

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.messages.rules import update_rules
from shopcare.services.setup.address import save_address
from shopcare.services.shop.profile import update_profile
from shopcare.services.tracking.carrier_accounts import save_account

ROOT = Path(__file__).resolve().parents[1]
PUSH = (ROOT / "tests/fixtures/carriers/aftership/push.json").read_text()
SECRET = "whsec-bench-1"
NUMBER = re.compile(r"1ZBENCH\d{8}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Arrivals:
    """aiosmtpd handler: when each tracking number's email was accepted."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        now = time.perf_counter()
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        text = " ".join(
            part.get_content() for part in parsed.walk() if part.get_content_maintype() == "text"
        )
        found = NUMBER.search(f"{parsed['Subject']} {text}")
        with self.changed:
            self.at.setdefault(found.group(0) if found else f"other-{len(self.at)}", now)
            self.changed.notify_all()
        return "250 OK"

    def wait(self, number: str, timeout: float) -> float | None:
        with self.changed:
            self.changed.wait_for(lambda: number in self.at, timeout=timeout)
            return self.at.get(number)


def set_up_shop(app: ShopCare) -> None:
    """What the setup checklist asks before shopper mail goes out (the public address, the
    shop's name and addresses), and no hourly cap: the benches send more than 200."""
    save_address(app.sessions, "https://shop.bench")
    update_profile(
        app.sessions, name="Bench Shop", support_email="help@shop.bench",
        return_address="Bench Shop\n1 Street\n10115 Berlin",
    )  # fmt: skip
    update_rules(app.sessions, hourly_cap=0)  # 0: no cap


def prepare(data_dir: Path, pushes: int) -> list[str]:
    app = build(load_settings({}, data_dir=str(data_dir)))
    set_up_shop(app)
    save_account(
        app.sessions, "aftership", enabled=True, now=app.clock(),
        values={"api_key": "k", "webhook_secret": SECRET},
    )  # fmt: skip
    numbers = [f"1ZBENCH{n:08d}" for n in range(pushes)]
    for n, number in enumerate(numbers):
        create_order(
            app.sessions,
            OrderIn(order_number=f"B{n}", email=f"s{n}@example.com", placed_at=app.clock(),
                    lines=[LineIn(title="Mug")],
                    shipments=[ShipmentIn(carrier="aftership", tracking_number=number)]),
            now=app.clock(), carriers=["aftership"],
        )  # fmt: skip
    app.engine.dispose()
    return numbers


def push_body(number: str, n: int) -> bytes:
    """AfterShip's documented push, for this parcel, with scans of the last hours (the
    fixture's dates are weeks old: a parcel silent that long counts as expired)."""
    data = json.loads(PUSH)
    now = datetime.now(UTC)
    data["ts"] = int(now.timestamp())
    data["event_id"] = f"bench-{n}"
    data["msg"]["tracking_number"] = number
    data["msg"]["id"] = f"bench{n}"
    data["msg"]["courier_estimated_delivery_date"] = {
        "estimated_delivery_date": (now + timedelta(hours=8)).isoformat()
    }
    checkpoints = data["msg"]["checkpoints"]
    for back, checkpoint in zip((3, 1), checkpoints, strict=True):
        checkpoint["checkpoint_time"] = (now - timedelta(hours=back)).isoformat()
    return json.dumps(data).encode()


def signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode(),
            "content-type": "application/json"}  # fmt: skip


def direct_send(port: int) -> float:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.test", "c@d.test", "floor"
    message.set_content("1ZBASELINE floor")
    began = time.perf_counter()
    asyncio.run(aiosmtplib.send(message, hostname="127.0.0.1", port=port))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pushes", type=int, default=500)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="shopcare-fresh-"))
    numbers = prepare(data_dir, args.pushes)
    arrivals = Arrivals()
    smtp_port, web_port = free_port(), free_port()
    sink = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    sink.start()
    env = {**os.environ, "SHOPCARE_DATA_DIR": str(data_dir),
           "SHOPCARE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "shopcare", "run", "--port", str(web_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code in (200, 503):
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            time.sleep(6)  # the first dispatch and poll ticks have run: a quiet start
            latencies, answers, missing = [], [], 0
            for n, number in enumerate(numbers):
                body = push_body(number, n)
                began = time.perf_counter()
                response = client.post("/webhooks/carrier/aftership", content=body,
                                       headers=signed(body))  # fmt: skip
                answers.append(time.perf_counter() - began)
                response.raise_for_status()
                arrived = arrivals.wait(number, timeout=15)
                if arrived is None:
                    missing += 1
                    continue
                latencies.append(arrived - began)
            floor = [answers[i] + direct_send(smtp_port) for i in range(min(50, len(answers)))]
    finally:
        server.terminate()
        server.wait(timeout=30)
        sink.stop()
    latencies.sort()
    median = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    baseline = statistics.median(floor)
    print(f"{len(latencies)} pushes → email accepted: median {median*1000:.0f} ms, "
          f"p99 {p99*1000:.0f} ms, max {latencies[-1]*1000:.0f} ms; {missing} never arrived; "
          f"push answered in {statistics.median(answers)*1000:.1f} ms (median)")  # fmt: skip
    print(json.dumps({
        "bench": "freshness", "value": round(median, 3), "unit": "s",
        "baseline": round(baseline, 4), "ratio": round(median / baseline, 1),
        "target": 0.5, "p99_s": round(p99, 3), "p99_target": 2.0, "pushes": len(latencies),
        "missing": missing,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
