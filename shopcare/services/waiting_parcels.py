"""Parcels that no carrier account can follow yet, and the moment one can.

An order is never refused because its tracking number has no account to follow it: the
parcel is stored with carrier "" and no poll scheduled, and the order page says so. When
the owner sets up an account (or at start, after a restart with new accounts), the waiting
parcels are given the adapter that can follow them and their first poll is due at once.

``follow_hint`` words the same choice for the owner while a number is being typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Shipment, ShopOrder
from shopcare.domain.carrier_choice import AGGREGATORS, CarrierChoice, choose_carrier
from shopcare.domain.intake import normalise_tracking_number
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.tracking_numbers import detect

WAITING = ""
"""The carrier of a parcel that no configured account can follow yet."""
NO_ACCOUNT = "no carrier account can follow this yet"
_FINAL = [s.value for s in ShipmentStatus if s.is_final]


def choose_for(number: str, *, hint: str, carriers: Sequence[str]) -> CarrierChoice | None:
    """The adapter for a number, honouring the carrier its source named (``hint``, one of
    our codes: 'dhl'): a direct account with it first, else an aggregator told about it."""
    if hint and hint in carriers:
        return CarrierChoice(hint, "", hint, 1.0)
    choice = choose_carrier(number, configured=carriers, preferred=(hint,) if hint else ())
    if choice and hint and choice.adapter in AGGREGATORS and not choice.carrier_code:
        return CarrierChoice(choice.adapter, hint, hint, choice.confidence)
    return choice


def follow_hint(number: str, *, carrier: str, carriers: Sequence[str]) -> str:
    """What will follow this number, in the owner's words; "" while there is no number."""
    clean = normalise_tracking_number(number)
    if not clean:
        return ""
    if carrier:
        return f"Followed by {carrier_label(carrier)}, as you chose"
    candidates = detect(clean)
    choice = choose_carrier(clean, configured=carriers)
    seen = choice.detected if choice and choice.detected else ""
    seen = seen or (candidates[0].carrier if candidates else "")
    looks = f"Looks like {_carrier_words(seen)} — " if seen else ""
    if choice is None:
        text = f"{looks}{NO_ACCOUNT}; the parcel is saved and followed once an account exists"
        return text[0].upper() + text[1:]
    if choice.adapter == choice.detected:
        return f"{looks}followed by {carrier_label(choice.adapter)}"
    if not candidates:
        return f"Followed through {carrier_label(choice.adapter)}, which finds the carrier"
    return f"{looks}followed through {carrier_label(choice.adapter)}"


def _carrier_words(code: str) -> str:
    return "a national post's number" if code == "upu" else carrier_label(code)


def assign_waiting_parcels(sessions: SessionFactory, carriers: Sequence[str], now: datetime) -> int:
    """Give every waiting parcel of an open order the adapter that can follow it now and
    make its first poll due; returns how many were given one. Idempotent: a parcel with a
    carrier is never touched, and one still without an account keeps waiting."""
    if not carriers:
        return 0
    assigned = 0
    with transaction(sessions) as session:
        waiting = session.exec(
            select(Shipment)
            .join(ShopOrder, col(ShopOrder.id) == col(Shipment.order_id))
            .where(
                Shipment.carrier == WAITING,
                col(ShopOrder.cancelled_at).is_(None),
                col(Shipment.status).not_in(_FINAL),
            )
            .order_by(col(Shipment.id))
        ).all()
        for shipment in waiting:
            choice = choose_for(
                shipment.tracking_number, hint=shipment.carrier_code, carriers=carriers
            )
            if choice is None or _taken(session, shipment, choice.adapter):
                continue
            shipment.carrier = choice.adapter
            shipment.carrier_code = choice.carrier_code
            shipment.carrier_pinned = False
            shipment.next_poll_at = now
            shipment.last_error = ""
            session.add(shipment)
            assigned += 1
    return assigned


def _taken(session: Session, shipment: Shipment, adapter: str) -> bool:
    """The same number already followed by that adapter on the order (a duplicate the
    platform sent twice): the unique constraint forbids a second one."""
    return (
        session.exec(
            select(Shipment.id).where(
                Shipment.order_id == shipment.order_id,
                Shipment.carrier == adapter,
                Shipment.tracking_number == shipment.tracking_number,
            )
        ).first()
        is not None
    )
