"""CSV import throughput: a 100,000-row generic file (about 40,000 orders, half of them with
tracking numbers) into an empty store, the same file again (nothing changes), a changed copy
(every order updated), and a Shopify-format export of the same size into an empty store.

Baseline in the same run: Python's csv module plus sqlite3.executemany writing the same rows
into equivalent flat tables (orders, lines, parcels), one transaction per 1,000 orders, as
the import does. Each import runs in its own process so its peak memory (VmHWM) can be read;
growth = peak during the import minus the resident size just before it.
Targets: >= 10,000 rows/s, >= 0.25x the baseline, peak RSS growth < 100 MB.

    python bench/import.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path

GENERIC = ["order_number", "order_date", "email", "customer_name", "ship_address1", "ship_city",
           "ship_postcode", "ship_country", "currency", "order_total", "item_sku", "item_name",
           "item_qty", "item_price", "carrier", "tracking_number", "shipped_at"]  # fmt: skip
SHOPIFY = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Total", "Created at",
           "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
           "Billing Name", "Shipping Name", "Shipping Address1", "Shipping City", "Shipping Zip",
           "Shipping Country", "Cancelled at", "Id", "Tags", "Source"]  # fmt: skip


def orders(
    rows: int,
    *,
    changed: bool = False,
    start: datetime = datetime(2026, 9, 1, tzinfo=UTC),
    every: timedelta = timedelta(minutes=1),
    first: int = 1,
) -> list[list[list[str]]]:
    """Orders as lists of generic rows: 1 to 4 items each (2.5 on average), every other
    order with a tracking number. ``changed`` renames every customer. Orders are numbered
    from ``first``, the k-th placed at ``start + k * every``: the soak wants recent orders,
    numbered after the ones it already has."""
    rng = random.Random(7)
    made: list[list[list[str]]] = []
    total = 0
    n = first - 1
    while total < rows:
        n += 1
        items = min(rng.randint(1, 4), rows - total)
        placed = start + every * (n - first + 1)
        name = f"Customer {n}{' Jr' if changed else ''}"
        tracking = f"1Z999AA1{n:010d}" if n % 2 else ""
        shipped = (placed + timedelta(days=1)).isoformat() if tracking else ""
        number = f"B{n:06d}"
        order = [number, placed.isoformat(), f"c{n}@example.com", name, f"{n} Main St",
                 "Berlin", "10115", "DE", "EUR", f"{items * 19.9:.2f}"]  # fmt: skip
        parcel = ["UPS" if tracking else "", tracking, shipped]
        group = [
            [
                *(order if i == 0 else [number] + [""] * 9),
                f"SKU{i}",
                f"Item {i}",
                "1",
                "19.90",
                *parcel,
            ]
            for i in range(items)
        ]
        made.append(group)
        total += items
    return made


def write_generic(path: Path, made: list[list[list[str]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(GENERIC)
        for group in made:
            writer.writerows(group)


def write_shopify(path: Path, made: list[list[list[str]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(SHOPIFY)
        for group in made:
            for i, g in enumerate(group):
                first = group[0]
                date = datetime.fromisoformat(first[1]).strftime("%Y-%m-%d %H:%M:%S %z")
                order = [f"#{g[0][1:]}", first[2], "paid", "EUR", first[9], first[9], date]
                if i:
                    order = [order[0]] + [""] * 6
                line = [g[12], g[11], g[13], g[10]]
                address = [first[3], first[3], first[4], first[5], first[6], first[7]]
                tail = ["", str(5_000_000_000 + int(g[0][1:])), "", "web"]
                writer.writerow(order + line + (address if not i else [""] * 6) + tail)


def baseline(path: Path, db: Path) -> float:
    """Rows/s for csv + sqlite3.executemany into flat tables, a transaction per 1,000 orders."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, number TEXT UNIQUE, placed TEXT,"
                " email TEXT, name TEXT, address TEXT, city TEXT, postcode TEXT, country TEXT,"
                " currency TEXT, total INTEGER)")  # fmt: skip
    con.execute("CREATE TABLE lines (order_number TEXT, sku TEXT, title TEXT, qty INTEGER,"
                " price INTEGER)")  # fmt: skip
    con.execute("CREATE TABLE parcels (order_number TEXT, carrier TEXT, number TEXT, shipped TEXT)")
    began = time.perf_counter()
    count = 0
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        batch: list[list[list[str]]] = []
        for _, rows in groupby(reader, key=lambda r: r[0]):
            group = list(rows)
            count += len(group)
            batch.append(group)
            if len(batch) == 1000:
                _flat_write(con, batch)
                batch = []
        _flat_write(con, batch)
    elapsed = time.perf_counter() - began
    con.close()
    return count / elapsed


