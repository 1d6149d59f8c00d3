"""``/healthz`` and a tracking page while another process holds the store's write lock.

A real ``shopcare run --demo`` server; a second process takes SQLite's write lock with
``BEGIN IMMEDIATE`` and keeps it for ``--hold`` seconds (30 by default) while this script
asks for ``/healthz`` and a tracking page, one after the other, the whole time. The value is
the slowest ``/healthz`` answer under the lock; the baseline the slowest one without it, the
same number of requests just before. Target: 500 ms (with the jobs' store work on the event
loop it was 12.1 s).

    python bench/locked_store.py [--hold 30]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.append(str(Path(__file__).resolve().parents[1]))  # the helpers the tests use

from tests.lock_holder import LockHolder
from tests.running_server import running_server

TARGET_MS = 500.0


def timed(http: httpx.Client, path: str) -> tuple[float, int]:
    began = time.perf_counter()
    answer = http.get(path)
    return (time.perf_counter() - began) * 1000, answer.status_code


def ask_for(http: httpx.Client, token: str, seconds: float) -> dict[str, list[float]]:
    """Health and tracking page in turn for ``seconds``; each one's latencies in ms."""
    times: dict[str, list[float]] = {"healthz": [], "tracking": []}
    codes: set[tuple[str, int]] = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, path in (("healthz", "/healthz"), ("tracking", f"/t/{token}")):
            ms, code = timed(http, path)
            times[name].append(ms)
            codes.add((name, code))
        time.sleep(0.2)
    print(f"  answers: {sorted(codes)}", file=sys.stderr)
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {
        "max_ms": round(max(times), 1),
        "p50_ms": round(statistics.median(times), 1),
        "n": len(times),
    }


def main(hold: float) -> dict[str, object]:
    data = Path(tempfile.mkdtemp(prefix="shopcare-locked-")) / "data"
    db = data / "shopcare.db"
    with running_server(data) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        with sqlite3.connect(db) as connection:
            (token,) = connection.execute("SELECT public_token FROM shop_order LIMIT 1").fetchone()
        time.sleep(6)  # the first scheduler ticks
        print("without the lock", file=sys.stderr)
        free = ask_for(http, token, hold / 2)
        print(f"with the lock held by another process for {hold:.0f} s", file=sys.stderr)
        with LockHolder(db) as holder:
            locked = ask_for(http, token, hold)
            holder.release()
    value, baseline = max(locked["healthz"]), max(free["healthz"])
    result: dict[str, object] = {
        "bench": "locked_store",
        "value": round(value, 1),
        "unit": "ms (slowest /healthz while another process holds the write lock)",
        "baseline": round(baseline, 1),
        "ratio": round(value / baseline, 2),
        "target": TARGET_MS,
        "hold_s": hold,
        "healthz_locked": summary(locked["healthz"]),
        "healthz_free": summary(free["healthz"]),
        "tracking_locked": summary(locked["tracking"]),
        "tracking_free": summary(free["tracking"]),
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold", type=float, default=30)
    print(json.dumps(main(parser.parse_args().hold)))
