"""Small builders for service tests."""

from __future__ import annotations

from shopcare.app import ShopCare
from shopcare.db.models import ShopOrder
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order


def make_order(
    app: ShopCare,
    *,
    number: str = "1001",
    tracking: str = "SIMOK100001",
    email: str = "anna@example.com",
    name: str = "Anna Schmidt",
    postcode: str = "10115",
) -> ShopOrder:
    return create_order(
        app.sessions,
        OrderIn(
            order_number=number,
            email=email,
            customer_name=name,
            placed_at=app.clock(),
            ship_postcode=postcode,
            lines=[
                LineIn(title="Ceramic mug", quantity=2, unit_price_minor=1800, sku="MUG"),
                LineIn(title="Tea towel", quantity=1, unit_price_minor=1250, sku="TOWEL"),
            ],
            shipments=[ShipmentIn(carrier="simulated", tracking_number=tracking)]
            if tracking
            else [],
        ),
        now=app.clock(),
        carriers=app.carrier_names,
    )
