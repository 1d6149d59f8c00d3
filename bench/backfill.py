"""Shopify backfill throughput: 10,000 orders from a loopback GraphQL Admin API (its own
process, uvicorn) into an empty store, then the same backfill again into the full store
(every order read, nothing changes). Orders carry 2 line items; every other one a
fulfillment with a tracking number.

Baseline in the same run: the raw paged fetch, the same queries over the same client and
server with the JSON parsed and nothing stored. The server's cost bucket is unlimited here
so ShopCare is measured, not Shopify's rate; the seconds Shopify's bucket would add at the
Standard plan's restore rate (100 points/s) are computed from the actual query costs.

    python bench/backfill.py [--orders 10000]
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
from sqlmodel import func, select

from shopcare.app import build
from shopcare.carriers.http import new_client
from shopcare.config import load_settings
from shopcare.db.models import Shipment, ShopOrder
from shopcare.platforms.base import Since
from shopcare.platforms.shopify_graphql import orders_query, page_size, search_filter
from shopcare.services.intake.backfill import run_backfill, start_backfill
from shopcare.services.intake.connection import platform_client, save_connection

TOKEN = "shpat_bench"
STANDARD_RESTORE = 100.0
FAKE_SHOPIFY = """
import base64, json, sys
from datetime import datetime, timedelta, timezone
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

COUNT, START = int(sys.argv[2]), datetime(2026, 9, 1, tzinfo=timezone.utc)

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")

def order(i):
    oid, created = 6_000_000_000 + i, START + timedelta(minutes=5 * i)
    lines = [{"id": f"gid://shopify/LineItem/{oid * 10 + k}", "title": f"Mug {k}",
              "variantTitle": "Blue", "sku": f"MUG-{k}", "quantity": 1,
              "originalUnitPriceSet": {"shopMoney": {"amount": "19.90"}},
              "product": {"id": f"gid://shopify/Product/{k}"}} for k in (1, 2)]
    fulfillments = [{"id": f"gid://shopify/Fulfillment/{oid}", "status": "SUCCESS",
                     "createdAt": iso(created + timedelta(days=1)), "inTransitAt": None,
                     "deliveredAt": iso(created + timedelta(days=3)), "displayStatus": "DELIVERED",
                     "trackingInfo": [{"company": "DHL Express", "number": f"JJD{oid:015d}",
                                       "url": None}]}] if i % 2 else []
    return {"id": f"gid://shopify/Order/{oid}", "name": f"#{10000 + i}",
            "email": f"shopper{i}@example.com", "phone": None, "createdAt": iso(created),
            "processedAt": iso(created), "updatedAt": iso(created), "cancelledAt": None,
            "currencyCode": "EUR", "customerLocale": "en",
            "totalPriceSet": {"shopMoney": {"amount": "44.70", "currencyCode": "EUR"}},
            "billingAddress": {"firstName": "Anna", "lastName": f"Muster{i}",
                               "name": f"Anna Muster{i}", "phone": None},
            "shippingAddress": {"name": f"Anna Muster{i}", "address1": "Hauptstrasse 1",
                                "address2": None, "city": "Berlin", "provinceCode": "BE",
                                "zip": "10115", "countryCodeV2": "DE", "phone": None},
            "lineItems": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": lines},
            "fulfillments": fulfillments}

def cursor(i):
    return base64.b64encode(str(i).encode()).decode()

async def graphql(request):
    body = await request.json()
    v = body["variables"]
    if "shop {" in body["query"]:
        return JSONResponse({"data": {"shop": {"name": "Bench", "myshopifyDomain": "b"}}})
    first, start = int(v["first"]), int(base64.b64decode(v["after"])) if v.get("after") else 0
    nodes = [order(i) for i in range(start, min(start + first, COUNT))]
    end = start + len(nodes)
    actual = 2 + sum(8 + 4 * len(n["lineItems"]["nodes"]) for n in nodes)
    cost = {"requestedQueryCost": 2 + first * 97, "actualQueryCost": actual,
            "throttleStatus": {"maximumAvailable": 1e9, "currentlyAvailable": 1e9,
                               "restoreRate": 1e6}}
    page = {"pageInfo": {"hasNextPage": end < COUNT, "endCursor": cursor(end)}, "nodes": nodes}
    data = {"orders": page, **({"ordersCount": {"count": COUNT}} if v.get("counted") else {})}
    return JSONResponse({"data": data, "extensions": {"cost": cost}})