def _flat_write(con: sqlite3.Connection, batch: list[list[list[str]]]) -> None:
    with con:
        con.executemany(
            "INSERT INTO orders (number, placed, email, name, address, city, postcode, country,"
            " currency, total) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(*g[0][:9], round(float(g[0][9]) * 100)) for g in batch],
        )
        con.executemany(
            "INSERT INTO lines VALUES (?,?,?,?,?)",
            [(r[0], r[10], r[11], int(r[12]), round(float(r[13]) * 100)) for g in batch for r in g],
        )
        con.executemany(
            "INSERT INTO parcels VALUES (?,?,?,?)",
            [(g[0][0], g[0][14], g[0][15], g[0][16]) for g in batch if g[0][15]],
        )


CHILD = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.intake.csv_import import ImportOptions, import_csv

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

app = build(load_settings({}, data_dir=sys.argv[1]))
options = ImportOptions(now=datetime(2026, 11, 2, tzinfo=UTC), carriers=app.carrier_names,
                        zone=ZoneInfo("Europe/Berlin"))
before = status("VmRSS")
began = time.perf_counter()
report = import_csv(app.sessions, Path(sys.argv[2]), options)
elapsed = time.perf_counter() - began
print(json.dumps({"rows_per_s": report.rows / elapsed, "seconds": elapsed, "rows": report.rows,
                  "created": report.created, "updated": report.updated,
                  "unchanged": report.unchanged, "rejected": report.rejected,
                  "rss_growth_mb": status("VmHWM") - before}))
"""


def shopcare_import(data_dir: Path, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(rows: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="shopcare-bench-import-"))
    made = orders(rows)
    generic, changed, shopify = work / "generic.csv", work / "changed.csv", work / "shopify.csv"
    write_generic(generic, made)
    write_generic(changed, orders(rows, changed=True))
    write_shopify(shopify, made)
    base = baseline(generic, work / "baseline.db")
    empty = shopcare_import(work / "store", generic)
    again = shopcare_import(work / "store", generic)
    updated = shopcare_import(work / "store", changed)
    shop = shopcare_import(work / "shopify-store", shopify)
    assert empty["created"] == len(made) and empty["rejected"] == 0, empty
    assert again["unchanged"] == len(made), again
    assert updated["updated"] == len(made), updated
    assert shop["created"] == len(made) and shop["rejected"] == 0, shop
    for label, r in (("empty", empty), ("same file", again), ("changed", updated),
                     ("shopify", shop)):  # fmt: skip
        print(f"{label:>10}: {r['rows_per_s']:,.0f} rows/s ({r['seconds']:.1f} s, "
              f"{r['rss_growth_mb']:.1f} MB peak RSS growth)")  # fmt: skip
    print(f"  baseline: {base:,.0f} rows/s ({rows:,} rows, {len(made):,} orders)")
    return {
        "bench": "import",
        "value": round(empty["rows_per_s"], 1),
        "unit": "rows/s",
        "baseline": round(base, 1),
        "ratio": round(empty["rows_per_s"] / base, 3),
        "target": 10_000,
        "target_ratio": 0.25,
        "rss_growth_mb": round(empty["rss_growth_mb"], 1),
        "rss_target_mb": 100,
        "reimport_rows_per_s": round(again["rows_per_s"], 1),
        "update_rows_per_s": round(updated["rows_per_s"], 1),
        "update_ratio": round(updated["rows_per_s"] / base, 3),
        "update_rss_growth_mb": round(updated["rss_growth_mb"], 1),
        "shopify_rows_per_s": round(shop["rows_per_s"], 1),
        "shopify_ratio": round(shop["rows_per_s"] / base, 3),
        "shopify_rss_growth_mb": round(shop["rss_growth_mb"], 1),
        "rows": rows,
        "orders": len(made),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    print(json.dumps(main(parser.parse_args().rows)))
