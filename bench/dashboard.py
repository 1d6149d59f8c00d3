"""The dashboard at 100,000 orders with a year of scans, messages, returns, page views, problem
reports and feedback: the server's time to build each panel for the last 30 and 365 days,
and the whole page's (every panel, then again from the cache).

    python bench/dashboard.py [--orders 100000] [--runs 7]

Each panel is built through ``build_panel``, as the page and the CSV downloads build it,
without the panel cache (what the owner waits for after new data arrived): "cold" with no
settled month kept either (the first view after a start), and with the settled months kept
(``services.insight.day_chunks``: every view after that). ``value`` is the slowest panel with
settled months kept, ``page_ms`` the whole page (``services.insight.cache.panels``, every
panel) after new data; the cold figures are printed beside them. Times are medians over
``--runs``. The baseline, in the same run, is the plainest question the store answers:
``SELECT count(*) FROM shop_order``. Targets: each panel < 200 ms, the whole page < 500 ms.
The last line is one JSON object.

The generated store is cached under the temp dir, keyed by the version and the migrations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.domain.insight import Period
from shopcare.services.demo.insight_history import add_insight_history
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.insight import cache, day_chunks
from shopcare.services.insight.panels import PANELS, build_panel
from shopcare.services.shop.profile import load_profile, update_profile

VERSION = "dashboard-3"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"
RANGES = (30, 365)


def cached_store(orders: int) -> Path:
    migrations = Path(__file__).parents[1] / "shopcare" / "db" / "migrations" / "versions"
    key = hashlib.sha256(
        (VERSION + str(orders) + "".join(sorted(p.name for p in migrations.glob("*.py")))).encode()
    ).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"shopcare-bench-dashboard-{key}"
    if not (folder / "shopcare.db").exists():
        shutil.rmtree(folder, ignore_errors=True)
        began = time.perf_counter()
        app = build(load_settings({}, data_dir=str(folder)))
        profile = update_profile(
            app.sessions,
            name="Bench Shop",
            support_email="help@bench.example",
            return_address="Bench Shop\nReturns\n1 Bench Street\n10115 Berlin",
            timezone=ZONE,
        )
        seed_many_orders(app.sessions, orders, now=NOW)
        history = add_insight_history(app.sessions, now=NOW, zone=profile.zone)
        with app.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        app.engine.dispose()
        print(
            f"generated {orders:,} orders, {history.delivered:,} delivered, "
            f"{history.page_views:,} page views in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
    return folder


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm: the first call compiles the statements
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = cached_store(args.orders)
    app = build(load_settings({}, data_dir=str(folder)), clock=lambda: NOW)
    sessions = app.sessions
    with sessions() as session:
        context = cache.insight_context(session, now=NOW)
        zone = load_profile(session).zone
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}
    for days in RANGES:
        period = Period.last_days(days, now=NOW, zone=zone)
        for key in PANELS:

            def build_it(k: str = key, p: Period = period, fresh: bool = False) -> object:
                if fresh:
                    day_chunks.forget()
                return build_panel(sessions, k, p, context)

            cold[f"{key} {days}d"] = median_ms(lambda b=build_it: b(fresh=True), args.runs)
            warm[f"{key} {days}d"] = median_ms(build_it, args.runs)

    def whole_page(days: int, *, fresh: bool, cached: bool = False) -> float:
        period = Period.last_days(days, now=NOW, zone=zone)
        cache.panels(sessions, period, now=NOW)
        times = []
        for _ in range(args.runs):
            if fresh:
                day_chunks.forget()
            if not cached:
                cache._caches.pop(sessions, None)
            began = time.perf_counter()
            cache.panels(sessions, period, now=NOW)
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times)

    page = {days: whole_page(days, fresh=True) for days in RANGES}
    page_new_data = {days: whole_page(days, fresh=False) for days in RANGES}
    cached_page = whole_page(365, fresh=False, cached=True)

    def baseline() -> object:
        with sessions() as session:
            return session.execute(sa.text("SELECT count(*) FROM shop_order")).scalar()

    base = median_ms(baseline, args.runs)
    app.engine.dispose()
    for name in cold:
        print(f"{name:16} cold {cold[name]:7.1f} ms   settled months kept {warm[name]:7.1f} ms")
    for days in RANGES:
        print(
            f"whole page {days:3}d   cold {page[days]:7.1f} ms   after new data "
            f"{page_new_data[days]:7.1f} ms"
        )
    print(f"whole page 365d, nothing new (cache): {cached_page:.1f} ms")
    print(f"baseline (SELECT count(*) FROM shop_order): {base:.2f} ms")
    results = warm
    slowest = max(results, key=lambda k: results[k])
    page_ms = max(page_new_data.values())
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "value": round(results[slowest], 1),
                "unit": "ms",
                "baseline": round(base, 2),
                "ratio": round(results[slowest] / base, 1),
                "target": 200,
                "slowest": slowest,
                "page_ms": round(page_ms, 1),
                "page_target": 500,
                "page_cold_ms": round(max(page.values()), 1),
                "page_cached_ms": round(cached_page, 1),
                "orders": args.orders,
                "panel_ms": {k: round(v, 1) for k, v in warm.items()},
                "panel_cold_ms": {k: round(v, 1) for k, v in cold.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
