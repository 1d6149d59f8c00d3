"""Orders through the REST API: create, change, cancel, add a parcel. All of it goes through
the one writer, live (a new recent order is confirmed, its parcels message as they move),
with source "api".

A create may carry an ``Idempotency-Key``: the answer given the first time is stored with the
order in the same transaction, so a script that retries after a timeout gets that same answer
and never a second order. The same key with another body is refused: it is a bug in the
caller, and guessing which body was meant would hide it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ApiIdempotency, Customer, OrderLine, Shipment, ShopOrder
from shopcare.domain.intake import (
    LineIn,
    Mode,
    OrderIn,
    ShipmentIn,
    email_problem,
    normalise_tracking_number,
)
from shopcare.services.errors import InputError
from shopcare.services.intake.writer import (
    Outcome,
    ParcelIn,
    Written,
    add_parcels,
    cancel_order,
    write_orders,
)


class IdempotencyMismatch(InputError):
    """The key was used before with another request body."""


class NumberTaken(InputError):
    """The order number is another order's (another ``external_id``)."""


class NotFound(LookupError):
    """No such order."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as it was (or will be) given: the status and the JSON body."""

    status_code: int
    body: str


@dataclass(frozen=True)
class Idempotency:
    api_key_id: int
    key: str
    request_hash: str


RACE_ATTEMPTS = 3
T = TypeVar("T")

Render = Callable[[Session, Written], Answer]
"""Turns what the writer did into the answer, inside the writer's transaction (so the stored
answer and the order are one unit)."""


def create_order(
    sessions: SessionFactory,
    order_in: OrderIn,
    *,
    render: Render,
    idempotency: Idempotency | None,
    now: datetime,
    carriers: Sequence[str],
) -> Answer:
    """Raises InputError (nothing written) when the writer refuses the order, and
    IdempotencyMismatch for a key reused with another body.

    Two requests for one new order at the same moment (a retry that overtook the first, a
    script in parallel) both find nothing and both insert; the store's unique keys refuse the
    later one, which then runs again and finds the order (or the stored answer) the first
    one made."""
    return _racing(
        lambda: _create(
            sessions,
            order_in,
            render=render,
            idempotency=idempotency,
            now=now,
            carriers=carriers,
        )
    )


def _racing(unit: Callable[[], T]) -> T:
    """Runs a unit of work again when a simultaneous one made the same row first."""
    for _ in range(RACE_ATTEMPTS - 1):
        try:
            return unit()
        except sa.exc.IntegrityError:
            continue
    return unit()


def _create(
    sessions: SessionFactory,
    order_in: OrderIn,
    *,
    render: Render,
    idempotency: Idempotency | None,
    now: datetime,
    carriers: Sequence[str],
) -> Answer:
    with transaction(sessions) as session:
        if idempotency and (answer := _replay(session, idempotency)):
            return answer
        (written,) = write_orders(session, [order_in], now=now, carriers=carriers, mode=Mode.LIVE)
        if written.outcome is Outcome.REJECTED:
            taken = written.order_id is None and any(
                p.endswith("belongs to another order") for p in written.problems
            )
            raise (NumberTaken if taken else InputError)("; ".join(written.problems))
        answer = render(session, written)
        if idempotency:
            session.add(
                ApiIdempotency(
                    api_key_id=idempotency.api_key_id,
                    key=idempotency.key,
                    request_hash=idempotency.request_hash,
                    status_code=answer.status_code,
                    response=answer.body,
                    created_at=now,
                )
            )
            session.flush()
        return answer


def _replay(session: Session, idempotency: Idempotency) -> Answer | None:
    stored = session.exec(
        select(ApiIdempotency).where(
            ApiIdempotency.api_key_id == idempotency.api_key_id,
            ApiIdempotency.key == idempotency.key,
        )
    ).first()
    if stored is None:
        return None
    if stored.request_hash != idempotency.request_hash:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used with another request body; use a new key for a new order"
        )
    return Answer(stored.status_code, stored.response)


