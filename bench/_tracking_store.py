"""The tracking benchmark's store: 100,000 generated orders, on SQLite or PostgreSQL.

Generated once per version, size and schema and kept (a folder under the temp dir for SQLite,
a template database for PostgreSQL), so a re-run starts in seconds; every run works on a fresh
copy of it, because the page writes (a page view per request).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import follow_given_ids
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
MIGRATIONS = Path(__file__).resolve().parents[1] / "shopcare" / "db" / "migrations" / "versions"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_TABLES = (Customer, ShopOrder, OrderLine, Shipment, TrackingEvent, Offer)

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


@dataclass(frozen=True)
class Store:
    """One run's copy: its data dir (the secret), its database and the orders' tokens."""

    data_dir: Path
    url: str
    tokens: Path
    server: str = ""
    """The PostgreSQL server's URL (no database), "" on SQLite."""

    @property
    def kind(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def env(self) -> dict[str, str]:
        env = {"SHOPCARE_DATA_DIR": str(self.data_dir)}
        if self.server:
            env["SHOPCARE_DATABASE_URL"] = self.url
        return env

    def count(self, table: str) -> int:
        engine = sa.create_engine(self.url)
        with engine.connect() as conn:
            n = int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
        engine.dispose()
        return n

    def remove(self) -> None:
        if self.server:
            _admin(self.server, f'DROP DATABASE IF EXISTS "{self.url.rsplit("/", 1)[1]}"')
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def fresh_store(orders: int, *, server: str = "", prefix: str = "shopcare") -> Store:
    """A copy of the generated store for one run: SQLite when ``server`` is "", else a new
    database on that PostgreSQL server, named with ``prefix``."""
    work = Path(tempfile.mkdtemp(prefix="shopcare-bench-tracking-"))
    if not server:
        cached = _cached_sqlite(orders)
        shutil.copytree(cached / "data", work / "data")
        url = f"sqlite:///{work / 'data' / 'shopcare.db'}"
        return Store(data_dir=work / "data", url=url, tokens=cached / "tokens.txt")
    server = server.rstrip("/")
    template, tokens = _cached_postgres(orders, server, prefix)
    run = f"{prefix}_tracking_run"
    _admin(server, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
    _admin(server, f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    (work / "data").mkdir()
    return Store(data_dir=work / "data", url=f"{server}/{run}", tokens=tokens, server=server)


def _schema() -> str:
    names = "".join(sorted(p.name for p in MIGRATIONS.glob("*.py")))
    return hashlib.sha256(names.encode()).hexdigest()[:10]


def _cached_sqlite(orders: int) -> Path:
    """The folder of a generated SQLite store; made once per version, size and schema."""
    name = f"shopcare-bench-tracking-v{STORE_VERSION}-{orders}-{_schema()}"
    folder = Path(tempfile.gettempdir()) / name
    if (folder / "tokens.txt").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    data = folder / "data"
    generate(data, orders, url=f"sqlite:///{data / 'shopcare.db'}")
    _write_tokens(f"sqlite:///{data / 'shopcare.db'}", folder / "tokens.txt")
    print(f"generated {orders} orders in {time.perf_counter() - began:.1f} s: {folder}")
    return folder


def _cached_postgres(orders: int, server: str, prefix: str) -> tuple[str, Path]:
    """A template database of generated orders, and its tokens' file."""
    template = f"{prefix}_tracking_v{STORE_VERSION}_{orders}_{_schema()}".lower()
    folder = Path(tempfile.gettempdir()) / f"shopcare-bench-tracking-pg-{template}"
    tokens = folder / "tokens.txt"
    exists = _admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{template}'")
    if exists and tokens.exists():
        return template, tokens
    began = time.perf_counter()
    _admin(server, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    _admin(server, f'CREATE DATABASE "{template}"')
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    generate(folder / "data", orders, url=f"{server}/{template}")
    _admin(server, "ANALYZE", database=template)  # the planner's statistics, copied with it
    _write_tokens(f"{server}/{template}", tokens)
    print(f"generated {orders} orders in {time.perf_counter() - began:.1f} s: {template}")
    return template, tokens


def _admin(server: str, sql: str, *, database: str = "postgres") -> bool:
    """One statement on the server's ``database``; whether it returned a row."""
    engine = sa.create_engine(f"{server}/{database}", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql(sql)
            return bool(result.returns_rows and result.first())
    finally:
        engine.dispose()


def generate(data_dir: Path, count: int, *, url: str) -> None:
    app = build(load_settings({"SHOPCARE_DATABASE_URL": url}, data_dir=str(data_dir)))
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
            [{"id": 1, "name": "Autumn sale", "kind": "banner",
              "title": "Autumn sale: 20 % off beans", "body": "Fresh roasts for your new gear.",
              "image_url": "", "link_url": "https://bench.example/sale",
              "button": "Shop the sale", "rules": "{}", "position": 0, "active": True,
              "starts_at": None, "ends_at": None, "views": 0, "clicks": 0, "created_at": NOW}],
        )  # fmt: skip
    with app.sessions() as session:
        follow_given_ids(session, _TABLES)  # PostgreSQL: the app's own rows get new ids
        session.commit()
    app.engine.dispose()  # SQLite: the last connection closed folds the WAL into the file


def _write_tokens(url: str, path: Path) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tokens = [row[0] for row in conn.execute(sa.select(ShopOrder.public_token))]  # type: ignore[call-overload]
    engine.dispose()
    path.write_text("\n".join(tokens) + "\n", encoding="ascii")
