"""The parcel a shopper sends back: its tracking number becomes a shipment of the order with
``return_id`` set, so the tracking engine follows it like any other; the engine logs its
changes in the return's history and sends the shopper no shipping messages about it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ReturnRequest, Shipment, ShopOrder
from shopcare.domain.carrier_choice import choose_carrier
from shopcare.domain.returns import ReturnStatus
from shopcare.domain.tracking_numbers import detect
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import ShipmentIn, add_shipment, normalise_tracking_number
from shopcare.services.returns.history import SHOPPER, log_return_event

SIMULATED = "simulated"
_CLOSED = frozenset({ReturnStatus.REJECTED, ReturnStatus.REFUNDED, "exchanged", "credited"})
MAX_PARCELS = 3


def add_return_parcel(
    sessions: SessionFactory,
    return_token: str,
    *,
    tracking_number: str,
    carriers: Sequence[str],
    now: datetime,
) -> Shipment:
    """Entering the same number twice changes nothing."""
    number = normalise_tracking_number(tracking_number)
    if not 6 <= len(number) <= 40 or not number.isalnum():
        raise InputError("Enter the tracking number as the carrier printed it.")
    with transaction(sessions) as session:
        request = session.exec(
            select(ReturnRequest).where(ReturnRequest.public_token == return_token)
        ).first()
        if request is None or request.id is None:
            raise InputError("This return could not be found.")
        if request.status in _CLOSED:
            raise InputError("This return is closed.")
        known = session.exec(select(Shipment).where(Shipment.return_id == request.id)).all()
        same = next((s for s in known if s.tracking_number == number), None)
        if same is not None:
            return same
        outgoing = session.exec(
            select(Shipment).where(
                Shipment.order_id == request.order_id, Shipment.tracking_number == number
            )
        ).first()
        if outgoing is not None:
            raise InputError("This is the number of the parcel we sent you, not yours.")
        if len(known) >= MAX_PARCELS:
            raise InputError("This return has enough tracking numbers.")
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        shipment = add_shipment(session, order, carrier_for(number, carriers), now=now)
        shipment.return_id = request.id
        session.add(shipment)
        log_return_event(
            session, request.id, actor=SHOPPER, action="tracking_added", now=now, detail=number
        )
        return shipment


def carrier_for(number: str, carriers: Sequence[str]) -> ShipmentIn:
    """As for the shop's own parcels (``choose_carrier``). A number no account can follow is
    kept under the carrier its shape names, so it is followed once the owner adds that
    account; the demo's simulated numbers go to the simulated carrier."""
    choice = choose_carrier(number, configured=carriers)
    if choice is not None:
        return ShipmentIn(choice.adapter, number, carrier_code=choice.carrier_code, pinned=False)
    candidates = detect(number)
    if candidates:
        return ShipmentIn(candidates[0].carrier.value, number, pinned=False)
    if number.startswith("SIM") and SIMULATED in carriers:
        return ShipmentIn(SIMULATED, number, pinned=False)
    return ShipmentIn("unknown", number, pinned=False)
