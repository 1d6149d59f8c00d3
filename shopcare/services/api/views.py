"""The REST API's read models: plain values built from rows, times in UTC with their zone.

The API's Pydantic schemas (``ui.api.schemas``) read these by attribute; keeping them here
keeps the services free of the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
from shopcare.domain.return_labels import LabelState
from shopcare.domain.returns import ReturnStatus
from shopcare.domain.utc import as_utc, as_utc_or_none


@dataclass(frozen=True)
class ApiLine:
    id: int
    external_id: str
    sku: str
    title: str
    variant: str
    quantity: int
    unit_price_minor: int
    product_key: str
    tags: str
    image_url: str

    @classmethod
    def of(cls, line: OrderLine) -> ApiLine:
        return cls(
            id=line.id or 0,
            external_id=line.external_id,
            sku=line.sku,
            title=line.title,
            variant=line.variant,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            product_key=line.product_key,
            tags=line.tags,
            image_url=line.image_url,
        )


@dataclass(frozen=True)
class ApiEvent:
    at: datetime
    status: str
    description: str
    location: str

    @classmethod
    def of(cls, event: TrackingEvent) -> ApiEvent:
        return cls(
            at=as_utc(event.occurred_at),
            status=event.status,
            description=event.description,
            location=event.location,
        )


@dataclass(frozen=True)
class ApiShipment:
    id: int
    order_id: int
    order_number: str
    carrier: str
    carrier_code: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None
    last_event_at: datetime | None
    estimated_delivery: datetime | None
    delayed: bool
    silent: bool
    external_id: str
    created_at: datetime
    events: list[ApiEvent]


def api_shipment(shipment: Shipment, *, order_number: str, events: list[ApiEvent]) -> ApiShipment:
    return ApiShipment(
        id=shipment.id or 0,
        order_id=shipment.order_id,
        order_number=order_number,
        carrier=shipment.carrier,
        carrier_code=shipment.carrier_code,
        tracking_number=shipment.tracking_number,
        tracking_url=shipment.tracking_url,
        status=shipment.status,
        shipped_at=as_utc(shipment.shipped_at),
        delivered_at=as_utc_or_none(shipment.delivered_at),
        last_event_at=as_utc_or_none(shipment.last_event_at),
        estimated_delivery=as_utc_or_none(shipment.estimated_delivery),
        delayed=shipment.delayed,
        silent=shipment.silent,
        external_id=shipment.external_id,
        created_at=as_utc(shipment.created_at),
        events=events,
    )


@dataclass(frozen=True)
class ApiAddress:
    name: str
    address1: str
    address2: str
    city: str
    region: str
    postcode: str
    country: str
    phone: str


@dataclass(frozen=True)
class ApiOrder:
    id: int
    order_number: str
    external_id: str
    source: str
    status: str
    email: str
    email_problem: str
    currency: str
    total_minor: int
    placed_at: datetime
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    shipping_address: ApiAddress
    lines: list[ApiLine]
    shipments: list[ApiShipment]


def api_order(
    order: ShopOrder, *, status: str, lines: list[ApiLine], shipments: list[ApiShipment]
) -> ApiOrder:
    return ApiOrder(
        id=order.id or 0,
        order_number=order.order_number,
        external_id=order.external_id,
        source=order.source,
        status=status,
        email=order.email,
        email_problem=order.email_problem,
        currency=order.currency,
        total_minor=order.total_minor,
        placed_at=as_utc(order.placed_at),
        created_at=as_utc(order.created_at),
        updated_at=as_utc(order.updated_at or order.created_at),
        cancelled_at=as_utc_or_none(order.cancelled_at),
        shipping_address=ApiAddress(
            name=order.ship_name,
            address1=order.ship_address1,
            address2=order.ship_address2,
            city=order.ship_city,
            region=order.ship_region,
            postcode=order.ship_postcode,
            country=order.ship_country,
            phone=order.ship_phone,
        ),
        lines=lines,
        shipments=shipments,
    )


@dataclass(frozen=True)
class ApiReturnLine:
    order_line_id: int
    title: str
    quantity: int
    reason: str
    received_quantity: int | None
    condition: str

    @classmethod
    def of(cls, line: ReturnLine, *, title: str) -> ApiReturnLine:
        return cls(
            order_line_id=line.order_line_id,
            title=title,
            quantity=line.quantity,
            reason=line.reason,
            received_quantity=line.received_quantity,
            condition=line.condition,
        )


@dataclass(frozen=True)
class ApiReturnLabel:
    """The prepaid return label: its purchase state and, once bought, the shopper's own
    link to the file (the return's secret token is the key, as in the return email)."""

    status: str
    provider: str
    carrier: str
    service: str
    tracking_number: str
    cost_minor: int | None
    currency: str
    error: str
    url: str | None
    media_type: str
    bought_at: datetime | None

    @classmethod
    def of(cls, label: ReturnLabel, ret: ReturnRequest, *, public_url: str) -> ApiReturnLabel:
        """``url`` only while the shopper's page serves the file: bought, and the return
        not rejected."""
        served = (
            label.state == LabelState.BOUGHT
            and bool(label.label_file)
            and ret.status != ReturnStatus.REJECTED
        )
        return cls(
            status=label.state,
            provider=label.provider,
            carrier=label.carrier,
            service=label.service,
            tracking_number=label.tracking_number,
            cost_minor=label.cost_minor,
            currency=label.currency,
            error=label.error,
            url=f"{public_url}/r/{ret.public_token}/label" if served else None,
            media_type=label.label_type if served else "",
            bought_at=as_utc_or_none(label.bought_at),
        )


@dataclass(frozen=True)
class ApiReturn:
    id: int
    rma: str
    order_id: int
    order_number: str
    status: str
    reason: str
    comment: str
    resolution: str
    currency: str
    refund_minor: int | None
    fee_minor: int
    shipping_paid_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[ApiReturnLine]
    label: ApiReturnLabel | None

    @classmethod
    def of(
        cls,
        ret: ReturnRequest,
        *,
        order_number: str,
        currency: str,
        lines: list[ApiReturnLine],
        label: ApiReturnLabel | None = None,
    ) -> ApiReturn:
        return cls(
            id=ret.id or 0,
            rma=ret.rma,
            order_id=ret.order_id,
            order_number=order_number,
            status=ret.status,
            reason=ret.reason,
            comment=ret.comment,
            resolution=ret.resolution,
            currency=currency,
            refund_minor=ret.refund_minor,
            fee_minor=ret.fee_minor,
            shipping_paid_by=ret.shipping_paid_by,
            created_at=as_utc(ret.created_at),
            updated_at=as_utc(ret.updated_at or ret.created_at),
            lines=lines,
            label=label,
        )


@dataclass(frozen=True)
class ApiFeedback:
    id: int
    order_id: int
    order_number: str
    score: int | None
    comment: str
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, feedback: Feedback, *, order_number: str) -> ApiFeedback:
        return cls(
            id=feedback.id or 0,
            order_id=feedback.order_id,
            order_number=order_number,
            score=feedback.score,
            comment=feedback.comment,
            created_at=as_utc(feedback.created_at),
            answered_at=as_utc_or_none(feedback.answered_at),
        )
