"""Owner's changes to one shipment (pin or change its carrier, retrack it), and finding one
by its tracking number."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Shipment
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError


def change_carrier(
    sessions: SessionFactory,
    shipment_id: int,
    *,
    carrier: str,
    carrier_code: str = "",
    known_carriers: list[str],
    now: datetime,
) -> None:
    """The owner knows best: the carrier is pinned and the shipment is asked again at once.
    Events already stored stay: they are the history the shopper saw."""
    if carrier not in known_carriers:
        raise InputError(f"no account for carrier {carrier!r}; set it up under Carriers first")
    with transaction(sessions) as session:
        shipment = session.get(Shipment, shipment_id)
        if shipment is None:
            raise InputError("this shipment does not exist any more")
        shipment.carrier = carrier
        shipment.carrier_code = carrier_code.strip().lower()
        shipment.carrier_pinned = True
        shipment.poll_failures = 0
        shipment.last_error = ""
        shipment.next_poll_at = now
        session.add(shipment)


def retrack(sessions: SessionFactory, shipment_id: int, *, now: datetime) -> None:
    """Start following an expired shipment again."""
    with transaction(sessions) as session:
        shipment = session.get(Shipment, shipment_id)
        if shipment is None:
            raise InputError("this shipment does not exist any more")
        if shipment.status == ShipmentStatus.EXPIRED:
            shipment.status = ShipmentStatus.PENDING
            shipment.shipped_at = now  # the "no news" clock starts again
        shipment.next_poll_at = now
        session.add(shipment)


def shipment_by_number(session: Session, number: str) -> Shipment | None:
    """The newest parcel with this (normalised) number on its way to a shopper; return
    parcels are the returns portal's business."""
    return session.exec(
        select(Shipment)
        .where(Shipment.tracking_number == number, col(Shipment.return_id).is_(None))
        .order_by(col(Shipment.id).desc())
    ).first()
