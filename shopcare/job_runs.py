"""When each scheduled job last succeeded, for ``/healthz``; and no job started into a store
that cannot be written.

The scheduler calls the wrapped job. Before the job runs, the store is probed in a worker
thread (``services.store_state``, a second at most): a store another process holds, or a
read-only one, skips this run instead of starting work that would only wait out the busy
timeout and fail, and log a traceback every few seconds. The next run comes in seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from shopcare.services.runtime.store_state import StoreState, probe_store

log = logging.getLogger(__name__)
GATE_TIMEOUT_S = 1.0
"""How long a job waits for the write lock before it skips its run: longer than the
health probe's, so one of our own short writes does not skip a run."""
STALE_AFTER = timedelta(minutes=5)
"""A job that has not succeeded for this long (or since the start) makes /healthz fail."""

Job = Callable[[], Awaitable[object]]


@dataclass
class JobRun:
    last_success: datetime | None = None
    last_error: str = ""
    """Why the last run did not succeed; "" after a success."""


@dataclass
class JobRuns:
    engine: sa.Engine
    clock: Callable[[], datetime]
    started_at: datetime
    runs: dict[str, JobRun] = field(default_factory=dict)

    def wrap(self, name: str, job: Job) -> Job:
        """``job`` as the scheduler runs it: gated on a writable store, its success kept."""
        record = self.runs.setdefault(name, JobRun())

        async def run() -> object:
            state = await asyncio.to_thread(probe_store, self.engine, timeout_s=GATE_TIMEOUT_S)
            if state is not StoreState.WRITABLE:
                if not record.last_error.startswith("skipped"):
                    log.warning("%s skipped: the store is %s", name, state.value)
                record.last_error = f"skipped: the store is {state.value}"
                return None
            try:
                result = await job()
            except asyncio.CancelledError:
                # The process is stopping: the scheduler would log the cancellation as a
                # crash with its traceback. The job's own work is safe to cut (the outbox
                # puts back what it claimed and did not record).
                log.info("%s stopped mid-run: the process is stopping", name)
                return None
            except Exception as exc:
                record.last_error = f"{type(exc).__name__}: {exc}"[:300]
                raise
            record.last_success, record.last_error = self.clock(), ""
            return result

        return run

    def age(self, name: str, *, now: datetime) -> timedelta:
        """Since the job last succeeded, or since the start when it has not yet."""
        record = self.runs.get(name)
        last = record.last_success if record else None
        return now - (last or self.started_at)

    def stale(self, name: str, *, now: datetime) -> bool:
        return self.age(name, now=now) > STALE_AFTER
