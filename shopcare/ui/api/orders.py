"""``/api/v1/orders``: create (idempotent by key), list, get, change, cancel, and parcels."""

# No ``from __future__ import annotations`` here: FastAPI reads the route signatures at run
# time, and ``Depends(auth)`` names a value local to the router function.

import hashlib
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Response
from sqlmodel import Session

from shopcare.domain.intake import DiscountIn, OrderIn, Source
from shopcare.services.api import reads as api_reads
from shopcare.services.api.reads import OrderFilter, OrderStatus
from shopcare.services.errors import InputError
from shopcare.services.intake import api_orders
from shopcare.services.intake.api_orders import (
    Answer,
    Idempotency,
    IdempotencyMismatch,
    NumberTaken,
)
from shopcare.services.intake.writer import Outcome, Written
from shopcare.ui.api.auth import KeyCheck
from shopcare.ui.api.errors import COMMON, NOT_FOUND, invalid
from shopcare.ui.api.params import Cursor, Limit
from shopcare.ui.api.schemas import (
    Moment,
    Order,
    OrderCreate,
    OrderPage,
    OrderPatch,
    OrderWritten,
    Problem,
    Shipment,
    ShipmentCreate,
)

if TYPE_CHECKING:
    from shopcare.app import ShopCare

OrderRef = Annotated[
    str,
    Path(
        max_length=64,
        description="The order number, or else the order's id (a number matches an order "
        "number first).",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="The same key with the same body gets the first answer again.",
    ),
]


def orders_router(shopcare: "ShopCare", auth: KeyCheck) -> APIRouter:
    router = APIRouter(tags=["orders"], dependencies=[Depends(auth)])
    router.include_router(_reads(shopcare))
    router.include_router(_writes(shopcare, auth))
    return router


def _order_id(shopcare: "ShopCare", ref: str) -> int:
    order_id = api_reads.order_id_by_ref(shopcare.sessions, ref)
    if order_id is None:
        raise HTTPException(404, f"no order {ref}")
    return order_id


