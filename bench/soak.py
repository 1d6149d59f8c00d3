"""Soak: a real ``shopcare run`` under a steady mixed load for N minutes, loopback only.

* 10,000 parcels (20,000 orders, imported by the app's CSV importer before the start) polled
  through the AfterShip adapter against a loopback AfterShip (``_aftership``) answering after
  50 ms, 1 % of calls a 503. The owner's polling cadence (admin → Tracking, the store's
  ``tracking`` settings: the knob that exists) is set to one minute for every status, so the
  whole lot is asked about once a minute; each answer brings a new hub scan every two
  minutes, and 5 % of parcels go out for delivery at moments spread over the run, then are
  delivered a minute later: "out for delivery" and "delivered" emails to a local aiosmtpd.
* 32 shoppers (think time about 1 s): tracking pages by their real link, order lookups with
  the real number and email (the form's CSRF token and cookie, as a browser), parcels by
  tracking number. Each visit names its own client in ``X-Forwarded-For``: the app trusts
  that header from 127.0.0.1 by default (``SHOPCARE_FORWARDED_ALLOW_IPS``), as behind a
  reverse proxy, so the per-address lookup limits see many shoppers. A 429 is counted apart.
* One admin signed in (the sign-in form), loading an admin page every 5 s.
* At 45 % of the run ``shopcare import`` (the CLI) adds 500 new orders, at 55 %
  ``shopcare backup`` (the CLI) writes an archive, both while the server runs.

Reported: errors (any 5xx, connection error or timeout on a page; a CLI step that fails), p99
page latency per minute, the server's RSS at boot, after the warm-up ("start"), at the middle
and the end (growth = end / start - 1, target < 10 %), outbox lag from queued to accepted by
the SMTP server (p99, target < 30 s), ``PRAGMA integrity_check`` of the store at the end and
of the backup's copy. The last line is one JSON object.

    python bench/soak.py [--minutes 30]        # the nightly job runs --minutes 3
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import importlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).parent))
from _aftership import start_aftership
from _server import _rss_mb, free_port
from freshness import set_up_shop

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import make_engine
from shopcare.domain.status import ShipmentStatus
from shopcare.services.accounts.auth import set_password
from shopcare.services.backups.archive import STORE, verified_copy
from shopcare.services.intake.csv_import import ImportOptions, import_csv
from shopcare.services.tracking.carrier_accounts import save_account
from shopcare.services.tracking.settings import update_tracking_settings

csv_orders = importlib.import_module("import")  # bench/import.py: its order generator

OWNER, PASSWORD = "owner", "soak password 1234"
CADENCE_HOURS = 1 / 60
HUB_EVERY_S = 120
OFD_SHARE = 0.05
DELIVER_AFTER_S = 60
ADMIN_EVERY_S = 5
ADMIN_PAGES = [
    "/admin",
    "/admin/orders",
    "/admin/parcels",
    "/admin/problems",
    "/admin/messages/log",
    "/admin/orders/{order_id}",
]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    email: str
    token: str
    tracking: str


@dataclass
class Tally:
    """Every page request: (seconds since the start, milliseconds, kind, status or error)."""

    began: float
    requests: list[tuple[float, float, str, str]] = field(default_factory=list)

    def add(self, kind: str, started: float, outcome: str) -> None:
        now = time.perf_counter()
        self.requests.append((started - self.began, (now - started) * 1000, kind, outcome))


class Arrivals:
    """aiosmtpd handler: the wall-clock time each Message-ID was accepted."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        now = time.time()
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]
        with self.lock:
            self.at.setdefault(str(parsed["Message-ID"]).strip().strip("<>"), now)
        return "250 OK"


def new_orders_csv(path: Path, count: int, *, first: int, start: datetime, span: timedelta) -> None:
    """``count`` orders (every other with a parcel) numbered from ``first``, placed over
    ``span`` from ``start``: the generator of bench/import.py with recent dates."""
    made = csv_orders.orders(count * 6, start=start, every=span / count, first=first)[:count]
    csv_orders.write_generic(path, made)


