"""Provider state in the store: calls used against the budget, failures, circuit breaker,
pause after refused credentials. The rules are in domain.breaker; this keeps the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from shopcare.carriers.base import Budget
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ProviderState
from shopcare.domain.breaker import ProviderHealth


def load_states(session: Session, names: list[str]) -> dict[str, ProviderState]:
    found = {
        s.name: s
        for s in session.exec(select(ProviderState).where(col(ProviderState.name).in_(names)))
    }
    return {name: found.get(name) or ProviderState(name=name) for name in names}


def save_states(sessions: SessionFactory, states: list[ProviderState]) -> None:
    with transaction(sessions) as session:
        for state in states:
            session.merge(state)


def health_of(state: ProviderState) -> ProviderHealth:
    return ProviderHealth(
        failures=state.failures, open_until=state.open_until, paused_reason=state.paused_reason
    )


def apply_health(state: ProviderState, health: ProviderHealth) -> None:
    if health.paused_reason and not state.paused_reason:
        state.alert_seen = False  # a new pause: tell the owner
    state.failures = health.failures
    state.open_until = health.open_until
    state.paused_reason = health.paused_reason


def calls_left(state: ProviderState, budget: Budget, *, now: datetime) -> int | None:
    """Calls still allowed now; None when the provider sets no budget."""
    _roll(state, now)
    limits = []
    if budget.per_day is not None:
        limits.append(budget.per_day - state.calls_today)
    if budget.per_hour is not None:
        limits.append(budget.per_hour - state.calls_this_hour)
    return max(min(limits), 0) if limits else None


def next_budget_window(budget: Budget, *, now: datetime) -> datetime:
    """When deferred parcels may be asked again."""
    if budget.per_hour is not None:
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def count_call(state: ProviderState, *, now: datetime, error: str = "") -> None:
    _roll(state, now)
    state.calls_today += 1
    state.calls_this_hour += 1
    state.last_call_at = now
    if error:
        state.errors_today += 1
        state.last_error = error[:500]


def _roll(state: ProviderState, now: datetime) -> None:
    today = now.date().isoformat()
    if state.day != today:
        state.day, state.calls_today, state.errors_today = today, 0, 0
    hour = now.replace(minute=0, second=0, microsecond=0)
    if state.hour_start != hour:
        state.hour_start, state.calls_this_hour = hour, 0


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    calls_today: int
    errors_today: int
    last_error: str
    paused_reason: str
    open_until: datetime | None
    alert_seen: bool


def provider_statuses(sessions: SessionFactory) -> list[ProviderStatus]:
    with sessions() as session:
        rows = session.exec(select(ProviderState).order_by(col(ProviderState.name))).all()
    return [
        ProviderStatus(
            name=r.name,
            calls_today=r.calls_today,
            errors_today=r.errors_today,
            last_error=r.last_error,
            paused_reason=r.paused_reason,
            open_until=r.open_until,
            alert_seen=r.alert_seen,
        )
        for r in rows
    ]


def acknowledge_alert(sessions: SessionFactory, name: str) -> None:
    with transaction(sessions) as session:
        state = session.get(ProviderState, name)
        if state is not None:
            state.alert_seen = True
            session.add(state)


def resume_provider(sessions: SessionFactory, name: str) -> None:
    """After the owner fixed the account: clear the pause and the breaker."""
    with transaction(sessions) as session:
        state = session.get(ProviderState, name)
        if state is not None:
            state.paused_reason, state.failures, state.open_until = "", 0, None
            state.alert_seen = True
            session.add(state)
