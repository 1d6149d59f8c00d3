"""Whether a process that holds a lease (and the work it claimed) still exists.

A lease names a process by host, pid and start time and is renewed by a heartbeat. It is
dead when its heartbeat is older than the time to live, or, seen from the same host, when
its pid is gone or now belongs to a process started at another time (the pid was reused).
From another host only the heartbeat can tell, so a lease there lives out its TTL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

START_SLACK = timedelta(seconds=2)
"""How far two readings of one process's start time may differ (the boot time the kernel
reports is whole seconds and drifts with clock adjustments); a pid reused by a new process
started seconds or more later."""


@dataclass(frozen=True)
class LeaseSeen:
    """A lease as another process sees it now."""

    heartbeat_at: datetime
    started_at: datetime
    same_host: bool
    pid_alive: bool
    """Meaningful on the same host only."""
    pid_started_at: datetime | None = None
    """When the process now holding the pid started, if the system tells."""


def lease_is_dead(lease: LeaseSeen, *, now: datetime, ttl: timedelta) -> bool:
    if now - lease.heartbeat_at > ttl:
        return True
    if not lease.same_host:
        return False
    if not lease.pid_alive:
        return True
    return (
        lease.pid_started_at is not None
        and abs(lease.pid_started_at - lease.started_at) > START_SLACK
    )
