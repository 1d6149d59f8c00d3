"""The owner's export of the whole store at 100,000 orders: rows per second, and the memory it
takes while it runs.

    python bench/export.py [--orders 100000]

The export is ``services.export.archive.write_archive`` into a file, as the admin's button
runs it: every table as CSV and again in ``store.json``, compressed, from one snapshot. Rows
per second counts each row of the store once (it is written twice). The baseline, in the
same run over the same rows, is the plainest read the store allows: Python's ``sqlite3``
running ``SELECT *`` on each table and stepping through every row, writing nothing.

Memory: the process's RSS, sampled every 20 ms from a thread; the growth is the peak while
exporting minus the RSS before. Flat means it does not climb with the rows: the growth at
each quarter of the rows, and the growth exporting a store a tenth the size, are printed
beside it. Each export runs in a fresh process. Target: at least 50,000 rows/s. The rows per
CPU second are printed too, as the machine's other load moves the wall-clock figure.

The generated store is cached under the temp dir, keyed by the version and the migrations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _server import _rss_mb

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.export.archive import write_archive
from shopcare.services.export.tables import table_plans

VERSION = "export-1"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TARGET = 50_000


def cached_store(orders: int) -> Path:
    migrations = Path(__file__).parents[1] / "shopcare" / "db" / "migrations" / "versions"
    key = hashlib.sha256(
        (VERSION + str(orders) + "".join(sorted(p.name for p in migrations.glob("*.py")))).encode()
    ).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"shopcare-bench-export-{key}"
    if not (folder / "shopcare.db").exists():
        shutil.rmtree(folder, ignore_errors=True)
        began = time.perf_counter()
        app = build(load_settings({}, data_dir=str(folder)))
        seed_many_orders(app.sessions, orders, now=NOW)
        app.engine.dispose()
        print(f"generated {orders:,} orders in {time.perf_counter() - began:.1f} s", flush=True)
    return folder


class RssSampler(threading.Thread):
    """This process's RSS every 20 ms, while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = self.last = _rss_mb_self()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.last = _rss_mb_self()
            self.peak = max(self.peak, self.last)
            time.sleep(0.02)


def _rss_mb_self() -> float:
    return _rss_mb(os.getpid())


def baseline(folder: Path) -> tuple[int, float]:
    """Rows and seconds of plain ``SELECT *`` over every exported table."""
    connection = sqlite3.connect(folder / "shopcare.db")
    rows, began = 0, time.perf_counter()
    for plan in table_plans():
        cursor = connection.execute(f'SELECT * FROM "{plan.name}"')
        while batch := cursor.fetchmany(2_000):
            rows += len(batch)
    seconds = time.perf_counter() - began
    connection.close()
    return rows, seconds


@dataclass(frozen=True)
class Measured:
    rows: int
    seconds: float
    cpu_seconds: float
    growth_mb: float
    """Peak RSS while exporting minus the RSS just before."""
    quarters_mb: list[float]
    """The growth so far at each quarter of the rows."""
    zip_bytes: int


def export(folder: Path) -> Measured:
    """One export of the store in ``folder``, in a fresh process (so no earlier run's heap
    hides or adds to its memory): the app built and the rows counted first, then measured."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    ).stdout
    return Measured(**json.loads(out.splitlines()[-1]))


def export_here(folder: Path) -> Measured:
    app = build(load_settings({}, data_dir=str(folder)))
    target = Path(tempfile.mkdtemp(prefix="shopcare-bench-export-out-")) / "export.zip"
    with app.sessions() as session:  # the count for the quarters (not timed)
        total = 2 * sum(
            session.connection().exec_driver_sql(f'SELECT count(*) FROM "{p.name}"').scalar_one()
            for p in table_plans()
        )
    quarters: list[float] = []
    sampler = RssSampler()
    before = sampler.peak

    def progress(done: int) -> None:
        if done >= total * (len(quarters) + 1) / 4 and len(quarters) < 4:
            quarters.append(round(sampler.peak - before, 1))

    sampler.start()
    began, cpu = time.perf_counter(), time.process_time()
    with target.open("wb") as out:
        manifest = write_archive(app.sessions, out, now=NOW, progress=progress)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    sampler.running = False
    sampler.join()
    size = target.stat().st_size
    shutil.rmtree(target.parent, ignore_errors=True)
    app.engine.dispose()
    return Measured(manifest.rows, seconds, cpu, sampler.peak - before, quarters, size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a store's folder: one measured export
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asdict(export_here(Path(args.one)))))
        return
    small = cached_store(args.orders // 10)
    folder = cached_store(args.orders)
    baseline(folder)  # warms the page cache for both
    tenth = export(small)
    big = export(folder)
    base_rows, base_s = baseline(folder)
    value, base = big.rows / big.seconds, base_rows / base_s
    print(f"export: {big.rows:,} rows in {big.seconds:.2f} s = {value:,.0f} rows/s, "
          f"{big.zip_bytes / 1e6:.1f} MB")  # fmt: skip
    print(f"  ({big.rows / big.cpu_seconds:,.0f} rows per CPU second: the machine's load aside)")
    print(f"baseline (sqlite3 SELECT * of the same tables): {base:,.0f} rows/s")
    print(f"memory: peak RSS growth {big.growth_mb:.1f} MB; at each quarter {big.quarters_mb}")
    print(f"  and {tenth.growth_mb:.1f} MB for a store a tenth the size ({tenth.rows:,} rows)")
    print(
        json.dumps(
            {
                "bench": "export",
                "value": round(value),
                "unit": "rows/s",
                "baseline": round(base),
                "ratio": round(value / base, 3),
                "target": TARGET,
                "memory_growth_mb": round(big.growth_mb, 1),
                "memory_growth_by_quarter_mb": big.quarters_mb,
                "memory_growth_tenth_store_mb": round(tenth.growth_mb, 1),
                "rows_per_cpu_s": round(big.rows / big.cpu_seconds),
                "rows": big.rows,
                "orders": args.orders,
                "seconds": round(big.seconds, 2),
                "zip_mb": round(big.zip_bytes / 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
