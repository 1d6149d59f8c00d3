"""What the REST API reads: orders with their lines, parcels and events; parcels; returns;
feedback. Lists page with an opaque cursor (``api_paging``).

Orders page on (last change, id) ascending, so an order changed while a script pages moves
behind it rather than being skipped; ``updated_since`` then picks up later changes. Parcels,
returns and feedback page on id. Times come back in UTC with their zone; money in minor
units with the currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    Feedback,
    OrderLine,
    ReturnLabel,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.utc import as_utc
from shopcare.services.api.paging import (
    Page,
    bounded,
    decode_cursor,
    encode_cursor,
    page_by_id,
)
from shopcare.services.api.views import (
    ApiEvent,
    ApiFeedback,
    ApiLine,
    ApiOrder,
    ApiReturn,
    ApiReturnLabel,
    ApiReturnLine,
    ApiShipment,
    api_order,
    api_shipment,
)
from shopcare.services.errors import InputError


class OrderStatus(StrEnum):
    """An order's state as the API names it (derived from its parcels, never stored)."""

    UNFULFILLED = "unfulfilled"
    """No parcel yet."""
    IN_PROGRESS = "in_progress"
    """At least one parcel not delivered."""
    DELIVERED = "delivered"
    """Every parcel delivered."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class OrderFilter:
    status: OrderStatus | None = None
    updated_since: datetime | None = None
    email: str = ""
    order_number: str = ""


def _changed() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(col(ShopOrder.updated_at), col(ShopOrder.created_at))


def list_orders(
    sessions: SessionFactory, filters: OrderFilter, *, cursor: str | None, limit: int
) -> Page[ApiOrder]:
    query = select(ShopOrder)
    for condition in _order_conditions(filters):
        query = query.where(condition)
    if cursor:
        stamp, last_id = decode_cursor(cursor, shape=(str, int))
        try:
            after = datetime.fromisoformat(stamp).astimezone(UTC)
        except (ValueError, OverflowError) as error:
            raise InputError("cursor is not one this API gave out") from error
        query = query.where(
            sa.or_(_changed() > after, sa.and_(_changed() == after, col(ShopOrder.id) > last_id))
        )
    query = query.order_by(_changed(), col(ShopOrder.id)).limit(bounded(limit) + 1)
    with sessions() as session:
        orders = list(session.exec(query).all())
        more = len(orders) > bounded(limit)
        orders = orders[: bounded(limit)]
        found = _orders_out(session, orders, with_events=False)
    next_cursor = None
    if more and orders:
        last = orders[-1]
        stamp_at = as_utc(last.updated_at or last.created_at)
        next_cursor = encode_cursor([stamp_at.isoformat(), last.id])
    return Page(found, next_cursor)


def _order_conditions(filters: OrderFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.email:
        conditions.append(sa.func.lower(col(ShopOrder.email)) == filters.email.strip().lower())
    if filters.order_number:
        conditions.append(col(ShopOrder.order_number) == filters.order_number.strip())
    if filters.updated_since:
        since = filters.updated_since.astimezone(UTC)
        conditions.append(_changed() >= since)
    if filters.status:
        conditions.append(_status_condition(filters.status))
    return conditions


def _status_condition(status: OrderStatus) -> sa.ColumnElement[bool]:
    if status is OrderStatus.CANCELLED:
        return col(ShopOrder.cancelled_at).is_not(None)
    parcels = select(Shipment.id).where(
        col(Shipment.order_id) == col(ShopOrder.id), col(Shipment.return_id).is_(None)
    )
    open_parcels = parcels.where(col(Shipment.status) != ShipmentStatus.DELIVERED)
    live = col(ShopOrder.cancelled_at).is_(None)
    if status is OrderStatus.UNFULFILLED:
        return sa.and_(live, ~parcels.exists())
    if status is OrderStatus.IN_PROGRESS:
        return sa.and_(live, open_parcels.exists())
    return sa.and_(live, parcels.exists(), ~open_parcels.exists())


def order_by_ref(sessions: SessionFactory, ref: str) -> ApiOrder | None:
    """``ref`` is an order number, or else the order's id."""
    with sessions() as session:
        order = find_order(session, ref)
        return _orders_out(session, [order], with_events=True)[0] if order else None


def order_in(session: Session, order_id: int) -> ApiOrder:
    """One order in the caller's session (and transaction: a just-written order)."""
    order = session.get(ShopOrder, order_id)
    if order is None:
        raise LookupError(f"no order {order_id}")
    return _orders_out(session, [order], with_events=True)[0]


def order_id_by_ref(sessions: SessionFactory, ref: str) -> int | None:
    with sessions() as session:
        order = find_order(session, ref)
        return order.id if order else None


def find_order(session: Session, ref: str) -> ShopOrder | None:
    """By order number first (shops number orders "1001"), then by id."""
    ref = ref.strip()
    order = session.exec(select(ShopOrder).where(ShopOrder.order_number == ref)).first()
    if order is None and ref.isascii() and ref.isdigit() and len(ref) < 19:
        order = session.get(ShopOrder, int(ref))
    return order


def _orders_out(
    session: Session, orders: Sequence[ShopOrder], *, with_events: bool
) -> list[ApiOrder]:
    ids = [o.id for o in orders if o.id is not None]
    lines: dict[int, list[ApiLine]] = {i: [] for i in ids}
    for li in session.exec(
        select(OrderLine).where(col(OrderLine.order_id).in_(ids)).order_by(col(OrderLine.id))
    ):
        lines[li.order_id].append(ApiLine.of(li))
    shipments = _shipments_out(
        session,
        session.exec(
            select(Shipment)
            .where(col(Shipment.order_id).in_(ids), col(Shipment.return_id).is_(None))
            .order_by(col(Shipment.id))
        ).all(),
        numbers={o.id or 0: o.order_number for o in orders},
        with_events=with_events,
    )
    by_order: dict[int, list[ApiShipment]] = {i: [] for i in ids}
    for s in shipments:
        by_order[s.order_id].append(s)
    return [
        api_order(
            o,
            lines=lines[o.id or 0],
            shipments=by_order[o.id or 0],
            status=_status(o, by_order[o.id or 0]),
        )
        for o in orders
    ]


