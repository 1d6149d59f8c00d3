"""Polling carriers: ask about due shipments, store new events once, recompute the status
with the pure rules, and queue the messages the change causes, all in one commit."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from shopcare.carriers.base import Carrier, CarrierError, TrackingQuery, TrackingResult
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Shipment, ShopOrder, TrackingEvent
from shopcare.domain.messages import messages_for_change
from shopcare.domain.polling import error_backoff, poll_interval
from shopcare.domain.status import CarrierEvent, ShipmentStatus, derive_status
from shopcare.services.outbox import enqueue

_FINAL = [s.value for s in ShipmentStatus if s.is_final]


@dataclass
class PollReport:
    polled: int = 0
    changed: int = 0
    new_events: int = 0
    errors: int = 0


async def poll_due_shipments(
    sessions: SessionFactory,
    carriers: Mapping[str, Carrier],
    *,
    now: datetime,
    limit: int = 500,
) -> PollReport:
    """One pass. Carriers are asked concurrently, so one slow carrier stalls no other."""
    with sessions() as session:
        due = session.exec(
            select(Shipment)
            .where(col(Shipment.next_poll_at) <= now, col(Shipment.status).not_in(_FINAL))
            .order_by(col(Shipment.next_poll_at))
            .limit(limit)
        ).all()
    by_carrier: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in due:
        by_carrier[shipment.carrier].append(shipment)
    report = PollReport()
    await asyncio.gather(
        *(
            _poll_carrier(sessions, carriers.get(name), name, batch, now=now, report=report)
            for name, batch in by_carrier.items()
        )
    )
    return report


async def _poll_carrier(
    sessions: SessionFactory,
    carrier: Carrier | None,
    name: str,
    batch: Sequence[Shipment],
    *,
    now: datetime,
    report: PollReport,
) -> None:
    if carrier is None:
        error = CarrierError(f"no adapter configured for carrier {name!r}", permanent=False)
        for shipment in batch:
            _record_error(sessions, shipment, error, now=now, clock_speed=1.0, report=report)
        return
    queries = [
        TrackingQuery(tracking_number=s.tracking_number, shipped_at=s.shipped_at) for s in batch
    ]
    try:
        results: Mapping[str, TrackingResult | CarrierError] = await carrier.track(queries)
    except CarrierError as exc:
        results = {s.tracking_number: exc for s in batch}
    for shipment in batch:
        outcome = results.get(
            shipment.tracking_number,
            CarrierError("the carrier did not answer for this number", permanent=False),
        )
        report.polled += 1
        if isinstance(outcome, CarrierError):
            _record_error(
                sessions, shipment, outcome, now=now, clock_speed=carrier.clock_speed, report=report
            )
        else:
            record_tracking(
                sessions,
                shipment.id,
                outcome,
                now=now,
                clock_speed=carrier.clock_speed,
                report=report,
            )


def record_tracking(
    sessions: SessionFactory,
    shipment_id: int | None,
    result: TrackingResult,
    *,
    now: datetime,
    clock_speed: float = 1.0,
    report: PollReport | None = None,
) -> ShipmentStatus:
    """Store what the carrier said. Safe to call with the same events any number of times."""
    report = report or PollReport()
    with transaction(sessions) as session:
        shipment = session.get(Shipment, shipment_id)
        assert shipment is not None
        report.new_events += _add_new_events(session, shipment, result.events, now=now)
        events = _stored_events(session, shipment)
        old = ShipmentStatus(shipment.status)
        new = derive_status(events, now=now, since=shipment.shipped_at)
        shipment.status = new
        shipment.last_event_at = max((e.occurred_at for e in events), default=None)
        if new is ShipmentStatus.DELIVERED and shipment.delivered_at is None:
            shipment.delivered_at = max(
                e.occurred_at for e in events if e.status is ShipmentStatus.DELIVERED
            )
        shipment.last_polled_at = now
        shipment.poll_failures = 0
        shipment.last_error = ""
        interval = poll_interval(new, clock_speed=clock_speed)
        shipment.next_poll_at = now + interval if interval else None
        session.add(shipment)
        if new != old:
            report.changed += 1
            order = session.get(ShopOrder, shipment.order_id)
            assert order is not None
            for kind in messages_for_change(old, new):
                enqueue(session, kind, order=order, shipment_id=shipment.id, now=now)
    return new


def _add_new_events(
    session: Session, shipment: Shipment, events: Sequence[CarrierEvent], *, now: datetime
) -> int:
    known = set(
        session.exec(
            select(TrackingEvent.event_key).where(TrackingEvent.shipment_id == shipment.id)
        ).all()
    )
    added = 0
    for event in events:
        if event.key in known:
            continue
        known.add(event.key)
        assert shipment.id is not None
        session.add(
            TrackingEvent(
                shipment_id=shipment.id,
                event_key=event.key,
                occurred_at=event.occurred_at,
                status=event.status,
                description=event.description[:500],
                location=event.location[:200],
                raw_code=event.raw_code[:64],
                provider=event.provider[:32],
                recorded_at=now,
            )
        )
        added += 1
    session.flush()
    return added


def _stored_events(session: Session, shipment: Shipment) -> list[CarrierEvent]:
    rows = session.exec(select(TrackingEvent).where(TrackingEvent.shipment_id == shipment.id)).all()
    return [
        CarrierEvent(
            occurred_at=r.occurred_at,
            status=ShipmentStatus(r.status),
            description=r.description,
            location=r.location,
            raw_code=r.raw_code,
            provider=r.provider,
        )
        for r in rows
    ]


def _record_error(
    sessions: SessionFactory,
    shipment: Shipment,
    error: CarrierError,
    *,
    now: datetime,
    clock_speed: float,
    report: PollReport,
) -> None:
    """The shipment keeps its status and history; it is asked again later."""
    report.errors += 1
    with transaction(sessions) as session:
        row = session.get(Shipment, shipment.id)
        assert row is not None
        row.poll_failures += 1
        row.last_error = str(error)[:500]
        row.last_polled_at = now
        delay = error_backoff(row.poll_failures, clock_speed=clock_speed)
        if error.retry_after:
            delay = max(delay, timedelta(seconds=error.retry_after))
        row.next_poll_at = now + delay
        session.add(row)


def events_for_shipment(session: Session, shipment_id: int) -> list[TrackingEvent]:
    return list(
        session.exec(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id == shipment_id)
            .order_by(col(TrackingEvent.occurred_at).desc(), col(TrackingEvent.id).desc())
        ).all()
    )
