"""A small store for the dashboard panels' tests, written straight to the tables so each
test states exactly the parcels, answers, returns and messages its figures count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    Customer,
    Feedback,
    OrderLine,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.insight import Period
from shopcare.services.insight.panels import InsightContext

PERIOD = Period(date(2026, 10, 1), date(2026, 10, 14), ZoneInfo("UTC"))
"""Two weeks; the one before is 17-30 September."""
CONTEXT = InsightContext(now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def day(d: int, month: int = 10, hour: int = 12) -> datetime:
    return datetime(2026, month, d, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Parcel:
    carrier: str = "dhl"
    delivered: datetime | None = None
    promised: datetime | None = None
    """The first estimate shown (end of its day)."""
    exception: bool = False


@dataclass(frozen=True)
class Line:
    sku: str = "MUG"
    title: str = "Ceramic mug"
    quantity: int = 1
    price: int = 1800
    product: str = "mug"


class Store:
    def __init__(self, app: ShopCare) -> None:
        self.app = app
        self._n = 0

    def order(
        self,
        email: str,
        placed: datetime,
        *,
        parcels: Sequence[Parcel] = (),
        lines: Sequence[Line] = (Line(),),
        source: str = "manual",
        cancelled: bool = False,
        currency: str = "EUR",
    ) -> int:
        self._n += 1
        with transaction(self.app.sessions) as session:
            customer = session.exec(select(Customer).where(Customer.email == email)).first()
            if customer is None:
                customer = Customer(email=email, created_at=placed)
                session.add(customer)
                session.flush()
            assert customer.id is not None
            order = ShopOrder(
                order_number=f"T{self._n:04d}",
                customer_id=customer.id,
                email=email,
                placed_at=placed,
                currency=currency,
                public_token=f"tok-{self._n}",
                created_at=placed,
                source=source,
                cancelled_at=placed if cancelled else None,
            )
            session.add(order)
            session.flush()
            assert order.id is not None
            for line in lines:
                session.add(
                    OrderLine(
                        order_id=order.id, sku=line.sku, title=line.title,
                        quantity=line.quantity, unit_price_minor=line.price,
                        product_key=line.product,
                    )
                )  # fmt: skip
            for i, parcel in enumerate(parcels):
                self._parcel(session, order.id, f"{order.order_number}-{i}", placed, parcel)
            return order.id

    def _parcel(self, session, order_id: int, number: str, placed: datetime, p: Parcel) -> None:
        shipment = Shipment(
            order_id=order_id,
            carrier=p.carrier,
            tracking_number=number,
            status="delivered" if p.delivered else "in_transit",
            shipped_at=placed + timedelta(hours=6),
            delivered_at=p.delivered,
            estimated_delivery=p.promised + timedelta(days=5) if p.promised else None,
            first_estimate=p.promised,
            created_at=placed,
        )
        session.add(shipment)
        session.flush()
        if p.exception:
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id or 0, event_key="x", occurred_at=placed,
                    status="exception", recorded_at=placed,
                )
            )  # fmt: skip

    def feedback(
        self,
        order_id: int,
        score: int,
        answered: datetime,
        *,
        csat: int | None = None,
        delivery: int | None = None,
    ) -> None:
        with transaction(self.app.sessions) as session:
            session.add(
                Feedback(
                    order_id=order_id, public_token=f"fb-{order_id}", score=score,
                    created_at=answered, answered_at=answered, csat=csat,
                    rating_delivery=delivery,
                )
            )  # fmt: skip


def figures(panel: object) -> dict[str, tuple[object, object]]:
    return {f.key: (f.value, f.previous) for f in panel.figures}  # type: ignore[attr-defined]