def prepare(data_dir: Path, *, shipments: int, carrier_url: str) -> list[Order]:
    """The store before the start, through the app's own services and CSV importer."""
    now = datetime.now(UTC)
    app = build(load_settings({}, data_dir=str(data_dir)))
    set_up_shop(app)
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=now)
    save_account(
        app.sessions,
        "aftership",
        enabled=True,
        now=now,
        values={"api_key": "bench"},
        base_url=carrier_url,
    )
    update_tracking_settings(
        app.sessions,
        cadence_hours={s.value: CADENCE_HOURS for s in ShipmentStatus if not s.is_final},
    )
    app.reload_carriers()
    # Placed a little over two days ago: older than the two days that get an order
    # confirmation, so the seed queues no burst of mail; parcels shipped a day later, picked
    # up (the carrier's scan) 20 hours ago, so no estimate has passed yet.
    path = data_dir / "seed.csv"
    new_orders_csv(
        path,
        2 * shipments,
        first=1,
        start=now - timedelta(days=2, hours=5),
        span=timedelta(hours=4),
    )
    options = ImportOptions(now=now, carriers=app.carrier_names, zone=ZoneInfo("Europe/Berlin"))
    report = import_csv(app.sessions, path, options)
    assert report.created == 2 * shipments and report.rejected == 0, report
    with app.sessions() as session:
        # As if their first scans were seen already: the carrier's first answer changes
        # nothing, so 10,000 "shipped" emails do not all wait in the first minute.
        session.execute(sa.text("UPDATE shipment SET status = 'in_transit'"))
        session.commit()
        rows = session.execute(
            sa.text(
                "SELECT o.id, o.order_number, o.email, o.public_token, s.tracking_number, "
                "s.carrier FROM shop_order o JOIN shipment s ON s.order_id = o.id"
            )
        ).all()
    app.engine.dispose()
    assert len(rows) == shipments and all(r[5] == "aftership" for r in rows), Counter(
        r[5] for r in rows
    )
    return [Order(*r[:5]) for r in rows]


def visitor_address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


async def shopper(
    http: httpx.AsyncClient, orders: list[Order], tally: Tally, until: float, think: float
) -> None:
    rng = random.Random()
    visit = 0
    while time.perf_counter() < until:
        visit += 1
        order = rng.choice(orders)
        headers = {"X-Forwarded-For": visitor_address(rng.getrandbits(24))}
        roll = rng.random()
        if roll < 0.7:
            await timed(tally, "tracking", http.get(f"/t/{order.token}", headers=headers))
        elif roll < 0.9:
            form = await timed(tally, "lookup_form", http.get("/track", headers=headers))
            found = CSRF.search(form.text) if form is not None else None
            if found:
                data = {
                    "order_number": order.number,
                    "contact": order.email,
                    "csrf": found.group(1),
                }
                sent = await timed(tally, "lookup", http.post("/track", data=data, headers=headers))
                if sent is not None and sent.status_code == 303:
                    where = sent.headers["location"]
                    await timed(tally, "tracking", http.get(where, headers=headers))
        else:
            link = f"/track/number?tracking_number={order.tracking}"
            await timed(tally, "by_number", http.get(link, headers=headers))
        await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def timed(tally: Tally, kind: str, request: object) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response: httpx.Response = await request  # type: ignore[misc]
    except httpx.HTTPError as exc:
        tally.add(kind, started, type(exc).__name__)
        return None
    tally.add(kind, started, str(response.status_code))
    return response


async def admin(http: httpx.AsyncClient, order_ids: list[int], tally: Tally, until: float) -> None:
    started = time.perf_counter()
    signed = await http.post(
        "/admin/login", data={"username": OWNER, "password": PASSWORD, "next": "/admin"}
    )
    tally.add("admin_sign_in", started, str(signed.status_code))
    assert signed.headers.get("location") == "/admin", signed.headers
    rng = random.Random(3)
    n = 0
    while time.perf_counter() < until:
        page = ADMIN_PAGES[n % len(ADMIN_PAGES)].format(order_id=rng.choice(order_ids))
        await timed(tally, "admin", http.get(page))  # 303 to the sign-in: signed out
        n += 1
        await asyncio.sleep(ADMIN_EVERY_S)


async def cli_step(
    name: str, args: list[str], env: dict[str, str], steps: dict[str, dict[str, object]]
) -> None:
    began = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shopcare",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    steps[name] = {
        "exit": proc.returncode,
        "seconds": round(time.perf_counter() - began, 1),
        "output": out.decode(errors="replace").strip()[-300:],
    }


async def later(delay: float, step: object) -> None:
    await asyncio.sleep(delay)
    await step  # type: ignore[misc]


async def sample_rss(pid: int, began: float, until: float, into: list[tuple[float, float]]) -> None:
    while time.perf_counter() < until + 1:
        into.append((time.perf_counter() - began, _rss_mb(pid)))
        await asyncio.sleep(5)


