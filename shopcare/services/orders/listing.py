"""The owner's order list at any size: one page at a time from the store, found by one
search box (order number, name, email, tracking number or RMA), narrowed by filters, and the
saved views built from them.

Every condition is written so an index can answer it (``0009`` adds the ones it needs):
prefixes as ranges (``x >= 'ab' AND x < 'ab\\uffff'``) rather than ``LIKE``, which SQLite only
serves from an index in one collation; a name against ``lower(name)``, indexed as such;
filters on parcels, returns and messages as ``id IN (subquery)`` driven by their own indexes.
Measured by ``bench/admin.py`` on 100,000 orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import Customer, OutboxMessage, ReturnRequest, Shipment, ShopOrder
from shopcare.domain.intake import normalise_tracking_number
from shopcare.domain.paging import Page, page_within
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.utc import as_utc
from shopcare.services.messages.outbox import resend
from shopcare.services.shop.profile import load_profile

PAGE_SIZES = (25, 50, 100)
PROBLEM_STATUSES = (
    ShipmentStatus.EXCEPTION,
    ShipmentStatus.FAILED_ATTEMPT,
    ShipmentStatus.RETURNED_TO_SENDER,
)
"""What the owner must act on: the Exceptions view and filter take all three."""
MAX_EXPORT = 10_000
"""Rows one CSV export may hold: more is a backup's job, not a spreadsheet's."""
SORTS = {"newest": "Newest first", "oldest": "Oldest first", "number": "Order number"}
_END = "\uffff"


@dataclass(frozen=True)
class OrderQuery:
    search: str = ""
    status: str = ""
    """A parcel status any of the order's parcels has; "not_shipped" for none."""
    carrier: str = ""
    since: date | None = None
    until: date | None = None
    """Placed on these days, in the shop's time zone, both included."""
    delayed: bool = False
    exception: bool = False
    has_return: bool = False
    message_failed: bool = False
    unshipped_days: int | None = None
    """Placed at least this many days ago and no parcel yet."""
    sort: str = "newest"
    page: int = 1
    per_page: int = 25


SAVED_VIEWS: dict[str, tuple[str, OrderQuery]] = {
    "exceptions": ("Exceptions", OrderQuery(exception=True)),
    "delayed": ("Delayed", OrderQuery(delayed=True)),
    "unshipped": ("Not shipped after 2 days", OrderQuery(unshipped_days=2, sort="oldest")),
    "failed-messages": ("Message failed", OrderQuery(message_failed=True)),
}
"""Views every shop needs, one click away (and bookmarkable: ``?view=delayed``)."""


@dataclass(frozen=True)
class OrderRow:
    id: int
    order_number: str
    placed_at: datetime
    """In the shop's time zone."""
    customer: str
    email: str
    status: str
    """The order's parcels' statuses, ", " between; "not_shipped" with none."""
    tracking: str
    carriers: str
    delayed: bool
    cancelled: bool


OrderPage = Page[OrderRow]


def find_orders(sessions: SessionFactory, query: OrderQuery, *, now: datetime) -> OrderPage:
    query = _bounded(query)
    with sessions() as session:
        zone = load_profile(session).zone
        where = conditions(query, zone=zone, now=now)
        total = session.exec(select(func.count()).select_from(ShopOrder).where(*where)).one()
        page = page_within(query.page, total, query.per_page)
        ids = _page_ids(session, where, query.sort, (page - 1) * query.per_page, query.per_page)
        rows = order_rows(session, ids, zone=zone)
    return OrderPage(rows, total, page, query.per_page)


def export_rows(
    sessions: SessionFactory, query: OrderQuery, *, now: datetime, ids: Sequence[int] = ()
) -> list[OrderRow]:
    """The chosen orders, or every order the query finds, up to ``MAX_EXPORT``."""
    with sessions() as session:
        zone = load_profile(session).zone
        if ids:
            wanted = list(ids)[:MAX_EXPORT]
        else:
            where = conditions(_bounded(query), zone=zone, now=now)
            wanted = _page_ids(session, where, query.sort, 0, MAX_EXPORT)
        return order_rows(session, wanted, zone=zone)


def shipment_ids(sessions: SessionFactory, order_ids: Sequence[int]) -> list[int]:
    """The parcels of these orders that are still followed (for a bulk refresh)."""
    with sessions() as session:
        found = session.exec(
            select(Shipment.id)
            .where(col(Shipment.order_id).in_(list(order_ids)))
            .where(col(Shipment.next_poll_at).is_not(None))
        ).all()
    return [i for i in found if i is not None]


def return_ids(sessions: SessionFactory, order_ids: Sequence[int]) -> list[int]:
    """The returns of these orders (for printing their slips)."""
    with sessions() as session:
        found = session.exec(
            select(ReturnRequest.id).where(col(ReturnRequest.order_id).in_(list(order_ids)))
        ).all()
    return [i for i in found if i is not None]


def resend_failed(sessions: SessionFactory, order_ids: Sequence[int], *, now: datetime) -> int:
    """Queue again every message of these orders that could not be sent; how many."""
    with sessions() as session:
        failed = session.exec(
            select(OutboxMessage.id)
            .where(col(OutboxMessage.order_id).in_(list(order_ids)))
            .where(col(OutboxMessage.status) == "failed")
        ).all()
    for message_id in failed:
        if message_id is not None:
            resend(sessions, message_id, now=now)
    return len(failed)