def _reads(shopcare: "ShopCare") -> APIRouter:
    router = APIRouter(responses={**COMMON})

    @router.get("/orders", response_model=OrderPage)
    def list_orders(
        status: OrderStatus | None = None,
        updated_since: Annotated[Moment | None, Query()] = None,
        email: Annotated[str, Query(max_length=320)] = "",
        order_number: Annotated[str, Query(max_length=64)] = "",
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> Any:
        """Oldest change first; keep the last ``next_cursor`` to ask for later changes."""
        filters = OrderFilter(status, updated_since, email, order_number)
        try:
            page = api_reads.list_orders(shopcare.sessions, filters, cursor=cursor, limit=limit)
        except InputError as error:
            raise invalid(("query", "cursor"), str(error)) from error
        return OrderPage.model_validate(page, from_attributes=True)

    @router.get("/orders/{order_ref}", response_model=Order, responses=NOT_FOUND)
    def get_order(order_ref: OrderRef) -> Any:
        found = api_reads.order_by_ref(shopcare.sessions, order_ref)
        if found is None:
            raise HTTPException(404, f"no order {order_ref}")
        return Order.model_validate(found)

    @router.get("/orders/{order_ref}/shipments", response_model=list[Shipment], responses=NOT_FOUND)
    def order_shipments(order_ref: OrderRef) -> Any:
        found = api_reads.order_by_ref(shopcare.sessions, order_ref)
        if found is None:
            raise HTTPException(404, f"no order {order_ref}")
        return [Shipment.model_validate(s) for s in found.shipments]

    return router


def _writes(shopcare: "ShopCare", auth: KeyCheck) -> APIRouter:
    router = APIRouter(responses={**COMMON})

    @router.post(
        "/orders",
        status_code=201,
        response_model=OrderWritten,
        responses={
            200: {"model": OrderWritten, "description": "The order was there already."},
            409: {"model": Problem, "description": "The order number is another order's."},
        },
    )
    def create_order(
        body: OrderCreate,
        api_key_id: Annotated[int, Depends(auth)],
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """Creates the order, or updates it when it exists (matched by ``external_id``, else
        by order number): 201 when created, 200 otherwise."""
        request_hash = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        idempotency = (
            Idempotency(api_key_id, idempotency_key, request_hash) if idempotency_key else None
        )
        try:
            answer = api_orders.create_order(
                shopcare.sessions,
                _order_in(body),
                render=_render,
                idempotency=idempotency,
                now=shopcare.clock(),
                carriers=shopcare.carrier_names,
            )
        except IdempotencyMismatch as error:
            raise invalid(("header", "Idempotency-Key"), str(error)) from error
        except NumberTaken as error:
            raise HTTPException(409, str(error)) from error
        except InputError as error:
            raise invalid(("body",), str(error)) from error
        return Response(answer.body, answer.status_code, media_type="application/json")

    @router.patch("/orders/{order_ref}", response_model=OrderWritten, responses=NOT_FOUND)
    def update_order(order_ref: OrderRef, body: OrderPatch) -> Any:
        order_id = _order_id(shopcare, order_ref)
        try:
            written = api_orders.update_order(
                shopcare.sessions,
                order_id,
                _changes(body),
                now=shopcare.clock(),
                carriers=shopcare.carrier_names,
            )
        except InputError as error:
            raise invalid(("body",), str(error)) from error
        except api_orders.NotFound as error:
            raise HTTPException(404, f"no order {order_ref}") from error
        return _written(shopcare, written)

    @router.post("/orders/{order_ref}/cancel", response_model=Order, responses=NOT_FOUND)
    def cancel_order(order_ref: OrderRef) -> Any:
        """Stops following its parcels and skips its queued messages; cancelling twice is
        the same as once."""
        order_id = _order_id(shopcare, order_ref)
        try:
            api_orders.cancel(shopcare.sessions, order_id, now=shopcare.clock())
        except api_orders.NotFound as error:
            raise HTTPException(404, f"no order {order_ref}") from error
        return _order(shopcare, order_id)

    @router.post(
        "/orders/{order_ref}/shipments",
        status_code=201,
        response_model=Shipment,
        responses={**NOT_FOUND, 200: {"model": Shipment, "description": "Already there."}},
    )
    def add_shipment(order_ref: OrderRef, body: ShipmentCreate, response: Response) -> Any:
        order_id = _order_id(shopcare, order_ref)
        try:
            shipment_id, new = api_orders.add_shipment(
                shopcare.sessions,
                order_id,
                body.shipment_in(),
                now=shopcare.clock(),
                carriers=shopcare.carrier_names,
            )
        except InputError as error:
            raise invalid(("body",), str(error)) from error
        except api_orders.NotFound as error:
            raise HTTPException(404, f"no order {order_ref}") from error
        response.status_code = 201 if new else 200
        found = api_reads.shipment_by_id(shopcare.sessions, shipment_id)
        return Shipment.model_validate(found)

    return router


def _order_in(body: OrderCreate) -> OrderIn:
    values: dict[str, Any] = body.model_dump(
        exclude={"lines", "shipments", "shipping_address", "discount_codes"}
    )
    values.update(body.shipping_address.fields())
    return OrderIn(
        **values,
        lines=tuple(li.line_in() for li in body.lines),
        shipments=tuple(s.shipment_in() for s in body.shipments),
        source=Source.API,
        discounts=tuple(DiscountIn(d.code, d.amount_minor) for d in body.discount_codes),
    )


def _changes(body: OrderPatch) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"lines", "shipping_address"})
    changes = {k: v for k, v in changes.items() if v is not None}
    if body.shipping_address is not None:
        changes.update(body.shipping_address.fields())
    if body.lines:
        changes["lines"] = tuple(li.line_in() for li in body.lines)
    return changes


def _render(session: Session, written: Written) -> Answer:
    assert written.order_id is not None
    order = api_reads.order_in(session, written.order_id)
    body = OrderWritten(
        outcome=written.outcome, warnings=list(written.warnings), order=Order.model_validate(order)
    )
    status = 201 if written.outcome is Outcome.CREATED else 200
    return Answer(status, body.model_dump_json())


def _written(shopcare: "ShopCare", written: Written) -> OrderWritten:
    assert written.order_id is not None
    return OrderWritten(
        outcome=written.outcome,
        warnings=list(written.warnings),
        order=_order(shopcare, written.order_id),
    )


def _order(shopcare: "ShopCare", order_id: int) -> Order:
    with shopcare.sessions() as session:
        return Order.model_validate(api_reads.order_in(session, order_id))