def _status(order: ShopOrder, shipments: list[ApiShipment]) -> OrderStatus:
    if order.cancelled_at is not None:
        return OrderStatus.CANCELLED
    if not shipments:
        return OrderStatus.UNFULFILLED
    if all(s.status == ShipmentStatus.DELIVERED for s in shipments):
        return OrderStatus.DELIVERED
    return OrderStatus.IN_PROGRESS


def _shipments_out(
    session: Session,
    shipments: Sequence[Shipment],
    *,
    numbers: dict[int, str] | None = None,
    with_events: bool,
) -> list[ApiShipment]:
    ids = [s.id for s in shipments if s.id is not None]
    events: dict[int, list[ApiEvent]] = {i: [] for i in ids}
    if with_events and ids:
        for e in session.exec(
            select(TrackingEvent)
            .where(col(TrackingEvent.shipment_id).in_(ids))
            .order_by(col(TrackingEvent.occurred_at).desc(), col(TrackingEvent.id).desc())
        ):
            events[e.shipment_id].append(ApiEvent.of(e))
    if numbers is None:
        order_ids = {s.order_id for s in shipments}
        numbers = {i: number for i, (number, _) in _numbers(session, order_ids).items()}
    return [
        api_shipment(s, order_number=numbers.get(s.order_id, ""), events=events[s.id or 0])
        for s in shipments
    ]


def list_shipments(
    sessions: SessionFactory,
    *,
    status: ShipmentStatus | None,
    tracking_number: str,
    cursor: str | None,
    limit: int,
) -> Page[ApiShipment]:
    query = select(Shipment).where(col(Shipment.return_id).is_(None))
    if status:
        query = query.where(col(Shipment.status) == status)
    if tracking_number:
        query = query.where(col(Shipment.tracking_number) == tracking_number.strip().upper())
    with sessions() as session:
        rows, next_cursor = page_by_id(session, query, Shipment, cursor=cursor, limit=limit)
        return Page(_shipments_out(session, rows, with_events=False), next_cursor)


def shipment_by_id(sessions: SessionFactory, shipment_id: int) -> ApiShipment | None:
    with sessions() as session:
        shipment = session.get(Shipment, shipment_id)
        if shipment is None or shipment.return_id is not None:
            return None
        return _shipments_out(session, [shipment], with_events=True)[0]


def list_returns(
    sessions: SessionFactory, *, status: str, cursor: str | None, limit: int, public_url: str
) -> Page[ApiReturn]:
    """``public_url``: where shoppers reach the site, for the label's link."""
    query = select(ReturnRequest)
    if status:
        query = query.where(col(ReturnRequest.status) == status)
    with sessions() as session:
        rows, next_cursor = page_by_id(session, query, ReturnRequest, cursor=cursor, limit=limit)
        return Page(_returns_out(session, rows, public_url=public_url), next_cursor)


def return_by_id(sessions: SessionFactory, return_id: int, *, public_url: str) -> ApiReturn | None:
    with sessions() as session:
        found = session.get(ReturnRequest, return_id)
        return _returns_out(session, [found], public_url=public_url)[0] if found else None


def _returns_out(
    session: Session, returns: Sequence[ReturnRequest], *, public_url: str
) -> list[ApiReturn]:
    ids = [r.id for r in returns if r.id is not None]
    lines: dict[int, list[ApiReturnLine]] = {i: [] for i in ids}
    rows = session.execute(
        sa.select(ReturnLine, col(OrderLine.title))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(col(ReturnLine.return_id).in_(ids))
        .order_by(col(ReturnLine.id))
    )
    for line, title in rows:
        lines[line.return_id].append(ApiReturnLine.of(line, title=title))
    orders = _numbers(session, {r.order_id for r in returns})
    labels = {
        label.return_id: label
        for label in session.exec(select(ReturnLabel).where(col(ReturnLabel.return_id).in_(ids)))
    }
    return [
        ApiReturn.of(
            r,
            order_number=orders.get(r.order_id, ("", "EUR"))[0],
            currency=orders.get(r.order_id, ("", "EUR"))[1],
            lines=lines[r.id or 0],
            label=ApiReturnLabel.of(labels[r.id], r, public_url=public_url)
            if r.id in labels
            else None,
        )
        for r in returns
    ]


def list_feedback(
    sessions: SessionFactory, *, answered: bool | None, cursor: str | None, limit: int
) -> Page[ApiFeedback]:
    query = select(Feedback)
    if answered is not None:
        answered_at = col(Feedback.answered_at)
        query = query.where(answered_at.is_not(None) if answered else answered_at.is_(None))
    with sessions() as session:
        rows, next_cursor = page_by_id(session, query, Feedback, cursor=cursor, limit=limit)
        orders = _numbers(session, {f.order_id for f in rows})
        items = [ApiFeedback.of(f, order_number=orders.get(f.order_id, ("", ""))[0]) for f in rows]
        return Page(items, next_cursor)


def _numbers(session: Session, order_ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        sa.select(col(ShopOrder.id), col(ShopOrder.order_number), col(ShopOrder.currency)).where(
            col(ShopOrder.id).in_(order_ids)
        )
    )
    return {i: (number, currency) for i, number, currency in rows}
