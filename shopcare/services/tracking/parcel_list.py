"""The admin's parcel list: every shipment (the orders' and the ones returns send back), one
page per call, newest first by id (the primary key's order, so a deep page stays cheap),
filtered and searched in SQL like the order list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, func, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import Shipment, ShopOrder
from shopcare.domain.paging import page_within
from shopcare.domain.utc import as_utc
from shopcare.services.orders.listing import PAGE_SIZES, PROBLEM_STATUSES
from shopcare.services.shop.profile import load_profile


@dataclass(frozen=True)
class ParcelQuery:
    q: str = ""
    """A prefix of the tracking number or of the order number."""
    status: str = ""
    carrier: str = ""
    delayed: bool = False
    exception: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class ListedParcel:
    id: int
    order_id: int
    order_number: str
    carrier: str
    carrier_label: str
    tracking_number: str
    status: str
    shipped_at: datetime
    last_event_at: datetime | None
    delayed: bool
    sent_back: bool
    """A parcel a shopper sends back with a return."""


@dataclass(frozen=True)
class ParcelPage:
    rows: list[ListedParcel]
    total: int
    query: ParcelQuery


def parcel_page(sessions: SessionFactory, query: ParcelQuery) -> ParcelPage:
    per_page = query.per_page if query.per_page in PAGE_SIZES else PAGE_SIZES[0]
    where = _conditions(query)
    with sessions() as session:
        zone = load_profile(session).zone
        total = int(session.exec(select(func.count()).select_from(Shipment).where(*where)).one())
        query = replace(query, page=page_within(query.page, total, per_page), per_page=per_page)
        found = session.exec(
            select(Shipment, ShopOrder.order_number)
            .join(ShopOrder, col(ShopOrder.id) == col(Shipment.order_id))
            .where(*where)
            .order_by(col(Shipment.id).desc())
            .offset((query.page - 1) * per_page)
            .limit(per_page)
        ).all()
    return ParcelPage(rows=[_row(s, number, zone) for s, number in found], total=total, query=query)


def _conditions(query: ParcelQuery) -> list[Any]:
    where: list[Any] = []
    text = query.q.strip().lstrip("#")
    if text:
        numbers = select(ShopOrder.id).where(
            col(ShopOrder.order_number) >= text, col(ShopOrder.order_number) < text + "\uffff"
        )
        upper = text.upper()
        where.append(
            sa.or_(
                sa.and_(
                    col(Shipment.tracking_number) >= upper,
                    col(Shipment.tracking_number) < upper + "\uffff",
                ),
                col(Shipment.order_id).in_(numbers),
            )
        )
    if query.status:
        where.append(col(Shipment.status) == query.status)
    if query.carrier:
        where.append(col(Shipment.carrier) == query.carrier)
    if query.delayed:
        where.append(col(Shipment.delayed).is_(True))
    if query.exception:
        where.append(col(Shipment.status).in_(PROBLEM_STATUSES))
    return where


def _row(s: Shipment, number: str, zone: ZoneInfo) -> ListedParcel:
    return ListedParcel(
        id=s.id or 0,
        order_id=s.order_id,
        order_number=number,
        carrier=s.carrier,
        carrier_label=carrier_label(s.carrier),
        tracking_number=s.tracking_number,
        status=s.status,
        shipped_at=as_utc(s.shipped_at).astimezone(zone),
        last_event_at=as_utc(s.last_event_at).astimezone(zone) if s.last_event_at else None,
        delayed=s.delayed,
        sent_back=s.return_id is not None,
    )