def rss_at(samples: list[tuple[float, float]], t: float) -> float:
    return min(samples, key=lambda s: abs(s[0] - t))[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def load(
    base: str,
    orders: list[Order],
    pid: int,
    *,
    seconds: float,
    think: float,
    shoppers: int,
    env: dict[str, str],
    work: Path,
) -> tuple[Tally, list[tuple[float, float]], dict[str, dict[str, object]]]:
    began = time.perf_counter()
    until = began + seconds
    tally = Tally(began=began)
    rss: list[tuple[float, float]] = []
    steps: dict[str, dict[str, object]] = {}
    new_csv = work / "middle.csv"
    new_orders_csv(
        new_csv,
        500,
        first=len(orders) * 2 + 1,
        start=datetime.now(UTC) - timedelta(hours=6),
        span=timedelta(hours=5),
    )
    limits = httpx.Limits(max_connections=4)
    clients = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits) for _ in range(shoppers)]
    boss = httpx.AsyncClient(base_url=base, timeout=30)
    try:
        await asyncio.gather(
            sample_rss(pid, began, until, rss),
            admin(boss, [o.id for o in orders], tally, until),
            *(shopper(c, orders, tally, until, think) for c in clients),
            later(0.45 * seconds, cli_step("import", ["import", str(new_csv)], env, steps)),
            later(
                0.55 * seconds,
                cli_step("backup", ["backup", str(work / "middle-backup.zip")], env, steps),
            ),
        )
    finally:
        for c in [*clients, boss]:
            await c.aclose()
    return tally, rss, steps


