"""Recording what carriers said: new events stored once, the status recomputed by the pure
rules, estimate and stall updated, and the messages the change causes queued, all in one
commit. Many shipments are written in one transaction, so a poll pass of thousands of
parcels costs a handful of commits, not thousands."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingResult
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.in_lists import padded
from shopcare.db.models import (
    Customer,
    OutboxMessage,
    ReturnEvent,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.estimates import (
    Estimate,
    TransitStats,
    estimate_delivery,
    transit_business_days,
    transit_stats,
)
from shopcare.domain.messages import MessageKind, messages_for_change
from shopcare.domain.polling import error_backoff, next_poll_at, poll_interval
from shopcare.domain.stalls import carrier_time, find_stall, stall_key
from shopcare.domain.status import CarrierEvent, ShipmentStatus, derive_status
from shopcare.services.messages.outbox import existing_keys, message_rows, whatsapp_recipient
from shopcare.services.messages.rules import MessageRules, load_rules
from shopcare.services.messages.watches import watch_update_rows
from shopcare.services.returns.history import SYSTEM
from shopcare.services.shop.profile import ShopProfile, load_profile
from shopcare.services.tracking.settings import TrackingSettings, load_tracking_settings

Outcome = TrackingResult | CarrierError
RECONCILE_EVERY = timedelta(hours=24)
"""Providers that push are still asked once a day, to catch lost pushes."""


@dataclass
class PollReport:
    polled: int = 0
    changed: int = 0
    new_events: int = 0
    errors: int = 0
    deferred: int = 0
    providers_paused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecordOptions:
    clock_speed: float = 1.0
    pushes: bool = False
    """The provider pushes news, so polling is only a daily reconciliation."""


def record_results(
    sessions: SessionFactory,
    outcomes: Mapping[int, Outcome],
    *,
    now: datetime,
    options: RecordOptions = RecordOptions(),
    report: PollReport | None = None,
) -> None:
    """Store outcomes keyed by shipment id. Idempotent: the same events twice add nothing."""
    report = report if report is not None else PollReport()
    with transaction(sessions) as session:
        ctx = _Context.load(session, list(outcomes), now=now, options=options)
        for shipment in ctx.shipments:
            assert shipment.id is not None
            outcome = outcomes[shipment.id]
            if isinstance(outcome, CarrierError) and outcome.kind is not ErrorKind.NOT_FOUND:
                _record_error(shipment, outcome, ctx)
                report.errors += 1
            else:
                result = outcome if isinstance(outcome, TrackingResult) else TrackingResult()
                note = str(outcome) if isinstance(outcome, CarrierError) else ""
                _record_result(shipment, result, ctx, report=report, note=note)
        # The whole batch goes out as three executemany statements.
        if ctx.shipments:
            session.execute(sa.update(Shipment), [_changes(s) for s in ctx.shipments])
        if ctx.new_events:
            session.execute(sa.insert(TrackingEvent), ctx.new_events)
        if ctx.new_messages:
            session.execute(sa.insert(OutboxMessage), ctx.new_messages)
        if ctx.return_events:
            session.execute(sa.insert(ReturnEvent), ctx.return_events)


_CHANGED = (
    "status", "last_event_at", "delivered_at", "carrier_estimate", "estimated_delivery",
    "first_estimate", "estimate_source", "last_polled_at", "poll_failures", "last_error",
    "next_poll_at", "delayed", "stall_key", "stall_reason",
)  # fmt: skip


def _changes(shipment: Shipment) -> dict[str, Any]:
    return {"id": shipment.id, **{name: getattr(shipment, name) for name in _CHANGED}}


def record_tracking(
    sessions: SessionFactory,
    shipment_id: int | None,
    result: TrackingResult,
    *,
    now: datetime,
    clock_speed: float = 1.0,
) -> ShipmentStatus:
    """One shipment (pushes, tests); returns its new status."""
    assert shipment_id is not None
    record_results(sessions, {shipment_id: result}, now=now, options=RecordOptions(clock_speed))
    with sessions() as session:
        shipment = session.get(Shipment, shipment_id)
        assert shipment is not None
        return ShipmentStatus(shipment.status)


@dataclass
class _Context:
    now: datetime
    options: RecordOptions
    settings: TrackingSettings
    zone: ZoneInfo
    shipments: list[Shipment]
    events: dict[int, list[CarrierEvent]]
    event_keys: dict[int, set[str]]
    history: dict[str, TransitStats | None]
    orders: dict[int, ShopOrder]
    outbox_keys: set[str]
    rules: MessageRules
    phones: dict[int, str]
    quiet: set[int] = field(default_factory=set)
    whatsapp: dict[int, Customer] = field(default_factory=dict)
    """The shoppers who agreed to WhatsApp messages, by id."""
    profile: ShopProfile = field(default_factory=ShopProfile)
    """Shipments whose news is not the shopper's: parcels imported as history (``silent``)
    and parcels of cancelled orders. They are followed and shown, never messaged about."""
    new_events: list[dict[str, Any]] = field(default_factory=list)
    new_messages: list[dict[str, Any]] = field(default_factory=list)
    return_events: list[dict[str, Any]] = field(default_factory=list)
    """History rows for returns whose parcel (a shipment with ``return_id``) changed."""

    def queue(
        self, kind: MessageKind, *, order: ShopOrder, shipment_id: int | None, occurrence: str = ""
    ) -> None:
        if shipment_id in self.quiet:
            return
        rows = message_rows(
            kind,
            order=order,
            phone=self.phones.get(order.customer_id, ""),
            whatsapp=whatsapp_recipient(
                self.whatsapp.get(order.customer_id), kind, self.rules, self.profile
            ),
            rules=self.rules,
            now=self.now,
            shipment_id=shipment_id,
            occurrence=occurrence,
        )
        for row in rows:
            if row["idempotency_key"] not in self.outbox_keys:
                self.outbox_keys.add(row["idempotency_key"])
                self.new_messages.append(row)

    @classmethod
    def load(
        cls, session: Session, ids: Sequence[int], *, now: datetime, options: RecordOptions
    ) -> _Context:
        # Plain rows, not ORM objects: setting a dozen fields on thousands of SQLModel
        # instances costs more than storing them.
        table = Shipment.__table__  # type: ignore[attr-defined]
        shipments = [
            cast(Shipment, SimpleNamespace(**row))
            for row in session.execute(
                sa.select(table).where(table.c.id.in_(padded(ids)))
            ).mappings()
        ]
        events: dict[int, list[CarrierEvent]] = defaultdict(list)
        event_keys: dict[int, set[str]] = defaultdict(set)
        for row in session.exec(
            select(TrackingEvent).where(col(TrackingEvent.shipment_id).in_(padded(ids)))
        ).all():
            events[row.shipment_id].append(_domain_event(row))
            event_keys[row.shipment_id].add(row.event_key)
        settings = load_tracking_settings(session)
        carriers = {s.carrier for s in shipments}
        profile = load_profile(session)
        zone = profile.zone
        history = {c: carrier_history(session, c, zone=zone, settings=settings) for c in carriers}
        order_ids = list({s.order_id for s in shipments})
        orders = {
            o.id: o
            for o in session.exec(select(ShopOrder).where(col(ShopOrder.id).in_(padded(order_ids))))
            if o.id is not None
        }
        keys = existing_keys(session, order_ids)
        customers = session.exec(
            select(Customer).where(
                col(Customer.id).in_(padded({o.customer_id for o in orders.values()}))
            )
        ).all()
        phones = {c.id: c.phone for c in customers if c.id is not None and c.phone}
        whatsapp = {
            c.id: c for c in customers if c.id is not None and c.whatsapp_consent_at is not None
        }
        quiet = {
            s.id
            for s in shipments
            if s.id is not None and (s.silent or orders[s.order_id].cancelled_at is not None)
        }
        return cls(
            now, options, settings, zone, shipments, events, event_keys, history, orders, keys,
            load_rules(session), phones, quiet, whatsapp=whatsapp, profile=profile,
        )  # fmt: skip


def _record_result(
    shipment: Shipment,
    result: TrackingResult,
    ctx: _Context,
    *,
    report: PollReport,
    note: str,
) -> None:
    assert shipment.id is not None
    events = ctx.events[shipment.id]
    known = ctx.event_keys[shipment.id]
    for event in result.events:
        if event.key not in known:
            known.add(event.key)
            ctx.new_events.append(_event_row(shipment.id, event, now=ctx.now))
            events.append(event)
            report.new_events += 1
    report.polled += 1
    old = ShipmentStatus(shipment.status)
    new = derive_status(
        events,
        now=ctx.now,
        since=shipment.shipped_at,
        expire_after=timedelta(days=ctx.settings.expire_days),
    )
    shipment.status = new
    shipment.last_event_at = max((e.occurred_at for e in events), default=None)
    if new is ShipmentStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = max(e.occurred_at for e in events if e.status is new)
    if result.estimated_delivery is not None:
        shipment.carrier_estimate = result.estimated_delivery
    estimate = _update_estimate(shipment, ctx)
    shipment.last_polled_at = ctx.now
    shipment.poll_failures = 0
    shipment.last_error = (note or result.note)[:500]  # a note is not a failure: no backoff
    shipment.next_poll_at = _next_poll(shipment, estimate, ctx)
    order = ctx.orders[shipment.order_id]
    if shipment.return_id is not None:
        # The parcel a shopper sends back: the owner follows it in the return's history;
        # the shopper's shipping messages are about parcels coming to them, not this one.
        if new != old:
            report.changed += 1
            ctx.return_events.append(
                {"return_id": shipment.return_id, "at": ctx.now, "actor": SYSTEM,
                 "action": "parcel_" + new.value, "detail": shipment.tracking_number}
            )  # fmt: skip
        return
    if new != old:
        report.changed += 1
        for kind in messages_for_change(old, new, shipped_on=ctx.rules.shipped_trigger):
            ctx.queue(kind, order=order, shipment_id=shipment.id)
    if new != old:  # and to whoever watches this parcel by its number
        ctx.new_messages += watch_update_rows(
            order, shipment.id, status=new, rules=ctx.rules, now=ctx.now, known=ctx.outbox_keys
        )
    _update_stall(shipment, order, ctx)


def _stall_times(shipment: Shipment, *, now: datetime, speed: float) -> dict[str, Any]:
    """The moments the stall rules compare. A carrier on a fast clock (the demo) is judged in
    its own time, against its own promise: our estimate is a whole day in real time, which a
    parcel that travels a day a minute never passes."""
    if speed == 1:
        return {
            "last_event_at": shipment.last_event_at,
            "estimated_delivery": shipment.estimated_delivery,
            "now": now,
        }
    seen = partial(carrier_time, origin=shipment.shipped_at, speed=speed)
    last, promised = shipment.last_event_at, shipment.carrier_estimate
    return {
        "last_event_at": seen(last) if last else None,
        "estimated_delivery": seen(promised) if promised else None,
        "now": seen(now),
    }


def _update_estimate(shipment: Shipment, ctx: _Context) -> Estimate:
    s = ctx.settings
    estimate = estimate_delivery(
        shipped_at=shipment.shipped_at,
        carrier_estimate=shipment.carrier_estimate,
        history=ctx.history.get(shipment.carrier),
        rule_days=(s.processing_days + s.transit_days_min, s.processing_days + s.transit_days_max),
        zone=ctx.zone,
        holidays=s.holiday_dates,
    )
    shipment.estimated_delivery = estimate.end_of_latest(ctx.zone)
    shipment.estimate_source = estimate.source
    if shipment.first_estimate is None:  # the promise "on time" is judged against
        shipment.first_estimate = shipment.estimated_delivery
    return estimate


def _update_stall(shipment: Shipment, order: ShopOrder, ctx: _Context) -> None:
    """Raise the delayed flag, and tell the shopper, once per episode; the flag clears itself
    when no stall rule holds any more (the parcel moved, or arrived)."""
    stall = find_stall(
        status=ShipmentStatus(shipment.status),
        **_stall_times(shipment, now=ctx.now, speed=ctx.options.clock_speed),
        zone=ctx.zone,
        rules=ctx.settings.stall_rules,
    )
    if stall is None:
        shipment.delayed, shipment.stall_key, shipment.stall_reason = False, "", ""
        return
    if not shipment.delayed:
        shipment.delayed, shipment.stall_key = True, stall_key(stall)
        ctx.queue(
            MessageKind.DELAYED, order=order, shipment_id=shipment.id, occurrence=shipment.stall_key
        )
    shipment.stall_reason = stall.reason


def _next_poll(shipment: Shipment, estimate: Estimate, ctx: _Context) -> datetime | None:
    """The cadence of ``domain.polling`` in the shop's time zone: most parcels are delivered
    in the shop's own country."""
    status = ShipmentStatus(shipment.status)
    jitter = random.uniform(-1, 1)  # noqa: S311  (spreading load, not security)
    speed = ctx.options.clock_speed
    if ctx.options.pushes:
        interval = poll_interval(
            status, clock_speed=speed, cadence_hours=ctx.settings.cadence, jitter=jitter
        )
        return None if interval is None else ctx.now + max(interval, RECONCILE_EVERY / speed)
    return next_poll_at(
        status,
        now=ctx.now,
        zone=ctx.zone,
        estimate=estimate,
        last_event_at=shipment.last_event_at,
        cadence_hours=ctx.settings.cadence,
        jitter=jitter,
        clock_speed=speed,
    )


