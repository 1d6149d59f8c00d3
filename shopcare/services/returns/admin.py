"""Read models for the owner's returns pages: the queue with its filters and counts, and one
return with everything needed to decide (lines, photos, the parcel coming back, history).
Times are already in the shop's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    Customer,
    OrderLine,
    ProductVariant,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Shipment,
    ShopOrder,
    StoreCredit,
)
from shopcare.domain.money import format_money
from shopcare.domain.paging import page_within
from shopcare.domain.returns import ReturnStatus, next_statuses
from shopcare.services.returns.history import return_history
from shopcare.services.returns.photos import PHOTO_DIR
from shopcare.services.shop.profile import load_profile
from shopcare.services.tracking.recording import events_for_shipment

QUEUE_LIMIT = 500


@dataclass(frozen=True)
class ReturnFilter:
    status: str = ""
    resolution: str = ""
    reason: str = ""
    since: date | None = None
    until: date | None = None
    """Both days included, in the shop's time zone."""
    text: str = ""
    """Part of the RMA, the order number or the shopper's email."""
    page: int = 1
    per_page: int = 50
    """At most ``QUEUE_LIMIT``: one page of the table, read from the server."""


@dataclass(frozen=True)
class ReturnRow:
    id: int
    rma: str
    order_number: str
    email: str
    status: str
    resolution: str
    reason: str
    created_at: datetime
    items: int


@dataclass(frozen=True)
class ReturnQueue:
    rows: list[ReturnRow]
    counts: dict[str, int]
    """Per status, under every filter but the status one; 0 for statuses with none."""
    reasons: list[str]
    """Every reason used so far, for the filter."""
    total: int = 0
    """Rows under every filter: the pager's size."""
    page: int = 1
    """The page shown (the last one when the wanted page is past the end)."""


@dataclass(frozen=True)
class LineDetail:
    id: int
    title: str
    sku: str
    variant: str
    quantity: int
    unit_price: str
    reason: str
    comment: str
    exchange_sku: str
    exchange_label: str
    """The wanted variant's words, or "unknown variant" when the shop no longer has it."""
    exchange_available: bool
    received_quantity: int | None
    condition: str


@dataclass(frozen=True)
class ParcelEvent:
    at: datetime
    status: str
    description: str
    location: str


@dataclass(frozen=True)
class ReturnParcel:
    carrier: str
    tracking_number: str
    status: str
    events: list[ParcelEvent]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class ReturnDetail:
    id: int
    rma: str
    token: str
    status: str
    resolution: str
    reason: str
    comment: str
    created_at: datetime
    owner_note: str
    currency: str
    fee: str
    order_id: int
    order_number: str
    customer_name: str
    email: str
    address: str
    lines: list[LineDetail]
    photo_ids: list[int]
    parcels: list[ReturnParcel]
    history: list[HistoryEntry]
    next_steps: list[ReturnStatus]
    refund: str = ""
    credit_code: str = ""
    credit_amount: str = ""
    exchange_order_id: int | None = None
    exchange_order_number: str = ""
    shipping_paid_by: str = "shopper"
    auto_approved: bool = False
    bonus: str = ""
    """The bonus the shopper was promised for credit or an exchange (returns.offers)."""


