"""Tracking page throughput: ``/t/{token}`` of a store with 100,000 orders, served by the real
app (``shopcare run``: NiceGUI's uvicorn, one worker, uvloop and httptools), loaded with ``wrk``
at 32 connections, each request for a random order's token. Beside it, in the same run and with
the same load: a bare Starlette route on the same uvicorn returning the same page's bytes,
rendered once. Targets: >= 0.5 of the bare route's req/s, and p99 < 100 ms.

    python bench/tracking_page.py [--orders 100000] [--seconds 15] [--connections 32]
    python bench/tracking_page.py --profile 2000   # where one request's time goes (cProfile)

The generated store is cached under the temp dir, keyed by the version below and the
migrations, so a re-run starts in seconds; every run works on a fresh copy of it, because the
page writes (a page view per request).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import (
    Customer,
    Offer,
    OrderLine,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.services.shop.profile import update_profile

STORE_VERSION = 1
"""Bump when the generated data changes shape; the migrations are part of the key anyway."""
WRK = "/usr/bin/wrk"
MIGRATIONS = Path(__file__).resolve().parents[1] / "shopcare" / "db" / "migrations" / "versions"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

LUA = """
local tokens = {}
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  return wrk.format("GET", "/t/" .. tokens[math.random(#tokens)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"mean_us": %.1f, "errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
"""

BARE = """
import json, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

body = open(sys.argv[2], "rb").read()
headers = json.load(open(sys.argv[3]))

async def page(request):
    return Response(body, headers=headers)

async def health(request):
    return Response(b'{"status": "ok"}', media_type="application/json")

app = Starlette(routes=[Route("/t/{token}", page), Route("/healthz", health)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""

_STEPS = [
    ("info_received", "Shipment information received", ""),
    ("in_transit", "Picked up by the carrier", "Berlin"),
    ("in_transit", "Arrived at the sorting hub", "Leipzig"),
    ("out_for_delivery", "Out for delivery", "Munich"),
    ("delivered", "Delivered, handed to the recipient", "Munich"),
]
_PRODUCTS = [
    ("MUG-SAND", "Ceramic mug, sand", 1800, "mugs,ceramics"),
    ("TOWEL-LIN", "Linen tea towel", 1250, "textiles"),
    ("POUR-SET", "Pour-over coffee set", 4900, "coffee,gear"),
    ("BEANS-ETH", "Ethiopia beans 250 g", 1100, "coffee"),
    ("GRINDER", "Hand grinder", 6900, "coffee,gear"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the store ------------------------------------------------------------------------------


def cached_store(orders: int) -> Path:
    """The data dir of a generated store; made once per version, size and schema."""
    schema = hashlib.sha256(
        "".join(sorted(p.name for p in MIGRATIONS.glob("*.py"))).encode()
    ).hexdigest()[:10]
    folder = (
        Path(tempfile.gettempdir()) / f"shopcare-bench-tracking-v{STORE_VERSION}-{orders}-{schema}"
    )
    if (folder / "tokens.txt").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    generate(folder / "data", orders)
    tokens = _tokens(folder / "data")
    (folder / "tokens.txt").write_text("\n".join(tokens) + "\n", encoding="ascii")
    print(f"generated {orders} orders in {time.perf_counter() - began:.1f} s: {folder}")
    return folder


def generate(data_dir: Path, count: int) -> None:
    app = build(load_settings({}, data_dir=str(data_dir)))
    update_profile(
        app.sessions,
        name="Bench Coffee Goods",
        support_email="support@bench.example",
        timezone="Europe/Berlin",
    )
    rng = random.Random(5)
    customers, orders, lines, shipments, events = [], [], [], [], []
    for i in range(1, count + 1):
        placed = NOW - timedelta(days=rng.uniform(0, 30))
        chosen = rng.sample(_PRODUCTS, rng.randint(1, 3))
        quantities = [rng.randint(1, 2) for _ in chosen]
        customers.append(
            {"id": i, "email": f"shopper{i}@example.com", "name": f"Shopper {i}",
             "locale": rng.choice(["en", "en", "de", "fr", "es", "nl"]), "created_at": placed,
             "phone": "", "unsubscribe_token": secrets.token_urlsafe(24)}
        )  # fmt: skip
        orders.append(
            {"id": i, "order_number": str(100000 + i), "customer_id": i,
             "email": f"shopper{i}@example.com", "placed_at": placed, "currency": "EUR",
             "total_minor": sum(p[2] * q for p, q in zip(chosen, quantities, strict=True)),
             "ship_name": f"Shopper {i}", "ship_address1": f"Example street {i % 200}",
             "ship_city": "Berlin", "ship_postcode": f"{10000 + i % 90000}",
             "ship_country": "DE", "source": "bench", "public_token": secrets.token_urlsafe(24),
             "created_at": placed}
        )  # fmt: skip
        for (sku, title, price, tags), qty in zip(chosen, quantities, strict=True):
            lines.append(
                {"order_id": i, "sku": sku, "title": title, "quantity": qty,
                 "unit_price_minor": price, "variant": "", "product_key": sku, "tags": tags,
                 "image_url": ""}
            )  # fmt: skip
        scans = rng.randint(2, 5)
        shipped = placed + timedelta(hours=20)
        at = [shipped + timedelta(hours=7 * k) for k in range(scans)]
        status = _STEPS[scans - 1][0]
        shipments.append(
            {"id": i, "order_id": i, "carrier": "simulated", "tracking_number": f"SIMOK{i:08d}",
             "status": status, "shipped_at": shipped, "last_event_at": at[-1],
             "delivered_at": at[-1] if status == "delivered" else None, "last_polled_at": NOW,
             "next_poll_at": None, "poll_failures": 0, "last_error": "", "created_at": shipped,
             "carrier_code": "", "carrier_pinned": True, "carrier_estimate": None,
             "estimated_delivery": shipped + timedelta(days=3), "estimate_source": "rule",
             "delayed": False, "stall_key": "", "stall_reason": "", "return_id": None}
        )  # fmt: skip
        for k in range(scans):
            step, text, location = _STEPS[k]
            events.append(
                {"shipment_id": i, "event_key": f"k{k}", "occurred_at": at[k], "status": step,
                 "description": text, "location": location, "raw_code": step,
                 "provider": "simulated", "recorded_at": at[k]}
            )  # fmt: skip
    with app.engine.begin() as conn:
        for model, rows in (
            (Customer, customers), (ShopOrder, orders), (OrderLine, lines),
            (Shipment, shipments), (TrackingEvent, events),
        ):  # fmt: skip
            conn.execute(sa.insert(model), rows)  # type: ignore[call-overload]
        conn.execute(
            sa.insert(Offer),  # type: ignore[call-overload]
            [{"name": "Autumn sale", "kind": "banner", "title": "Autumn sale: 20 % off beans",
              "body": "Fresh roasts for your new gear.", "image_url": "",
              "link_url": "https://bench.example/sale", "button": "Shop the sale",
              "rules": "{}", "position": 0, "active": True, "starts_at": None,
              "ends_at": None, "views": 0, "clicks": 0, "created_at": NOW}],
        )  # fmt: skip
    app.engine.dispose()  # the last connection closed folds the WAL into the file


def _tokens(data_dir: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{data_dir / 'shopcare.db'}")
    with engine.connect() as conn:
        tokens = [row[0] for row in conn.execute(sa.select(ShopOrder.public_token))]  # type: ignore[call-overload]
    engine.dispose()
    return tokens


def fresh_copy(cached: Path) -> Path:
    work = Path(tempfile.mkdtemp(prefix="shopcare-bench-tracking-"))
    shutil.copytree(cached / "data", work / "data")
    return work / "data"


# --- servers and load -----------------------------------------------------------------------


def start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"{command[:3]} exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command[:3]} did not answer /healthz")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wrk(url: str, tokens: Path, *, seconds: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
               "-s", script.name, url, "--", str(tokens)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    match = re.search(r"^RESULT (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no result from wrk:\n{out}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def load(url: str, tokens: Path, *, seconds: int, connections: int) -> dict[str, Any]:
    wrk(url, tokens, seconds=3, connections=connections)  # warm-up: caches, threads, JIT-less
    return wrk(url, tokens, seconds=seconds, connections=connections)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    if not Path(WRK).exists():
        raise SystemExit(f"{WRK} is missing: apt-get install wrk (Debian package 'wrk')")
    cached = cached_store(args.orders)
    tokens = cached / "tokens.txt"
    data_dir = fresh_copy(cached)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
    env["SHOPCARE_DATA_DIR"] = str(data_dir)
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "shopcare", "run", "--port", str(port)], port, env)
    try:
        sample = httpx.get(f"{app_url}/t/{tokens.read_text().split()[0]}")
        sample.raise_for_status()
        real = load(app_url, tokens, seconds=args.seconds, connections=args.connections)
        views = _count(data_dir, "page_view")
    finally:
        stop(server)
    body, headers = _bare_inputs(sample, data_dir.parent)
    port = free_port()
    bare_proc = start([sys.executable, "-c", BARE, str(port), str(body), str(headers)], port, env)
    try:
        bare = load(f"http://127.0.0.1:{port}", tokens, seconds=args.seconds,
                    connections=args.connections)  # fmt: skip
    finally:
        stop(bare_proc)
    shutil.rmtree(data_dir.parent, ignore_errors=True)
    return _report(args, real, bare, page_bytes=len(sample.content), views=views)


def _bare_inputs(sample: httpx.Response, folder: Path) -> tuple[Path, Path]:
    body = folder / "page.html"
    body.write_bytes(sample.content)
    skip = {"content-length", "date", "server", "set-cookie"}
    headers = folder / "headers.json"
    headers.write_text(json.dumps({k: v for k, v in sample.headers.items() if k not in skip}))
    return body, headers


def _count(data_dir: Path, table: str) -> int:
    engine = sa.create_engine(f"sqlite:///{data_dir / 'shopcare.db'}")
    with engine.connect() as conn:
        n = int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    engine.dispose()
    return n


def _report(
    args: argparse.Namespace, real: dict[str, Any], bare: dict[str, Any], *, page_bytes: int,
    views: int,
) -> dict[str, Any]:  # fmt: skip
    ratio = real["rps"] / bare["rps"]
    for name, r in (("/t/{token} (ShopCare)", real), ("bare Starlette, same bytes", bare)):
        print(
            f"{name:28} {r['rps']:8.0f} req/s  p50 {r['p50_us'] / 1000:6.1f} ms  "
            f"p99 {r['p99_us'] / 1000:6.1f} ms  errors {r['errors']}  non-2xx {r['non_2xx']}"
        )
    print(
        f"{args.orders} orders, {args.connections} connections, {args.seconds} s each, wrk -t2; "
        f"page {page_bytes} bytes; page views recorded: {views}; ratio {ratio:.2f} "
        f"(target 0.5), p99 target 100 ms"
    )
    if real["errors"] or real["non_2xx"]:
        print("WARNING: the real app answered with errors")
    return {
        "bench": "tracking_page",
        "value": round(real["rps"], 1),
        "unit": "req/s",
        "baseline": round(bare["rps"], 1),
        "ratio": round(ratio, 3),
        "target": 0.5,
        "p50_ms": round(real["p50_us"] / 1000, 2),
        "p99_ms": round(real["p99_us"] / 1000, 2),
        "baseline_p99_ms": round(bare["p99_us"] / 1000, 2),
    }


# --- where the time goes --------------------------------------------------------------------


def profile(args: argparse.Namespace, requests: int) -> None:
    """The tracking route's work called in-process, one request after another, under
    cProfile (the server runs it in worker threads, where a profiler attached to the
    server's main thread sees nothing)."""
    from starlette.requests import Request

    from shopcare.ui.public.csrf import csrf_dependency
    from shopcare.ui.public.routes import tracking_page_response

    cached = cached_store(args.orders)
    tokens = (cached / "tokens.txt").read_text().split()
    data_dir = fresh_copy(cached)
    app = build(load_settings({}, data_dir=str(data_dir)))
    keyed = csrf_dependency(app.settings.secret)
    scope = {"type": "http", "method": "GET", "path": "/t/x", "headers": [],
             "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("127.0.0.1", 80)}  # fmt: skip

    def call(token: str) -> None:
        request = Request(dict(scope))
        keyed(request)
        tracking_page_response(app, token, request)

    rng = random.Random(1)
    for _ in range(20):  # imports, template compilation, caches
        call(rng.choice(tokens))
    began = time.perf_counter()
    for _ in range(requests):
        call(rng.choice(tokens))
    plain = (time.perf_counter() - began) / requests
    print(f"{requests} calls in-process, one thread: {plain * 1000:.2f} ms per page")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        call(rng.choice(tokens))
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"{requests} calls in-process: {elapsed / requests * 1000:.2f} ms per page (profiled)")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"shopcare", 40)
    stats.print_callers(r"(engine.py.*transaction|session.py.*\(commit\))")
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    app.engine.dispose()
    shutil.rmtree(data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--profile", type=int, metavar="REQUESTS", default=0)
    arguments = parser.parse_args()
    if arguments.profile:
        profile(arguments, arguments.profile)
    else:
        print(json.dumps(measure(arguments)))
