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

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Shipment, ShopOrder
from shopcare.domain.carrier_choice import AGGREGATORS, CarrierChoice, choose_carrier
from shopcare.domain.intake import normalise_tracking_number
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.tracking_numbers import Carrier, detect

WAITING = ""
"""The carrier of a parcel that no configured account can follow yet."""
NO_ACCOUNT = "no carrier account can follow this yet"
_FINAL = [s.value for s in ShipmentStatus if s.is_final]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]
_CHUNK = 500
_DETECTABLE = frozenset(c.value for c in Carrier)
"""Carriers a number can be recognised as, so a direct account with one can follow it."""


def choose_for(number: str, *, hint: str, carriers: Sequence[str]) -> CarrierChoice | None:
    """The adapter for a number, honouring the carrier its source named (``hint``, one of
    our codes: 'dhl'): a direct account with it first, else an aggregator told about it."""
    if hint and hint in carriers:
        return CarrierChoice(hint, "", hint, 1.0)
    aggregator = next((a for a in AGGREGATORS if a in carriers), None)
    if hint and aggregator and not _DETECTABLE.intersection(carriers):
        # Only an aggregator can take it, told the carrier already known: reading the number
        # again would say the same, at a fifth of a millisecond a number.
        return CarrierChoice(aggregator, hint, hint, 1.0)
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
    carrier is never touched, and one still without an account keeps waiting. Plain rows
    and one executemany: it runs at every start and after every account change."""
    aggregator = any(c in AGGREGATORS for c in carriers)
    direct = [c for c in carriers if c in _DETECTABLE]
    if not aggregator and not direct:
        return 0  # the simulated carrier alone (every start of a fresh shop): nothing to ask
    query = (
        sa.select(
            _SHIPMENT.c.id,
            _SHIPMENT.c.order_id,
            _SHIPMENT.c.tracking_number,
            _SHIPMENT.c.carrier_code,
        )
        .join(_ORDER, _ORDER.c.id == _SHIPMENT.c.order_id)
        .where(
            _SHIPMENT.c.carrier == WAITING,
            _ORDER.c.cancelled_at.is_(None),
            _SHIPMENT.c.status.not_in(_FINAL),
        )
        .order_by(_SHIPMENT.c.id)
    )
    if not aggregator:
        # Only a direct account: it takes the parcels named or detected as its carrier when
        # they came in (their carrier code), without reading every waiting number again.
        query = query.where(_SHIPMENT.c.carrier_code.in_(direct))
    with transaction(sessions) as session:
        waiting = session.execute(query).all()
        chosen = [
            (shipment_id, (order_id, choice.adapter, number), choice.carrier_code)
            for shipment_id, order_id, number, hint in waiting
            if (choice := choose_for(number, hint=hint, carriers=carriers)) is not None
        ]
        taken = _followed(session, sorted({key[0] for _, key, _ in chosen}))
        updates = []
        for shipment_id, key, code in chosen:
            if key not in taken:  # the same number twice on an order: the first is followed
                taken.add(key)
                updates.append({"b_id": shipment_id, "b_carrier": key[1], "b_code": code})
        if updates:
            statement = (
                sa.update(_SHIPMENT)
                .where(_SHIPMENT.c.id == sa.bindparam("b_id"))
                .values(
                    carrier=sa.bindparam("b_carrier"),
                    carrier_code=sa.bindparam("b_code"),
                    carrier_pinned=False,
                    next_poll_at=now,
                    last_error="",
                )
            )
            session.connection().execute(statement, updates)
    return len(updates)


def _followed(session: Session, order_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    """(order, adapter, number) of the parcels these orders already follow: the unique
    constraint forbids a second parcel with the same number and adapter on one order."""
    found: set[tuple[int, str, str]] = set()
    for i in range(0, len(order_ids), _CHUNK):
        rows = session.execute(
            sa.select(_SHIPMENT.c.order_id, _SHIPMENT.c.carrier, _SHIPMENT.c.tracking_number).where(
                _SHIPMENT.c.order_id.in_(order_ids[i : i + _CHUNK]), _SHIPMENT.c.carrier != WAITING
            )
        )
        found.update((order_id, carrier, number) for order_id, carrier, number in rows)
    return found