def return_queue(sessions: SessionFactory, wanted: ReturnFilter) -> ReturnQueue:
    """Newest first, one page of rows (never all: a busy shop has thousands of returns)."""
    with sessions() as session:
        zone = load_profile(session).zone
        base = _filtered(select(ReturnRequest.id), wanted, zone=zone)
        counted = session.exec(
            select(ReturnRequest.status, func.count())
            .where(col(ReturnRequest.id).in_(base))
            .group_by(col(ReturnRequest.status))
        ).all()
        counts = {status.value: 0 for status in ReturnStatus} | dict(counted)
        if wanted.status:
            base = base.where(ReturnRequest.status == wanted.status)
        total = counts.get(wanted.status, 0) if wanted.status else sum(counts.values())
        per_page = min(max(1, wanted.per_page), QUEUE_LIMIT)
        page = page_within(wanted.page, total, per_page)
        rows = session.exec(
            select(ReturnRequest, ShopOrder)
            .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
            .where(col(ReturnRequest.id).in_(base))
            .order_by(col(ReturnRequest.created_at).desc(), col(ReturnRequest.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        items = _item_counts(session, [r.id for r, _ in rows if r.id])
        reasons = {
            *session.exec(select(ReturnRequest.reason).distinct()),
            *session.exec(select(ReturnLine.reason).distinct()),
        }
        return ReturnQueue(
            rows=[
                ReturnRow(
                    id=r.id or 0,
                    rma=r.rma,
                    order_number=o.order_number,
                    email=o.email,
                    status=r.status,
                    resolution=r.resolution,
                    reason=r.reason,
                    created_at=r.created_at.astimezone(zone),
                    items=items.get(r.id or 0, 0),
                )
                for r, o in rows
            ],
            counts=counts,
            reasons=sorted(reason for reason in reasons if reason),
            total=total,
            page=page,
        )


def _filtered(query: Any, wanted: ReturnFilter, *, zone: ZoneInfo) -> Any:
    query = query.join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
    if wanted.resolution:
        query = query.where(ReturnRequest.resolution == wanted.resolution)
    if wanted.reason:  # any line's: the return's own is only its first line's
        on_a_line = select(ReturnLine.return_id).where(ReturnLine.reason == wanted.reason)
        query = query.where(
            or_(ReturnRequest.reason == wanted.reason, col(ReturnRequest.id).in_(on_a_line))
        )
    if wanted.since:
        query = query.where(ReturnRequest.created_at >= _start_of(wanted.since, zone))
    if wanted.until:
        query = query.where(
            ReturnRequest.created_at < _start_of(wanted.until + timedelta(days=1), zone)
        )
    text = wanted.text.strip().lower()
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(
                func.lower(ReturnRequest.rma).like(like),
                func.lower(ShopOrder.order_number).like(like),
                func.lower(ShopOrder.email).like(like),
            )
        )
    return query


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """In UTC, as stored: SQLite compares the text, not the moment."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _item_counts(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(ReturnLine.return_id, func.sum(ReturnLine.quantity))
        .where(col(ReturnLine.return_id).in_(ids))
        .group_by(col(ReturnLine.return_id))
    ).all()
    return {return_id: int(total or 0) for return_id, total in rows}


def return_detail(sessions: SessionFactory, return_id: int) -> ReturnDetail | None:
    with sessions() as session:
        request = session.get(ReturnRequest, return_id)
        if request is None:
            return None
        zone = load_profile(session).zone
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        customer = session.get(Customer, order.customer_id)
        credit = session.exec(select(StoreCredit).where(StoreCredit.return_id == return_id)).first()
        exchange = (
            session.get(ShopOrder, request.exchange_order_id) if request.exchange_order_id else None
        )
        money = order.currency
        return ReturnDetail(
            id=return_id,
            rma=request.rma,
            token=request.public_token,
            status=request.status,
            resolution=request.resolution,
            reason=request.reason,
            comment=request.comment,
            created_at=request.created_at.astimezone(zone),
            owner_note=request.owner_note,
            currency=money,
            fee=format_money(request.fee_minor, money) if request.fee_minor else "",
            bonus=format_money(request.bonus_minor, money) if request.bonus_minor else "",
            order_id=order.id or 0,
            order_number=order.order_number,
            customer_name=(customer.name if customer else "") or order.ship_name,
            email=order.email,
            address=", ".join(
                part
                for part in (
                    order.ship_name,
                    order.ship_address1,
                    f"{order.ship_postcode} {order.ship_city}".strip(),
                    order.ship_country,
                )
                if part
            ),
            lines=_line_details(session, return_id, money),
            photo_ids=[
                p.id or 0
                for p in session.exec(
                    select(ReturnPhoto)
                    .where(ReturnPhoto.return_id == return_id)
                    .order_by(col(ReturnPhoto.id))
                ).all()
            ],
            parcels=_parcels(session, return_id, zone=zone),
            history=[
                HistoryEntry(e.at.astimezone(zone), e.actor, e.action, e.detail)
                for e in return_history(session, return_id)
            ],
            next_steps=next_statuses(ReturnStatus(request.status), resolution=request.resolution),
            refund=format_money(request.refund_minor, money)
            if request.refund_minor is not None
            else "",
            credit_code=credit.code if credit else request.store_credit_code,
            credit_amount=format_money(credit.amount_minor, credit.currency) if credit else "",
            exchange_order_id=exchange.id if exchange else None,
            exchange_order_number=exchange.order_number if exchange else "",
            shipping_paid_by=request.shipping_paid_by,
            auto_approved=request.auto_approved,
        )


def _line_details(session: Session, return_id: int, currency: str) -> list[LineDetail]:
    rows = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(ReturnLine.return_id == return_id)
        .order_by(col(ReturnLine.id))
    ).all()
    details = []
    for line, ordered in rows:
        variant = (
            session.exec(
                select(ProductVariant).where(ProductVariant.sku == line.exchange_sku)
            ).first()
            if line.exchange_sku
            else None
        )
        label = ""
        if line.exchange_sku:
            words = " · ".join(w for w in (variant.title, variant.variant) if w) if variant else ""
            label = (
                f"{words or line.exchange_sku} ({line.exchange_sku})"
                if variant
                else (f"unknown variant {line.exchange_sku}")
            )
        details.append(
            LineDetail(
                id=line.id or 0,
                title=ordered.title,
                sku=ordered.sku,
                variant=ordered.variant,
                quantity=line.quantity,
                unit_price=format_money(ordered.unit_price_minor, currency),
                reason=line.reason,
                comment=line.comment,
                exchange_sku=line.exchange_sku,
                exchange_label=label,
                exchange_available=bool(variant and variant.available),
                received_quantity=line.received_quantity,
                condition=line.condition,
            )
        )
    return details


def _parcels(session: Session, return_id: int, *, zone: ZoneInfo) -> list[ReturnParcel]:
    shipments = session.exec(
        select(Shipment).where(Shipment.return_id == return_id).order_by(col(Shipment.id))
    ).all()
    return [
        ReturnParcel(
            carrier=carrier_label(s.carrier),
            tracking_number=s.tracking_number,
            status=s.status,
            events=[
                ParcelEvent(
                    e.occurred_at.astimezone(zone),
                    e.status,
                    e.description,
                    e.location,
                )
                for e in events_for_shipment(session, s.id or 0)
            ],
        )
        for s in shipments
    ]


def photo_file(
    sessions: SessionFactory, photo_id: int, *, data_dir: Path
) -> tuple[Path, str] | None:
    """The stored photo and its content type; None when unknown or gone from the disk."""
    with sessions() as session:
        photo = session.get(ReturnPhoto, photo_id)
    if photo is None:
        return None
    folder = (data_dir / PHOTO_DIR).resolve()
    path = (folder / photo.stored_name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path, photo.content_type


def count_waiting_returns(sessions: SessionFactory) -> int:
    """Returns the owner must act on: new requests to decide and parcels that came back."""
    waiting = (ReturnStatus.REQUESTED, ReturnStatus.RECEIVED)
    with sessions() as session:
        query = select(func.count()).select_from(ReturnRequest)
        return int(session.exec(query.where(col(ReturnRequest.status).in_(waiting))).one())
