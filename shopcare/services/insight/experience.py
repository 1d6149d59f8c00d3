"""An order's delivery experience in SQL: three flags summed over its parcels (the shopper's
own, not parcels sent back for a return), grouped in the database and named by the pure
``domain.metrics.experience``. Shared by the panels that set what shoppers said or did
beside what happened to their parcel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from shopcare.db.models import Shipment, TrackingEvent
from shopcare.domain.metrics.experience import DeliveryFlags
from shopcare.domain.status import ShipmentStatus

_DELIVERED, _PROMISED = col(Shipment.delivered_at), col(Shipment.first_estimate)
_JUDGED = sa.and_(_DELIVERED.is_not(None), _PROMISED.is_not(None))
_HAD_EXCEPTION = sa.or_(
    col(Shipment.status) == ShipmentStatus.EXCEPTION,
    sa.exists().where(
        col(TrackingEvent.shipment_id) == col(Shipment.id),
        col(TrackingEvent.status) == ShipmentStatus.EXCEPTION,
    ),
)


def parcels_of(order_id: Any) -> sa.ColumnElement[bool]:
    """Join condition: the shopper's parcels of the order ``order_id`` names."""
    return sa.and_(col(Shipment.order_id) == order_id, col(Shipment.return_id).is_(None))


def flag_columns() -> list[sa.Label[Any]]:
    """``late``, ``judged``, ``exception`` (0 or 1) as aggregates over the joined parcels;
    an order without parcels has all three 0 (its timing is unknown)."""
    return [
        sa.func.max(sa.case((sa.and_(_JUDGED, _DELIVERED > _PROMISED), 1), else_=0)).label("late"),
        sa.func.max(sa.case((_JUDGED, 1), else_=0)).label("judged"),
        sa.func.max(sa.case((_HAD_EXCEPTION, 1), else_=0)).label("exception"),
    ]


def flag_names(table: Any) -> Sequence[sa.ColumnElement[Any]]:
    """The three flags of a subquery made with ``flag_columns``, to group by."""
    return (table.c.late, table.c.judged, table.c.exception)


def flags(late: Any, judged: Any, exception: Any) -> DeliveryFlags:
    return DeliveryFlags(late=bool(late), judged=bool(judged), exception=bool(exception))
