"""The demo shop: a handful of orders whose simulated parcels move while the owner watches."""

from __future__ import annotations

from datetime import datetime, timedelta

from shopcare.db.engine import SessionFactory, transaction
from shopcare.services.demo.catalogue import swatch
from shopcare.services.demo.history import seed_demo_history
from shopcare.services.demo.offers import seed_demo_offers
from shopcare.services.demo.variants import seed_demo_variants
from shopcare.services.insight.dashboard import count_orders
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.shop.profile import update_profile

DEMO_SPEED = 1440.0  # one simulated day per real minute: a parcel arrives in about 2 minutes

_CUSTOMERS = [  # name, email, postcode, city, country, scenario, language
    ("Anna Schmidt", "anna@example.com", "10115", "Berlin", "DE", "SIMOK", "en"),
    ("Lucas Martin", "lucas@example.com", "75001", "Paris", "FR", "SIMFAIL", "fr"),
    ("Sofia García", "sofia@example.com", "28001", "Madrid", "ES", "SIMLATE", "es"),
    ("Daan de Vries", "daan@example.com", "1012", "Amsterdam", "NL", "SIMEXC", "nl"),
    ("Emma Brown", "emma@example.com", "SW1A 1AA", "London", "GB", "SIMRTS", "en"),
    ("Noah Weber", "noah@example.com", "80331", "München", "DE", "SIMOK", "de"),
]


_PRODUCTS = [
    LineIn(
        title="Ceramic mug", quantity=2, unit_price_minor=1800, sku="MUG-SAND",
        variant="Sand", product_key="mug", tags="ceramics,kitchen", image_url=swatch("#d6c3a5"),
    ),
    LineIn(
        title="Linen tea towel", quantity=1, unit_price_minor=1250, sku="TOWEL-LIN",
        variant="Natural", product_key="towel", tags="textiles,kitchen",
        image_url=swatch("#c9b99b"),
    ),
    LineIn(
        title="Pour-over coffee set", quantity=1, unit_price_minor=4900, sku="POUR-SET",
        product_key="pour-over", tags="coffee,gift", image_url=swatch("#5b4636"),
    ),
]  # fmt: skip


def seed_demo(
    sessions: SessionFactory, *, now: datetime, carriers: list[str], history: bool = True
) -> bool:
    """Seed only an empty store; returns whether it did. ``history``: with six months of
    finished orders before today's (``demo.history``), so the dashboard has a story."""
    if count_orders(sessions):
        return False
    update_profile(
        sessions,
        name="Demo Coffee Goods",
        sender_email="hello@demo-coffee.example",
        support_email="support@demo-coffee.example",
        timezone="Europe/Berlin",
        return_address=(
            "Demo Coffee Goods\nReturns department\nMusterstraße 1\n10115 Berlin\nGermany"
        ),
        simulated_speed=DEMO_SPEED,
    )
    for i, (name, email, postcode, city, country, prefix, locale) in enumerate(_CUSTOMERS):
        # The first parcel starts now; the others started a little earlier, so the
        # demo shows every stage at once and the first one moves step by step.
        started = now - timedelta(seconds=20 * i)
        create_order(
            sessions,
            OrderIn(
                order_number=str(1001 + i),
                email=email,
                customer_name=name,
                placed_at=started - timedelta(hours=3),
                ship_address1="Example street 1",
                ship_city=city,
                ship_postcode=postcode,
                ship_country=country,
                locale=locale,
                lines=_PRODUCTS[: 1 + i % len(_PRODUCTS)],
                source="demo",
                shipments=[
                    ShipmentIn(carrier="simulated", tracking_number=f"{prefix}{100001 + i}")
                ],
            ),
            now=started,
            carriers=carriers,
        )
    seed_demo_offers(sessions, now=now)
    seed_demo_variants(sessions, now=now)
    if history:
        add_demo_history(sessions, now=now)
    return True


def add_demo_history(sessions: SessionFactory, *, now: datetime) -> None:
    """The six months of finished orders before today's demo, in one transaction."""
    with transaction(sessions) as session:
        seed_demo_history(session, now=now)
