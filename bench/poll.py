"""Polling throughput: 10,000 due shipments against a local fake DHL server that answers
after 50 ms, with C calls in flight. Ideal = C / 0.05 s. Also measured in the same run: a
bare loop over the same httpx client with the same concurrency and server (no store), and the
store writes per shipment. Checks every event is stored once and no shipment is lost.

    python bench/poll.py [--shipments 10000] [--concurrency 32]
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
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import func, select

from shopcare.app import build
from shopcare.carriers.http import new_client
from shopcare.config import load_settings
from shopcare.db.models import Customer, Shipment, ShopOrder, TrackingEvent
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.services.tracking.polling import ProviderLimits
from shopcare.services.tracking.settings import update_tracking_settings

LATENCY = 0.05
EVENTS_PER_SHIPMENT = 3

FAKE_DHL = """
import asyncio, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

def event(n, hours, code, text):
    return {"timestamp": f"2026-11-0{2 + hours // 24}T{hours % 24:02d}:00:00+01:00",
            "statusCode": code, "status": text, "description": text,
            "location": {"address": {"addressLocality": "Leipzig", "countryCode": "DE"}}}

async def shipments(request):
    n = request.query_params["trackingNumber"]
    await asyncio.sleep(LATENCY_S)
    events = [event(n, 20, "transit", "Arrived at hub"), event(n, 8, "transit", "Picked up"),
              event(n, 0, "pre-transit", "Shipment information received")]
    return JSONResponse({"shipments": [{"id": n, "service": "express",
        "status": events[0], "estimatedTimeOfDelivery": "2026-11-05T18:00:00+01:00",
        "events": events}]})

app = Starlette(routes=[Route("/track/shipments", shipments)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", backlog=4096)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    script: str = FAKE_DHL.replace("LATENCY_S", str(LATENCY)),
    probe: str = "/track/shipments?trackingNumber=warmup",
    args: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """A loopback carrier ``script`` (run as ``python -c script PORT *args``), once ``probe``
    answers; the fake DHL by default, the fake AfterShip of ``_aftership`` for the others."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", script, str(port), *args])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}{probe}", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("fake carrier did not start")


async def bare_httpx(url: str, numbers: list[str], concurrency: int) -> float:
    semaphore = asyncio.Semaphore(concurrency)
    async with new_client() as client:  # the same client ShopCare's adapters get

        async def one(number: str) -> None:
            async with semaphore:
                response = await client.get(
                    f"{url}/track/shipments", params={"trackingNumber": number}
                )
                response.json()

        began = time.perf_counter()
        await asyncio.gather(*(one(n) for n in numbers))
        return len(numbers) / (time.perf_counter() - began)


def seed(app, count: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with app.sessions() as session:
        session.add(Customer(id=1, email="bench@example.com", created_at=now))
        session.flush()
        session.execute(
            sa.insert(ShopOrder),
            [
                {
                    "id": i,
                    "order_number": f"B{i}",
                    "customer_id": 1,
                    "email": "bench@example.com",
                    "placed_at": now,
                    "public_token": f"tok{i}",
                    "created_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        session.execute(
            sa.insert(Shipment),
            [
                {
                    "id": i,
                    "order_id": i,
                    "carrier": "dhl",
                    "tracking_number": f"JD{i:012d}",
                    "status": "pending",
                    "shipped_at": now - timedelta(days=1),
                    "next_poll_at": now,
                    "created_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        session.commit()


async def poll_all(app, count: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    """Shipments per second, and the write statements and rows written during the pass."""
    statements = rows = 0

    def count_writes(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        nonlocal statements, rows
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            statements += 1
            rows += max(cursor.rowcount, 0)

    sa.event.listen(app.engine, "after_cursor_execute", count_writes)
    began = time.perf_counter()
    report = await app.poller.poll(limit=count)
    elapsed = time.perf_counter() - began
    sa.event.remove(app.engine, "after_cursor_execute", count_writes)
    assert report.polled == count, report
    return count / elapsed, statements, rows


async def main(count: int, concurrency: int) -> dict[str, object]:
    proc, url = start_server()
    try:
        numbers = [f"JD{i:012d}" for i in range(1, count + 1)]
        bare = await bare_httpx(url, numbers, concurrency)
        now = datetime.now(UTC)
        app = build(load_settings({}, data_dir=tempfile.mkdtemp(prefix="shopcare-bench-")))
        seed(app, count, now)
        save_account(
            app.sessions, "dhl", enabled=True, values={"api_key": "bench"}, base_url=url, now=now
        )
        update_tracking_settings(app.sessions, provider_concurrency=concurrency)
        app.reload_carriers()
        app.limits["dhl"] = ProviderLimits(rate_per_second=1e6)  # measure us, not DHL's quota
        rate, statements, rows = await poll_all(app, count)
        with app.sessions() as session:
            events = session.exec(select(func.count()).select_from(TrackingEvent)).one()
            lost = session.exec(
                select(func.count()).select_from(Shipment).where(Shipment.last_polled_at == None)  # noqa: E711
            ).one()
            session.execute(sa.update(Shipment).values(next_poll_at=now))
            session.commit()
        again = await app.poller.poll(limit=count)
        await app.stop()
    finally:
        proc.terminate()
    ideal = concurrency / LATENCY
    assert events == count * EVENTS_PER_SHIPMENT, f"{events} events stored"
    assert lost == 0 and again.new_events == 0
    print(
        f"{count} shipments, C={concurrency}: {rate:.0f} shipments/s; bare httpx {bare:.0f}/s; "
        f"ideal {ideal:.0f}/s; store writes per shipment: {rows / count:.2f} rows in "
        f"{statements / count:.3f} statements; "
        f"events stored once: {events}; lost: {lost}; second pass new events: {again.new_events}"
    )
    return {
        "bench": "poll",
        "value": round(rate, 1),
        "unit": "shipments/s",
        "baseline": ideal,
        "ratio": round(rate / ideal, 3),
        "target": 0.8,
        "bare_httpx": round(bare, 1),
        "db_rows_written_per_shipment": round(rows / count, 2),
        "db_write_statements_per_shipment": round(statements / count, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    # The app runs under uvicorn, which uses uvloop when it is installed (NiceGUI installs
    # it); measure on the same loop.
    try:
        import uvloop

        result = uvloop.run(main(args.shipments, args.concurrency))
    except ImportError:
        result = asyncio.run(main(args.shipments, args.concurrency))
    print(json.dumps(result))