def update_order(
    sessions: SessionFactory,
    order_id: int,
    changes: Mapping[str, Any],
    *,
    now: datetime,
    carriers: Sequence[str],
) -> Written:
    """``changes`` are ``OrderIn`` fields; what is left out (or blank) stays as stored, and
    lines given are matched to the stored ones (by id, else SKU, title and variant) and
    added when new, never removed. A new email must be one a message can reach: keeping the
    old address while saying "updated" would hide the mistake."""
    email = str(changes.get("email", "")).strip()
    if email and (problem := email_problem(email)):
        raise InputError(problem)
    return _racing(lambda: _update(sessions, order_id, changes, now=now, carriers=carriers))


def _update(
    sessions: SessionFactory,
    order_id: int,
    changes: Mapping[str, Any],
    *,
    now: datetime,
    carriers: Sequence[str],
) -> Written:
    with transaction(sessions) as session:
        base = stored_order_in(session, order_id)
        if base is None:
            raise NotFound(order_id)
        order_in = replace(base, **changes)
        (written,) = write_orders(session, [order_in], now=now, carriers=carriers, mode=Mode.LIVE)
        if written.outcome is Outcome.REJECTED:
            raise InputError("; ".join(written.problems))
        return written


def stored_order_in(session: Session, order_id: int) -> OrderIn | None:
    """The stored order as an ``OrderIn`` the writer will find unchanged."""
    order = session.get(ShopOrder, order_id)
    if order is None:
        return None
    customer = session.get(Customer, order.customer_id)
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.id))
    ).all()
    return OrderIn(
        order_number=order.order_number,
        email=order.email,
        placed_at=order.placed_at,
        lines=tuple(
            LineIn(
                title=li.title,
                quantity=li.quantity,
                unit_price_minor=li.unit_price_minor,
                sku=li.sku,
                variant=li.variant,
                external_id=li.external_id,
            )
            for li in lines
        ),
        customer_name=customer.name if customer else "",
        currency=order.currency,
        ship_name=order.ship_name,
        locale=customer.locale if customer else "en",
        source=order.source,
        external_id=order.external_id,
    )


def cancel(sessions: SessionFactory, order_id: int, *, now: datetime) -> bool:
    """False when it was cancelled already; the order stays cancelled either way."""
    with transaction(sessions) as session:
        if session.get(ShopOrder, order_id) is None:
            raise NotFound(order_id)
        return cancel_order(session, order_id, now=now)


def add_shipment(
    sessions: SessionFactory,
    order_id: int,
    shipment_in: ShipmentIn,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> tuple[int, bool]:
    """(the parcel's id, whether it is new): a parcel the order already has is not added
    twice."""
    return _racing(lambda: _add(sessions, order_id, shipment_in, now=now, carriers=carriers))


def _add(
    sessions: SessionFactory,
    order_id: int,
    shipment_in: ShipmentIn,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> tuple[int, bool]:
    with transaction(sessions) as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            raise NotFound(order_id)
        number = normalise_tracking_number(shipment_in.tracking_number)[:64]
        existing = _parcel_id(session, order_id, number)
        parcel = ParcelIn(
            order_number=order.order_number,
            shipment=shipment_in,
            external_order_id=order.external_id,
            source=order.source,
        )
        (written,) = add_parcels(session, [parcel], now=now, carriers=carriers)
        if written.outcome is Outcome.REJECTED:
            raise InputError("; ".join(written.problems))
        shipment_id = existing or _parcel_id(session, order_id, number)
        if shipment_id is None:  # the writer said it is there; not finding it is our bug
            raise RuntimeError(f"parcel {number} of order {order_id} not found after adding")
        # UNCHANGED: a simultaneous request added it after we looked
        return shipment_id, existing is None and written.outcome is not Outcome.UNCHANGED


def _parcel_id(session: Session, order_id: int, number: str) -> int | None:
    return session.exec(
        select(Shipment.id).where(
            Shipment.order_id == order_id,
            Shipment.tracking_number == number,
            col(Shipment.return_id).is_(None),
        )
    ).first()