app = Starlette(routes=[Route("/admin/api/2026-10/graphql.json", graphql, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(count: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", FAKE_SHOPIFY, str(port), str(count)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.post(f"{url}/admin/api/2026-10/graphql.json", json={"query": "{ shop { name } }",
                       "variables": {}}, timeout=1)  # fmt: skip
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("fake Shopify did not start")


async def raw_fetch(url: str, since: datetime) -> tuple[float, int, int]:
    """Orders/s, calls and the sum of actual query costs of a bare paged fetch."""
    query, window = orders_query(Since.CREATED), search_filter(Since.CREATED, since.isoformat())
    orders = calls = cost = 0
    after = None
    async with new_client() as client:
        began = time.perf_counter()
        while True:
            variables = {"first": page_size(), "after": after, "query": window,
                         "counted": after is None}  # fmt: skip
            response = await client.post(
                f"{url}/admin/api/2026-10/graphql.json",
                json={"query": query, "variables": variables},
                headers={"X-Shopify-Access-Token": TOKEN},
            )
            answer = response.json()
            calls += 1
            cost += answer["extensions"]["cost"]["actualQueryCost"]
            page = answer["data"]["orders"]
            orders += len(page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        return orders / (time.perf_counter() - began), calls, cost


async def backfill(app, url: str, now: datetime) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    run_id = start_backfill(app.sessions, "shopify", days=120, now=now)
    client = platform_client(app.sessions, "shopify", http=app.http, clock=lambda: now)
    began = time.perf_counter()
    run = await run_backfill(
        app.sessions, run_id, client=client, clock=lambda: now, carriers=app.carrier_names
    )
    return run.done / (time.perf_counter() - began), run


async def main(count: int) -> dict[str, object]:
    proc, url = start_server(count)
    try:
        now = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=5 * count + 60)
        since = now - timedelta(days=120)
        raw, raw_calls, cost = await raw_fetch(url, since)
        app = build(load_settings({}, data_dir=tempfile.mkdtemp(prefix="shopcare-bench-")))
        save_connection(
            app.sessions, "shopify", shop_url=url, values={"access_token": TOKEN}, now=now
        )
        empty, first = await backfill(app, url, now)
        full, second = await backfill(app, url, now)
        with app.sessions() as session:
            stored = session.exec(select(func.count()).select_from(ShopOrder)).one()
            parcels = session.exec(select(func.count()).select_from(Shipment)).one()
        await app.stop()
    finally:
        proc.terminate()
    assert (first.status, first.created, stored, parcels) == ("done", count, count, count // 2)
    assert (second.status, second.created, second.updated) == ("done", 0, 0)
    bucket_s = cost / STANDARD_RESTORE
    print(
        f"{count} orders: backfill into an empty store {empty:.0f} orders/s, into the full store "
        f"{full:.0f} orders/s; raw paged fetch {raw:.0f} orders/s; API calls {first.api_calls} "
        f"(raw {raw_calls}, {page_size()} orders a page); Shopify's bucket at "
        f"{STANDARD_RESTORE:.0f} points/s would add {bucket_s:.0f} s ({count / bucket_s:.0f} "
        "orders/s at most)"
    )
    return {
        "bench": "backfill",
        "value": round(empty, 1),
        "unit": "orders/s",
        "baseline": round(raw, 1),
        "ratio": round(empty / raw, 3),
        "orders": count,
        "api_calls": first.api_calls,
        "orders_per_call": page_size(),
        "full_store_orders_per_s": round(full, 1),
        "standard_bucket_orders_per_s": round(count / bucket_s, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    try:
        import uvloop

        result = uvloop.run(main(args.orders))
    except ImportError:
        result = asyncio.run(main(args.orders))
    print(json.dumps(result))
