"""Orders and returns written straight into the store, with names in several scripts."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    Customer,
    OrderLine,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    ShopOrder,
)


@dataclass(frozen=True)
class Made:
    order_id: int
    order_number: str
    return_ids: list[int]
    rmas: list[str]
    tokens: list[str]


def make_order(
    shopcare: ShopCare,
    *,
    number: str = "1042",
    ship_name: str = "Иван Петров",
    address: str = "ул. Тверская, д. 7, кв. 12",
    city: str = "Москва",
    titles: Sequence[str] = ("Ceramic mug", "Linen apron"),
    returns: int = 1,
    reason: str = "too_small",
) -> Made:
    now: datetime = shopcare.clock()
    with transaction(shopcare.sessions) as session:
        customer = Customer(email=f"{number}@example.com", name=ship_name, created_at=now)
        session.add(customer)
        session.flush()
        assert customer.id is not None
        order = ShopOrder(
            order_number=number, customer_id=customer.id, email=customer.email, placed_at=now,
            ship_name=ship_name, ship_address1=address, ship_city=city, ship_postcode="125009",
            ship_country="RU", public_token=secrets.token_urlsafe(16), created_at=now,
        )  # fmt: skip
        session.add(order)
        session.flush()
        assert order.id is not None
        lines = [
            OrderLine(
                order_id=order.id,
                sku=f"SKU-{i}",
                title=title,
                quantity=2,
                variant=f"Size {'SML'[i % 3]}",
                product_key=f"p{i}",
            )
            for i, title in enumerate(titles)
        ]
        session.add_all(lines)
        session.add(ProductVariant(sku=f"{number}-L", product_key="p0", title=titles[0],
                                   variant="Size L", updated_at=now))  # fmt: skip
        session.flush()
        return_ids, rmas, tokens = [], [], []
        for n in range(returns):
            request = ReturnRequest(
                order_id=order.id, rma=f"R-{number[-4:]}-{n:04d}",
                public_token=secrets.token_urlsafe(24), reason=reason,
                resolution="exchange", created_at=now,
            )  # fmt: skip
            session.add(request)
            session.flush()
            assert request.id is not None
            session.add_all(
                ReturnLine(
                    return_id=request.id,
                    order_line_id=line.id or 0,
                    quantity=1,
                    reason="damaged" if i else reason,
                    comment="Chipped rim" if i else "",
                    exchange_sku="" if i else f"{number}-L",
                )
                for i, line in enumerate(lines)
            )
            return_ids.append(request.id)
            rmas.append(request.rma)
            tokens.append(request.public_token)
        return Made(order.id, number, return_ids, rmas, tokens)
