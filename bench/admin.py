"""The admin at 100,000 orders: the server's time to build each list page (first page, a deep
page, each filter, a search by each key), the order page's data for an order with 50 scans,
and the memory each connected admin page costs the server.

    python bench/admin.py [--orders 100000] [--runs 30] [--clients 10]

Times are of the services the pages call (``find_orders``, ``order_view_by_id``), in this
process, p95 over ``--runs``; the baseline, in the same run, is the plainest page query the
store can answer (one page of order ids by primary key). Memory: ``shopcare run`` on a copy of
the store, ``--clients`` Chromium tabs signed in on the order list, the server's RSS before and
after, divided by the tabs. Targets: every p95 < 150 ms, < 5 MB a client.

The generated store is cached under the temp dir, keyed by the version and the migrations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from _server import _rss_mb, free_port

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.accounts.auth import set_password
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.orders.listing import OrderQuery, find_orders
from shopcare.services.orders.views import order_view_by_id
from shopcare.services.shop.profile import update_profile

VERSION = "admin-1"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OWNER, PASSWORD = "owner", "bench password 1234"


def cached_store(orders: int) -> Path:
    migrations = Path(__file__).parents[1] / "shopcare" / "db" / "migrations" / "versions"
    key = hashlib.sha256(
        (VERSION + str(orders) + "".join(sorted(p.name for p in migrations.glob("*.py")))).encode()
    ).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"shopcare-bench-admin-{key}"
    if not (folder / "shopcare.db").exists():
        shutil.rmtree(folder, ignore_errors=True)
        began = time.perf_counter()
        app = build(load_settings({}, data_dir=str(folder)))
        update_profile(
            app.sessions,
            name="Bench Shop",
            support_email="help@bench.example",
            return_address="Bench Shop\nReturns\n1 Bench Street\n10115 Berlin",
        )
        seed_many_orders(app.sessions, orders, now=NOW)
        set_password(app.sessions, username=OWNER, password=PASSWORD, now=NOW)
        with app.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        app.engine.dispose()
        print(f"generated {orders:,} orders in {time.perf_counter() - began:.1f} s", flush=True)
    return folder


def p95_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm: the first call compiles the statement
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.quantiles(times, n=20)[18]


def timings(folder: Path, orders: int, runs: int) -> tuple[dict[str, float], float]:
    app = build(load_settings({}, data_dir=str(folder)))
    sessions = app.sessions
    with sessions() as session:
        sample = session.execute(
            sa.text(
                "SELECT o.order_number, o.email, c.name, s.tracking_number, r.rma "
                "FROM shop_order o JOIN customer c ON c.id = o.customer_id "
                "JOIN shipment s ON s.order_id = o.id JOIN return_request r ON r.order_id = o.id "
                "ORDER BY o.id LIMIT 1 OFFSET 500"
            )
        ).one()
    number, email, name, tracking, rma = sample
    deep = max(1, (orders - 10_000) // 25)

    def page(**query: object) -> Callable[[], object]:
        return lambda: find_orders(sessions, OrderQuery(**query), now=NOW)  # type: ignore[arg-type]

    cases: dict[str, Callable[[], object]] = {
        "first page": page(),
        f"deep page ({deep:,})": page(page=deep),
        "oldest first": page(sort="oldest"),
        "status in transit": page(status="in_transit"),
        "not shipped": page(status="not_shipped"),
        "carrier dhl": page(carrier="dhl"),
        "days": page(since=datetime(2026, 6, 1).date(), until=datetime(2026, 6, 30).date()),
        "delayed": page(delayed=True),
        "exception": page(exception=True),
        "has return": page(has_return=True),
        "message failed": page(message_failed=True),
        "view: not shipped after 2 days": page(unshipped_days=2, sort="oldest"),
        "search order number": page(search=number),
        "search email": page(search=email),
        "search name": page(search=name[:6]),
        "search tracking number": page(search=tracking),
        "search RMA": page(search=rma),
        "order page (50 scans)": lambda: order_view_by_id(sessions, orders),
    }
    results = {name: p95_ms(call, runs) for name, call in cases.items()}

    def baseline() -> object:
        with sessions() as session:
            return session.execute(
                sa.text("SELECT id FROM shop_order ORDER BY id DESC LIMIT 25")
            ).all()

    base = p95_ms(baseline, runs)
    app.engine.dispose()
    return results, base


def memory_per_client(folder: Path, clients: int) -> float | None:
    """MB of server RSS per signed-in order-list tab; None when Chromium is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    copy = Path(tempfile.mkdtemp(prefix="shopcare-bench-admin-run-"))
    for name in ("shopcare.db", "secret.key"):
        shutil.copy(folder / name, copy / name)
    port = free_port()
    env = dict(os.environ, SHOPCARE_DATA_DIR=str(copy))
    cmd = [sys.executable, "-m", "shopcare", "run", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code in (200, 503):
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{url}/admin/login")
            page.fill("input[name=username]", OWNER)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{url}/admin/orders")
            page.wait_for_function("window.did_handshake === true", timeout=60_000)
            time.sleep(2)
            before = _rss_mb(server.pid)
            tabs = []
            for _ in range(clients):
                tab = context.new_page()
                tab.goto(f"{url}/admin/orders")
                tab.wait_for_function("window.did_handshake === true", timeout=60_000)
                tabs.append(tab)
            time.sleep(3)
            after = _rss_mb(server.pid)
            browser.close()
        return (after - before) / clients
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(copy, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    folder = cached_store(args.orders)
    results, base = timings(folder, args.orders, args.runs)
    for name, value in results.items():
        print(f"{name:34} p95 {value:7.1f} ms")
    slowest = max(results, key=lambda k: results[k])
    per_client = memory_per_client(folder, args.clients)
    print(f"baseline (one page of ids by key): p95 {base:.2f} ms")
    if per_client is not None:
        print(f"memory per connected admin client: {per_client:.2f} MB")
    print(
        json.dumps(
            {
                "bench": "admin",
                "value": round(results[slowest], 1),
                "unit": "ms",
                "baseline": round(base, 2),
                "ratio": round(results[slowest] / base, 1),
                "target": 150,
                "slowest": slowest,
                "orders": args.orders,
                "p95_ms": {k: round(v, 1) for k, v in results.items()},
                "memory_per_client_mb": None if per_client is None else round(per_client, 2),
                "memory_target_mb": 5,
            }
        )
    )


if __name__ == "__main__":
    main()
