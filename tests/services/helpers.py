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


def fill_every_table(app: ShopCare) -> None:
    """One row in each table still empty, made from its columns' types (foreign keys point
    at rows that exist): for what must hold for every table (backups, exports)."""
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from sqlmodel import SQLModel

    with app.engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                continue
            row: dict[str, object] = {}
            for column in table.columns:
                kind = column.type
                kind = kind.impl if isinstance(kind, sa.TypeDecorator) else kind
                if column.primary_key and isinstance(column.type, sa.Integer):
                    continue
                if column.foreign_keys:
                    target = next(iter(column.foreign_keys)).column
                    row[column.name] = connection.execute(sa.select(target).limit(1)).scalar()
                elif column.nullable and column.default is None and column.server_default is None:
                    continue
                elif isinstance(kind, sa.Boolean):
                    row[column.name] = False
                elif isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
                    row[column.name] = 1
                elif isinstance(kind, sa.DateTime):
                    row[column.name] = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
                elif isinstance(kind, sa.Date):
                    row[column.name] = datetime(2026, 11, 2).date()
                elif isinstance(kind, sa.LargeBinary):
                    row[column.name] = b"\x00\x01"
                else:
                    row[column.name] = f"{table.name}-{column.name}"[
                        : getattr(column.type, "length", None) or 200
                    ]
            connection.execute(table.insert().values(**row))