def outbox_lags(database_url: str, arrivals: Arrivals, server_began: datetime) -> dict[str, object]:
    """Queued (the row's ``created_at``) to accepted by aiosmtpd, for every message queued
    while the server ran; the ones still waiting at the end count as their wait so far."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT kind, status, created_at, next_attempt_at, message_id FROM outbox_message"
            )
        ).all()
    engine.dispose()
    ended = time.time()
    lags, waiting, kinds, statuses = [], 0, Counter(), Counter()
    for kind, status, created, due, message_id in rows:
        created_at = _utc(created)
        if created_at < server_began or _utc(due) > created_at + timedelta(minutes=1):
            continue  # queued before the start, or a message meant for later (feedback)
        kinds[kind] += 1
        statuses[status] += 1
        accepted = arrivals.at.get((message_id or "").strip().strip("<>"))
        if accepted is None:
            waiting += 1
            accepted = ended
        lags.append(accepted - created_at.timestamp())
    return {
        "queued": len(lags),
        "not_accepted": waiting,
        "kinds": dict(kinds),
        "statuses": dict(statuses),
        "p50_s": round(percentile(lags, 0.5), 2),
        "p99_s": round(percentile(lags, 0.99), 2),
        "max_s": round(max(lags, default=0), 2),
    }


def _utc(value: object) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return "; ".join(r[0] for r in connection.execute("PRAGMA integrity_check").fetchall())


def backup_integrity(archive: Path, work: Path) -> str:
    if not archive.exists():
        return "missing"
    into = work / "restored"
    verified_copy(archive, into)  # checks every member's checksum and runs the check too
    return integrity(into / STORE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument("--shoppers", type=int, default=32)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between pages")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--carrier-errors", type=float, default=0.01)
    args = parser.parse_args()
    seconds = args.minutes * 60
    work = Path(tempfile.mkdtemp(prefix="shopcare-soak-"))
    data_dir = work / "data"
    prepared = time.perf_counter()
    carrier, carrier_url = start_aftership(
        t0=time.time(),
        latency=args.latency,
        errors=args.carrier_errors,
        ofd_share=OFD_SHARE,
        ofd_window=seconds,
        hub_every=HUB_EVERY_S,
        deliver_after=DELIVER_AFTER_S,
    )
    arrivals = Arrivals()
    smtp_port, web_port = free_port(), free_port()
    sink = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    sink.start()
    server = None
    try:
        orders = prepare(data_dir, shipments=args.shipments, carrier_url=carrier_url)
        print(
            f"prepared {len(orders)} parcels in {time.perf_counter() - prepared:.0f} s", flush=True
        )
        env = {
            **os.environ,
            "SHOPCARE_DATA_DIR": str(data_dir),
            "SHOPCARE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        }
        log_path = work / "server.log"
        server_began = datetime.now(UTC)
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "shopcare", "run", "--port", str(web_port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{web_port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        boot_rss = _rss_mb(server.pid)
        tally, rss, steps = asyncio.run(
            load(
                base,
                orders,
                server.pid,
                seconds=seconds,
                think=args.think,
                shoppers=args.shoppers,
                env=env,
                work=work,
            )
        )
        end_rss = _rss_mb(server.pid)
        stats = httpx.get(f"{carrier_url}/control/stats").json()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        carrier.terminate()  # type: ignore[attr-defined]
        sink.stop()
    report(
        args,
        seconds,
        tally,
        rss,
        boot_rss,
        end_rss,
        steps,
        stats,
        arrivals,
        data_dir,
        work,
        server_began,
        log_path,
    )


def report(
    args,
    seconds,
    tally,
    rss,
    boot_rss,
    end_rss,
    steps,
    stats,
    arrivals,  # type: ignore[no-untyped-def]
    data_dir,
    work,
    server_began,
    log_path,
) -> None:
    outcomes = Counter(r[3] for r in tally.requests)
    errors = sum(n for o, n in outcomes.items() if not o.isdigit() or int(o) >= 500)
    failed_steps = [name for name, s in steps.items() if s["exit"] != 0]
    errors += len(failed_steps) + (2 - len(steps))  # a step that never ran is an error too
    too_many = outcomes.get("429", 0)
    other_4xx = {
        o: n for o, n in outcomes.items() if o.isdigit() and 400 <= int(o) < 500 and o != "429"
    }
    per_minute: dict[int, list[float]] = defaultdict(list)
    admin_minute: dict[int, list[float]] = defaultdict(list)
    for at, ms, kind, _ in tally.requests:
        per_minute[int(at // 60)].append(ms)
        if kind.startswith("admin"):
            admin_minute[int(at // 60)].append(ms)
    admin_not_200 = sum(1 for r in tally.requests if r[2] == "admin" and r[3] != "200")
    minutes = sorted(per_minute)
    p99s = [round(percentile(per_minute[m], 0.99), 1) for m in minutes]
    admin_p99s = [round(percentile(admin_minute[m], 0.99), 1) for m in sorted(admin_minute)]
    warm = min(60.0, seconds / 4)
    rss_mb = {
        "boot": round(boot_rss, 1),
        "start": round(rss_at(rss, warm), 1),
        "middle": round(rss_at(rss, seconds / 2), 1),
        "end": round(end_rss, 1),
    }
    growth = rss_mb["end"] / rss_mb["start"] - 1
    rss_per_minute = [round(rss_at(rss, 60 * m), 1) for m in range(int(seconds // 60) + 1)]
    lag = outbox_lags(f"sqlite:///{data_dir / 'shopcare.db'}", arrivals, server_began)
    store_check = integrity(data_dir / "shopcare.db")
    archive_check = backup_integrity(work / "middle-backup.zip", work)
    log_text = log_path.read_text(errors="replace")
    tracebacks = log_text.count("Traceback")
    with sqlite3.connect(data_dir / "shopcare.db") as connection:
        events = connection.execute("SELECT count(*) FROM tracking_event").fetchone()[0]
        statuses = dict(connection.execute("SELECT status, count(*) FROM shipment GROUP BY status"))
        polled = connection.execute(
            "SELECT count(*) FROM shipment WHERE last_polled_at IS NOT NULL"
        ).fetchone()[0]
    print(f"{len(tally.requests)} page requests in {seconds / 60:.0f} min: {dict(outcomes)}")
    print(f"p99 ms per minute: {p99s} (admin alone: {admin_p99s})")
    print(
        f"server RSS MB: {rss_mb}, growth {growth:+.1%}, by minute {rss_per_minute}; "
        f"server log tracebacks: {tracebacks}"
    )
    print(f"outbox: {lag}")
    print(
        f"carrier: {stats}; shipments polled at least once {polled}, events {events}, "
        f"statuses {statuses}"
    )
    print(f"steps: {steps}")
    print(f"integrity: store {store_check}, backup copy {archive_check}")
    print(
        json.dumps(
            {
                "bench": "soak",
                "value": errors,
                "unit": "errors",
                "baseline": 0,
                "ratio": float(errors),
                "target": 0,
                "minutes": round(seconds / 60, 1),
                "requests": len(tally.requests),
                "status_counts": dict(outcomes),
                "rate_limited_429": too_many,
                "other_4xx": other_4xx,
                "p99_ms_per_minute": p99s,
                "p99_target_ms": None,
                "admin_p99_ms_per_minute": admin_p99s,
                "admin_pages_not_200": admin_not_200,
                "rss_mb": rss_mb,
                "rss_mb_per_minute": rss_per_minute,
                "rss_growth": round(growth, 4),
                "rss_growth_target": 0.10,
                "outbox_lag_p99_s": lag["p99_s"],
                "outbox_lag_target_s": 30,
                "outbox": lag,
                "integrity": store_check,
                "backup_integrity": archive_check,
                "steps": {
                    k: {"exit": v["exit"], "seconds": v["seconds"]} for k, v in steps.items()
                },
                "carrier_calls": stats["calls"],
                "carrier_errors_503": stats["errors"],
                "shipments": args.shipments,
                "shipments_polled": polled,
                "tracking_events": events,
                "shipment_statuses": statuses,
                "server_log_tracebacks": tracebacks,
                "shoppers": args.shoppers,
                "think_s": args.think,
                "loopback": True,
                "machine": "shared, 2 cores",
            }
        )
    )


if __name__ == "__main__":
    main()
