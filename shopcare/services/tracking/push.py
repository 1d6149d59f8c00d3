"""Carrier pushes: news a provider sends us instead of waiting to be asked.

A push is recorded exactly like a poll answer (idempotent by event key) and remembered by
the provider's delivery id or a hash of its body, so the same push twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.carriers.base import PushUpdate
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import InboundPush, Shipment
from shopcare.services.intake.by_hand import normalise_tracking_number
from shopcare.services.tracking.recording import RecordOptions, record_results


@dataclass(frozen=True)
class PushOutcome:
    duplicate: bool
    updated: int


def push_key(updates: list[PushUpdate], body: bytes) -> str:
    ids = sorted({u.event_id for u in updates if u.event_id})
    if ids:
        return "|".join(ids)[:128]
    return hashlib.sha256(body).hexdigest()


def ingest_push(
    sessions: SessionFactory,
    provider: str,
    updates: list[PushUpdate],
    *,
    key: str,
    now: datetime,
) -> PushOutcome:
    with sessions() as session:
        seen = session.exec(
            select(InboundPush).where(InboundPush.provider == provider, InboundPush.push_key == key)
        ).first()
        if seen is not None:
            return PushOutcome(duplicate=True, updated=0)
        numbers = {normalise_tracking_number(u.tracking_number): u for u in updates}
        shipments = session.exec(
            select(Shipment.id, Shipment.tracking_number).where(
                Shipment.carrier == provider, col(Shipment.tracking_number).in_(list(numbers))
            )
        ).all()
    outcomes = {sid: numbers[number].result for sid, number in shipments if sid is not None}
    if outcomes:
        record_results(sessions, outcomes, now=now, options=RecordOptions(pushes=True))
    try:
        with transaction(sessions) as session:
            session.add(
                InboundPush(provider=provider, push_key=key, received_at=now, updates=len(outcomes))
            )
    except sa.exc.IntegrityError:
        return PushOutcome(duplicate=True, updated=0)  # the same push, arriving twice at once
    return PushOutcome(duplicate=False, updated=len(outcomes))