def conditions(query: OrderQuery, *, zone: ZoneInfo, now: datetime) -> list[Any]:
    where: list[Any] = []
    if query.search.strip():
        where.append(_search(query.search.strip()))
    if query.status == "not_shipped":
        where.append(col(ShopOrder.id).not_in(select(Shipment.order_id)))
    elif query.status:
        where.append(_with_parcel(col(Shipment.status) == query.status))
    if query.carrier:
        where.append(_with_parcel(col(Shipment.carrier) == query.carrier))
    if query.delayed:
        where.append(_with_parcel(col(Shipment.delayed).is_(True)))
    if query.exception:
        where.append(_with_parcel(col(Shipment.status).in_(PROBLEM_STATUSES)))
    if query.has_return:
        where.append(col(ShopOrder.id).in_(select(ReturnRequest.order_id)))
    if query.message_failed:
        failed = select(OutboxMessage.order_id).where(col(OutboxMessage.status) == "failed")
        where.append(col(ShopOrder.id).in_(failed))
    if query.since:
        where.append(col(ShopOrder.placed_at) >= _start_of(query.since, zone))
    if query.until:
        where.append(col(ShopOrder.placed_at) < _start_of(query.until + timedelta(days=1), zone))
    if query.unshipped_days is not None:
        where.append(col(ShopOrder.placed_at) <= now - timedelta(days=query.unshipped_days))
        where.append(col(ShopOrder.id).not_in(select(Shipment.order_id)))
        where.append(col(ShopOrder.cancelled_at).is_(None))
    return where


def search_order_ids(text: str) -> Any:
    """A SELECT of the ids of the orders the search box finds (for the other lists)."""
    return select(ShopOrder.id).where(_search(text.strip()))


def _search(text: str) -> Any:
    """Any of the keys, each by prefix; a tracking number and an RMA whole (they are long
    and typed or pasted entire), case as carriers and RMAs write them."""
    lowered = text.lower()
    by_number = _prefix(col(ShopOrder.order_number), text.lstrip("#"))
    by_email = _prefix(col(ShopOrder.email), lowered)
    by_name = _prefix(func.lower(Customer.name), lowered)
    named = select(Customer.id).where(by_name)
    tracked = select(Shipment.order_id).where(
        col(Shipment.tracking_number) == normalise_tracking_number(text)
    )
    returned = select(ReturnRequest.order_id).where(col(ReturnRequest.rma) == text.upper())
    return sa.or_(
        by_number,
        by_email,
        col(ShopOrder.customer_id).in_(named),
        col(ShopOrder.id).in_(tracked),
        col(ShopOrder.id).in_(returned),
    )


def _prefix(column: Any, text: str) -> Any:
    return sa.and_(column >= text, column < text + _END)


def _with_parcel(condition: Any) -> Any:
    return col(ShopOrder.id).in_(select(Shipment.order_id).where(condition))


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _page_ids(session: Session, where: list[Any], sort: str, offset: int, limit: int) -> list[int]:
    order = {
        "oldest": (col(ShopOrder.placed_at).asc(), col(ShopOrder.id).asc()),
        "number": (col(ShopOrder.order_number).asc(),),
    }.get(sort, (col(ShopOrder.placed_at).desc(), col(ShopOrder.id).desc()))
    found = session.exec(
        select(ShopOrder.id).where(*where).order_by(*order).offset(offset).limit(limit)
    ).all()
    return [i for i in found if i is not None]


def order_rows(session: Session, ids: list[int], *, zone: ZoneInfo) -> list[OrderRow]:
    """The rows of these orders, in this order, in three queries whatever their number."""
    if not ids:
        return []
    orders = {
        o.id: o for o in session.exec(select(ShopOrder).where(col(ShopOrder.id).in_(ids))).all()
    }
    names = dict(
        session.exec(
            select(Customer.id, Customer.name).where(
                col(Customer.id).in_({o.customer_id for o in orders.values()})
            )
        ).all()
    )
    parcels: dict[int, list[Shipment]] = {}
    for shipment in session.exec(
        select(Shipment).where(col(Shipment.order_id).in_(ids)).order_by(col(Shipment.id))
    ):
        parcels.setdefault(shipment.order_id, []).append(shipment)
    rows = []
    for order_id in ids:
        order = orders.get(order_id)
        if order is None:
            continue
        mine = parcels.get(order_id, [])
        rows.append(
            OrderRow(
                id=order_id,
                order_number=order.order_number,
                placed_at=as_utc(order.placed_at).astimezone(zone),
                customer=names.get(order.customer_id) or order.ship_name,
                email=order.email,
                status=", ".join(dict.fromkeys(s.status for s in mine)) or "not_shipped",
                tracking=", ".join(s.tracking_number for s in mine),
                carriers=", ".join(dict.fromkeys(s.carrier for s in mine if s.carrier)),
                delayed=any(s.delayed for s in mine),
                cancelled=order.cancelled_at is not None,
            )
        )
    return rows


def _bounded(query: OrderQuery) -> OrderQuery:
    per_page = query.per_page if query.per_page in PAGE_SIZES else PAGE_SIZES[0]
    sort = query.sort if query.sort in SORTS else "newest"
    return replace(query, per_page=per_page, page=max(1, query.page), sort=sort)
