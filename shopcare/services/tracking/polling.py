"""One polling pass: ask every provider about its due shipments, within its rate, budget
and health, concurrently, and record the answers in batched transactions.

Each provider has its own token bucket (rate), semaphore (calls in flight) and breaker, so a
slow or broken provider costs only its own parcels: the others go on. Every store call runs
in a worker thread (writes behind one lock: SQLite has one writer), so the network keeps
flowing while a batch is stored, and a store locked by another process (up to the busy
timeout) holds up this pass only, never the event loop and the pages it serves.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.carriers.base import Budget, Carrier, CarrierError, ErrorKind, TrackingQuery
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.in_lists import padded
from shopcare.db.models import ProviderState, Shipment, ShopOrder
from shopcare.domain.breaker import ProviderHealth, after_failure, after_success, paused
from shopcare.domain.polling import urgency
from shopcare.domain.ratelimit import TokenBucket
from shopcare.domain.status import ShipmentStatus
from shopcare.services.tracking.providers import (
    apply_health,
    calls_left,
    count_call,
    health_of,
    load_states,
    next_budget_window,
    save_states,
)
from shopcare.services.tracking.recording import Outcome, PollReport, RecordOptions, record_results
from shopcare.services.tracking.settings import load_tracking_settings

_FINAL = [s.value for s in ShipmentStatus if s.is_final]
PAUSED_RETRY = timedelta(hours=1)
WRITE_BATCH = 500
"""Answers written per transaction."""


@dataclass(frozen=True)
class Due:
    id: int
    carrier: str
    status: ShipmentStatus
    query: TrackingQuery


@dataclass(frozen=True)
class ProviderLimits:
    rate_per_second: float = 5.0
    budget: Budget = field(default_factory=Budget)
    pushes: bool = False


class Poller:
    """Lives as long as the carriers it polls, so rate buckets span passes."""

    def __init__(
        self,
        sessions: SessionFactory,
        carriers: Mapping[str, Carrier],
        *,
        clock: Callable[[], datetime],
        limits: Mapping[str, ProviderLimits] | None = None,
        wallclock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.carriers = carriers
        self.clock = clock
        self.limits = dict(limits or {})
        self.wallclock = wallclock
        self._buckets: dict[str, TokenBucket] = {}
        self._write_lock = asyncio.Lock()
        self._pending: dict[RecordOptions, dict[int, Outcome]] = defaultdict(dict)

    async def poll(self, *, limit: int = 2000, only_ids: Sequence[int] = ()) -> PollReport:
        now = self.clock()
        concurrency, by_provider, states = await asyncio.to_thread(
            _load_pass, self.sessions, now=now, limit=limit, only_ids=only_ids
        )
        report = PollReport()
        self._concurrency = concurrency
        await asyncio.gather(
            *(
                self._poll_provider(name, items, states[name], now=now, report=report)
                for name, items in by_provider.items()
            )
        )
        await self._flush(now=now, report=report)
        async with self._write_lock:
            await asyncio.to_thread(save_states, self.sessions, list(states.values()))
        return report

    async def _poll_provider(
        self,
        name: str,
        items: list[Due],
        state: ProviderState,
        *,
        now: datetime,
        report: PollReport,
    ) -> None:
        carrier = self.carriers.get(name)
        if carrier is None:
            error = CarrierError(
                f"no adapter configured for carrier {name!r}",
                permanent=False,
                kind=ErrorKind.CONFIG,
            )
            await self._store({i.id: error for i in items}, now=now, speed=1.0, report=report)
            return
        limits = self.limits.get(name, ProviderLimits())
        if not health_of(state).available(now):
            until = state.open_until if not state.paused_reason else now + PAUSED_RETRY
            await self._defer(items, until=until or now + PAUSED_RETRY, report=report)
            if state.paused_reason:
                report.providers_paused.append(name)
            return
        items = sorted(items, key=lambda i: urgency(i.status))
        allowed = calls_left(state, limits.budget, now=now)
        if allowed is not None and allowed * carrier.batch_size < len(items):
            keep = allowed * carrier.batch_size
            await self._defer(
                items[keep:], until=next_budget_window(limits.budget, now=now), report=report
            )
            items = items[:keep]
        semaphore = asyncio.Semaphore(self._concurrency)
        batches = [
            items[i : i + carrier.batch_size] for i in range(0, len(items), carrier.batch_size)
        ]
        await asyncio.gather(
            *(
                self._run_batch(carrier, batch, state, limits, semaphore, now=now, report=report)
                for batch in batches
            )
        )

    async def _run_batch(
        self,
        carrier: Carrier,
        batch: list[Due],
        state: ProviderState,
        limits: ProviderLimits,
        semaphore: asyncio.Semaphore,
        *,
        now: datetime,
        report: PollReport,
    ) -> None:
        async with semaphore:
            if not health_of(state).available(now):  # paused while this batch waited
                await self._defer(batch, until=now + PAUSED_RETRY, report=report)
                return
            await self._throttle(carrier.name, limits.rate_per_second)
            outcomes: dict[int, Outcome]
            try:
                answers = await carrier.track([i.query for i in batch])
            except CarrierError as exc:
                count_call(state, now=now, error=str(exc))
                apply_health(state, _after_error(state, exc, now=now))
                outcomes = {i.id: exc for i in batch}
            else:
                count_call(state, now=now)
                apply_health(state, after_success(health_of(state)))
                missing = CarrierError(
                    f"{carrier.label}: no answer for this number",
                    permanent=False,
                    kind=ErrorKind.BAD_RESPONSE,
                )
                outcomes = {i.id: answers.get(i.query.tracking_number, missing) for i in batch}
        options = RecordOptions(clock_speed=carrier.clock_speed, pushes=limits.pushes)
        await self._store(
            outcomes, now=now, speed=carrier.clock_speed, report=report, options=options
        )

    async def _throttle(self, name: str, rate: float) -> None:
        bucket = self._buckets.setdefault(name, TokenBucket(rate=rate))
        wait = bucket.reserve(self.wallclock())
        if wait > 0:
            await asyncio.sleep(wait)

    async def _store(
        self,
        outcomes: Mapping[int, Outcome],
        *,
        now: datetime,
        speed: float,
        report: PollReport,
        options: RecordOptions | None = None,
    ) -> None:
        """Queue answers for the writer; a full buffer is written while calls go on."""
        self._pending[options or RecordOptions(clock_speed=speed)].update(outcomes)
        if sum(len(batch) for batch in self._pending.values()) >= WRITE_BATCH:
            await self._flush(now=now, report=report)

    async def _flush(self, *, now: datetime, report: PollReport) -> None:
        """One transaction per buffer: commits, not round trips, bound SQLite's speed."""
        async with self._write_lock:
            pending, self._pending = self._pending, defaultdict(dict)
            for options, outcomes in pending.items():
                if outcomes:
                    await asyncio.to_thread(
                        record_results,
                        self.sessions,
                        outcomes,
                        now=now,
                        options=options,
                        report=report,
                    )

    async def _defer(self, items: list[Due], *, until: datetime, report: PollReport) -> None:
        """Not asked this pass (budget spent, provider paused): try again at ``until``."""
        report.deferred += len(items)
        ids = [i.id for i in items]
        async with self._write_lock:
            await asyncio.to_thread(_push_back, self.sessions, ids, until)


