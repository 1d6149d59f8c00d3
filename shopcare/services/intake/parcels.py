"""Parcels as they come in: with a new order, or later for an order already stored (a
fulfillment webhook, a tracking file, the owner's "Add parcel").

A parcel gets the adapter that can follow it: the carrier the source named when the shop
has that account, else what the number says, else an aggregator. When nothing configured
can follow it, it is kept with no adapter (``carrier == ""``) and no poll time, and
``services.waiting_parcels`` gives it one once an account exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import OrderLine, Shipment, ShipmentLine, ShopOrder
from shopcare.domain.carrier_choice import carrier_from_name, choose_from
from shopcare.domain.intake import ShipmentIn, normalise_tracking_number, parcel_is_history
from shopcare.domain.tracking_numbers import detect
from shopcare.services.intake.outcome import Outcome, Written
from shopcare.services.intake.rows import cut

_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_LINE = OrderLine.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ParcelIn:
    """A parcel for an order already stored, named by its number or the platform's id."""

    order_number: str
    shipment: ShipmentIn
    external_order_id: str = ""
    source: str = ""


def resolve_carrier(shipment_in: ShipmentIn, carriers: Sequence[str]) -> tuple[str, str, bool]:
    """(adapter, carrier code, pinned) for a parcel; adapter "" when none can follow it."""
    if shipment_in.carrier and shipment_in.carrier in carriers:
        return shipment_in.carrier, cut(shipment_in.carrier_code, 32), shipment_in.pinned
    hint = carrier_from_name(shipment_in.carrier_code) or carrier_from_name(shipment_in.carrier)
    if hint and hint in carriers:
        return hint, "", False
    number = normalise_tracking_number(shipment_in.tracking_number)
    found = detect(number, preferred=[hint] if hint else ())
    choice = choose_from(found, configured=carriers)
    if choice is None:
        return "", hint or (found[0].carrier if found else ""), False
    return choice.adapter, choice.carrier_code or hint, False


def parcel_rows(
    items: Sequence[tuple[int, datetime, bool, ShipmentIn]],
    *,
    now: datetime,
    carriers: Sequence[str],
) -> list[dict[str, Any]]:
    """Rows for new parcels: (order id, order placed at, order cancelled, parcel)."""
    values = []
    for order_id, placed_at, cancelled, s in items:
        carrier, code, pinned = resolve_carrier(s, carriers)
        values.append(
            {
                "order_id": order_id,
                "carrier": carrier,
                "carrier_code": code,
                "carrier_pinned": pinned,
                "tracking_number": normalise_tracking_number(s.tracking_number)[:64],
                "status": "pending",
                "shipped_at": s.shipped_at or now,
                "next_poll_at": now if carrier and not cancelled else None,
                "created_at": now,
                "tracking_url": cut(s.tracking_url, 500),
                "external_id": cut(s.external_id, 64),
                "silent": parcel_is_history(s, placed_at=placed_at, now=now),
            }
        )
    return values


def write_parcel_lines(
    session: Session,
    parcels: Sequence[tuple[int, int, ShipmentIn]],
    line_ids: dict[tuple[int, str], int],
) -> None:
    """What went into each parcel: (shipment id, order id, parcel) with the order's line ids
    by (order id, the platform's line id)."""
    values = [
        {"shipment_id": shipment_id, "order_line_id": line_ids[(order_id, external)], "quantity": q}
        for shipment_id, order_id, s in parcels
        for external, q in dict(s.line_ids).items()
        if (order_id, external) in line_ids and q > 0
    ]
    if values:
        session.execute(sa.insert(ShipmentLine.__table__), values)  # type: ignore[attr-defined]


def add_parcels(
    session: Session, parcels: Sequence[ParcelIn], *, now: datetime, carriers: Sequence[str]
) -> list[Written]:
    """Parcels for stored orders; one the order already has changes nothing, an unknown
    order is reported, not guessed."""
    results = []
    for parcel in parcels:
        order = _find_order(session, parcel)
        number = parcel.order_number.strip()
        if order is None:
            results.append(Written(number, None, Outcome.REJECTED, (f"no order {number}",)))
        elif not normalise_tracking_number(parcel.shipment.tracking_number):
            results.append(
                Written(number, order["id"], Outcome.REJECTED, ("tracking number is missing",))
            )
        else:
            outcome = _add_one(session, order, parcel.shipment, now=now, carriers=carriers)
            results.append(Written(order["order_number"], order["id"], outcome))
    return results


def _find_order(session: Session, parcel: ParcelIn) -> dict[str, Any] | None:
    if parcel.external_order_id:
        query = sa.select(_ORDER).where(_ORDER.c.external_id == parcel.external_order_id)
        if parcel.source:
            query = query.where(_ORDER.c.source == parcel.source)
        row = session.execute(query.limit(1)).mappings().first()
        if row is not None:
            return dict(row)
    number = parcel.order_number.strip()
    bare = number.lstrip("#").strip()
    if not bare:
        return None
    candidates = [number, bare, f"#{bare}"]
    rows = session.execute(sa.select(_ORDER).where(_ORDER.c.order_number.in_(candidates)))
    found = {row["order_number"]: dict(row) for row in rows.mappings()}
    return next((found[c] for c in candidates if c in found), None)


def _add_one(
    session: Session,
    order: dict[str, Any],
    shipment_in: ShipmentIn,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> Outcome:
    number = normalise_tracking_number(shipment_in.tracking_number)[:64]
    stored = session.execute(
        sa.select(_SHIPMENT.c.id, _SHIPMENT.c.tracking_url).where(
            _SHIPMENT.c.order_id == order["id"], _SHIPMENT.c.tracking_number == number
        )
    ).first()
    if stored is not None:
        url = cut(shipment_in.tracking_url, 500)
        if url and url != stored.tracking_url:
            session.execute(
                sa.update(_SHIPMENT).where(_SHIPMENT.c.id == stored.id).values(tracking_url=url)
            )
            return Outcome.UPDATED
        return Outcome.UNCHANGED
    cancelled = order["cancelled_at"] is not None
    (values,) = parcel_rows(
        [(order["id"], order["placed_at"], cancelled, shipment_in)], now=now, carriers=carriers
    )
    shipment_id = session.execute(sa.insert(_SHIPMENT).values(values)).inserted_primary_key[0]
    if shipment_in.line_ids:
        lines = session.execute(
            sa.select(_LINE.c.external_id, _LINE.c.id).where(
                _LINE.c.order_id == order["id"], _LINE.c.external_id != ""
            )
        )
        by_external = {(order["id"], external): line_id for external, line_id in lines}
        write_parcel_lines(session, [(shipment_id, order["id"], shipment_in)], by_external)
    return Outcome.UPDATED
