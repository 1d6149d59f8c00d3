"""Every row of the store that names one shopper, found by their email address: what the
export hands over and the erasure changes. One place decides "whose row is this", so the two
can never disagree.

A row is the shopper's when it hangs off their customer or their orders (an order placed
with the address under another customer counts too), or when it carries the address itself:
a watch or a message sent to it, a note, a platform webhook, an API answer or an import's
report that quotes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from shopcare.db.models import (
    ApiIdempotency,
    Customer,
    Feedback,
    ImportRun,
    OrderLine,
    OrderNote,
    OutboxMessage,
    ProblemReport,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    ShipmentWatch,
    ShopOrder,
    StoreCredit,
    TrackingEvent,
    WebhookDelivery,
)


@dataclass(frozen=True)
class ShopperRecords:
    """The shopper's rows, table by table (the table's name is the field's)."""

    customer: Sequence[Customer] = ()
    shop_order: Sequence[ShopOrder] = ()
    order_line: Sequence[OrderLine] = ()
    shipment: Sequence[Shipment] = ()
    shipment_line: Sequence[ShipmentLine] = ()
    tracking_event: Sequence[TrackingEvent] = ()
    outbox_message: Sequence[OutboxMessage] = ()
    return_request: Sequence[ReturnRequest] = ()
    return_line: Sequence[ReturnLine] = ()
    return_event: Sequence[ReturnEvent] = ()
    return_photo: Sequence[ReturnPhoto] = ()
    store_credit: Sequence[StoreCredit] = ()
    problem_report: Sequence[ProblemReport] = ()
    feedback: Sequence[Feedback] = ()
    shipment_watch: Sequence[ShipmentWatch] = ()
    order_note: Sequence[OrderNote] = ()
    webhook_delivery: Sequence[WebhookDelivery] = ()
    api_idempotency: Sequence[ApiIdempotency] = ()
    import_run: Sequence[ImportRun] = ()

    def tables(self) -> dict[str, Sequence[SQLModel]]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def counts(self) -> dict[str, int]:
        """Rows per table, the tables without any left out."""
        return {name: len(rows) for name, rows in self.tables().items() if rows}

    @property
    def found(self) -> bool:
        return any(self.tables().values())

    def order_ids(self) -> list[int]:
        return [o.id or 0 for o in self.shop_order]


def find_records(session: Session, email: str) -> ShopperRecords:
    """``email`` as the store keeps it (``domain.privacy.shopper_email``); an empty one
    finds nothing."""
    if not email:
        return ShopperRecords()
    customers = _all(session, select(Customer).where(Customer.email == email))
    customer_ids = [c.id for c in customers]
    orders = _all(
        session,
        select(ShopOrder).where(
            sa.or_(col(ShopOrder.customer_id).in_(customer_ids), col(ShopOrder.email) == email)
        ),
    )
    order_ids = [o.id for o in orders]
    shipments = _by(session, Shipment, Shipment.order_id, order_ids)
    shipment_ids = [s.id for s in shipments]
    returns = _by(session, ReturnRequest, ReturnRequest.order_id, order_ids)
    return_ids = [r.id for r in returns]
    tokens = [o.public_token for o in orders]
    return ShopperRecords(
        customer=customers,
        shop_order=orders,
        order_line=_by(session, OrderLine, OrderLine.order_id, order_ids),
        shipment=shipments,
        shipment_line=_by(session, ShipmentLine, ShipmentLine.shipment_id, shipment_ids),
        tracking_event=_by(session, TrackingEvent, TrackingEvent.shipment_id, shipment_ids),
        outbox_message=_all(
            session,
            select(OutboxMessage).where(
                sa.or_(
                    col(OutboxMessage.order_id).in_(order_ids),
                    sa.func.lower(OutboxMessage.recipient) == email,
                )
            ),
        ),
        return_request=returns,
        return_line=_by(session, ReturnLine, ReturnLine.return_id, return_ids),
        return_event=_by(session, ReturnEvent, ReturnEvent.return_id, return_ids),
        return_photo=_by(session, ReturnPhoto, ReturnPhoto.return_id, return_ids),
        store_credit=_by(session, StoreCredit, StoreCredit.return_id, return_ids),
        problem_report=_by(session, ProblemReport, ProblemReport.order_id, order_ids),
        feedback=_by(session, Feedback, Feedback.order_id, order_ids),
        shipment_watch=_all(
            session,
            select(ShipmentWatch).where(sa.func.lower(ShipmentWatch.email) == email),
        ),
        order_note=_all(
            session,
            select(OrderNote).where(
                sa.or_(col(OrderNote.order_id).in_(order_ids), _quotes(OrderNote.text, email))
            ),
        ),
        webhook_delivery=_all(
            session,
            select(WebhookDelivery).where(
                sa.or_(
                    col(WebhookDelivery.order_number).in_([o.order_number for o in orders]),
                    _quotes(WebhookDelivery.body, email),
                )
            ),
        ),
        api_idempotency=_all(
            session,
            select(ApiIdempotency).where(
                sa.or_(
                    _quotes(ApiIdempotency.response, email),
                    *(col(ApiIdempotency.response).contains(t, autoescape=True) for t in tokens),
                )
            ),
        ),
        import_run=_all(session, select(ImportRun).where(_quotes(ImportRun.message, email))),
    )


def _quotes(column: Any, email: str) -> sa.ColumnElement[bool]:
    """The text holds the address in any case (PostgreSQL's LIKE minds case, SQLite's not)."""
    return sa.func.lower(column).contains(email, autoescape=True)


def _by(session: Session, table: type[Any], key: Any, ids: Sequence[int | None]) -> list[Any]:
    if not ids:
        return []
    return _all(session, select(table).where(col(key).in_(ids)))


def _all(session: Session, query: Any) -> list[Any]:
    primary = sa.inspect(query.column_descriptions[0]["entity"]).primary_key
    return list(session.exec(query.order_by(*primary)).all())