def _after_error(state: ProviderState, error: CarrierError, *, now: datetime) -> ProviderHealth:
    health = health_of(state)
    if error.kind is ErrorKind.AUTH:
        return paused(health, str(error))
    return after_failure(health, now=now, retry_after=error.retry_after)


def _load_pass(
    sessions: SessionFactory, *, now: datetime, limit: int, only_ids: Sequence[int]
) -> tuple[int, dict[str, list[Due]], dict[str, ProviderState]]:
    """What one pass needs from the store, read in a worker thread: the concurrency
    setting, the due shipments by provider, and each provider's state."""
    with sessions() as session:
        settings = load_tracking_settings(session)
        by_provider: dict[str, list[Due]] = defaultdict(list)
        for item in _load_due(session, now=now, limit=limit, only_ids=only_ids):
            by_provider[item.carrier].append(item)
        states = load_states(session, sorted(by_provider))
    return settings.provider_concurrency, by_provider, states


def _push_back(sessions: SessionFactory, ids: list[int], until: datetime) -> None:
    with transaction(sessions) as session:
        session.execute(
            sa.update(Shipment).where(col(Shipment.id).in_(padded(ids))).values(next_poll_at=until)
        )


def _load_due(session: Session, *, now: datetime, limit: int, only_ids: Sequence[int]) -> list[Due]:
    """Only the columns a call needs: thousands of ORM objects would cost the loop time."""
    query = (
        select(
            Shipment.id,
            Shipment.carrier,
            Shipment.status,
            Shipment.tracking_number,
            Shipment.shipped_at,
            Shipment.carrier_code,
            ShopOrder.ship_postcode,
        )
        .join(ShopOrder, col(ShopOrder.id) == col(Shipment.order_id))
        .where(col(Shipment.status).not_in(_FINAL))
    )
    if only_ids:
        query = query.where(col(Shipment.id).in_(list(only_ids)))
    else:
        query = query.where(col(Shipment.next_poll_at) <= now)
    rows = session.exec(query.order_by(col(Shipment.next_poll_at)).limit(limit)).all()
    return [
        Due(
            id=shipment_id or 0,
            carrier=carrier,
            status=ShipmentStatus(status),
            query=TrackingQuery(
                tracking_number=number,
                shipped_at=shipped_at,
                postal_code=postcode,
                carrier_code=code,
            ),
        )
        for shipment_id, carrier, status, number, shipped_at, code, postcode in rows
    ]