def _record_error(shipment: Shipment, error: CarrierError, ctx: _Context) -> None:
    """The shipment keeps its status and history; it is asked again later."""
    shipment.poll_failures += 1
    shipment.last_error = str(error)[:500]
    shipment.last_polled_at = ctx.now
    delay = error_backoff(shipment.poll_failures, clock_speed=ctx.options.clock_speed)
    if error.retry_after:
        delay = max(delay, timedelta(seconds=error.retry_after))
    shipment.next_poll_at = ctx.now + delay


def carrier_history(
    session: Session, carrier: str, *, zone: ZoneInfo, settings: TrackingSettings, sample: int = 200
) -> TransitStats | None:
    """The shop's own delivered parcels with this carrier: business days from hand-over."""
    rows = session.exec(
        select(Shipment.shipped_at, Shipment.delivered_at)
        .where(Shipment.carrier == carrier, col(Shipment.delivered_at).is_not(None))
        .order_by(col(Shipment.delivered_at).desc())
        .limit(sample)
    ).all()
    days = [
        transit_business_days(
            shipped.astimezone(zone).date(),
            delivered.astimezone(zone).date(),
            holidays=settings.holiday_dates,
        )
        for shipped, delivered in rows
        if delivered is not None
    ]
    return transit_stats(days)


def _event_row(shipment_id: int, event: CarrierEvent, *, now: datetime) -> dict[str, Any]:
    """Plain values for a bulk insert: building ORM objects costs more than storing them."""
    return {
        "shipment_id": shipment_id,
        "event_key": event.key,
        "occurred_at": event.occurred_at,
        "status": event.status.value,
        "description": event.description[:500],
        "location": event.location[:200],
        "raw_code": event.raw_code[:64],
        "provider": event.provider[:32],
        "recorded_at": now,
    }


def _domain_event(row: TrackingEvent) -> CarrierEvent:
    return CarrierEvent(
        occurred_at=row.occurred_at,
        status=ShipmentStatus(row.status),
        description=row.description,
        location=row.location,
        raw_code=row.raw_code,
        provider=row.provider,
    )


def events_for_shipment(session: Session, shipment_id: int) -> list[TrackingEvent]:
    return list(
        session.exec(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id == shipment_id)
            .order_by(col(TrackingEvent.occurred_at).desc(), col(TrackingEvent.id).desc())
        ).all()
    )
