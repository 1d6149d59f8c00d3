"""Process leases: each running ShopCare process keeps a row that names it (host, pid, start
time) and renews it with a heartbeat. Work a process claims carries its lease id, so
another process can tell the claims of the living from those of the dead
(``domain.leases``) and take the latter back at once instead of waiting out a timeout.

The outbox dispatcher stamps its claims with it; nothing here is specific to messages.
"""

from __future__ import annotations

import functools
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ProcessLease
from shopcare.domain.leases import LeaseSeen, lease_is_dead
from shopcare.domain.utc import as_utc

LEASE_TTL = timedelta(seconds=60)
"""A lease not renewed for this long is dead wherever its process runs; the heartbeat
(``jobs.HEARTBEAT_EVERY_S``, and every dispatch run) comes several times within it."""


@dataclass(frozen=True)
class Lease:
    id: str
    host: str
    pid: int
    started_at: datetime


def this_process(*, now: datetime) -> Lease:
    """This process's lease (not yet in the store: ``renew`` writes it). Its start time is
    the one the system reports, so another process can tell a reused pid; ``now`` where the
    system does not tell."""
    pid = os.getpid()
    token = secrets.token_hex(4)
    return Lease(
        id=f"{socket.gethostname()[:60]}:{pid}:{token}",
        host=host_identity(),
        pid=pid,
        started_at=_process(pid).started_at or now,
    )


def renew(session: Session, lease: Lease, *, now: datetime) -> None:
    """The heartbeat. Writes the row again if another process removed it as dead (this one
    was stalled past the TTL): its claims were taken back, its new ones are its own."""
    found = session.execute(
        sa.update(ProcessLease).where(col(ProcessLease.id) == lease.id).values(heartbeat_at=now)
    )
    if not found.rowcount:  # type: ignore[attr-defined]
        session.add(
            ProcessLease(
                id=lease.id,
                host=lease.host,
                pid=lease.pid,
                started_at=lease.started_at,
                heartbeat_at=now,
            )
        )


def renew_lease(sessions: SessionFactory, lease: Lease, *, now: datetime) -> None:
    with transaction(sessions) as session:
        renew(session, lease, now=now)


def release_lease(sessions: SessionFactory, lease: Lease) -> None:
    """At a clean stop: whatever the process still had claimed is free at once."""
    with transaction(sessions) as session:
        session.execute(sa.delete(ProcessLease).where(col(ProcessLease.id) == lease.id))


def forget_dead_leases(
    session: Session, *, now: datetime, own_id: str = "", ttl: timedelta = LEASE_TTL
) -> list[str]:
    """Remove the leases of processes that no longer exist; their ids (claims naming a
    lease that is not in the store any more are dead as well)."""
    dead = [row.id for row in leases(session, own_id=own_id) if is_dead(row, now=now, ttl=ttl)]
    if dead:
        session.execute(sa.delete(ProcessLease).where(col(ProcessLease.id).in_(dead)))
    return dead


def living_leases(session: Session, *, now: datetime) -> list[ProcessLease]:
    """The processes running on this store now, read without changing anything."""
    return [row for row in leases(session) if not is_dead(row, now=now, ttl=LEASE_TTL)]


def leases(session: Session, *, own_id: str = "") -> list[ProcessLease]:
    return list(session.exec(select(ProcessLease).where(col(ProcessLease.id) != own_id)))


def is_dead(row: ProcessLease, *, now: datetime, ttl: timedelta) -> bool:
    same_host = row.host == host_identity()
    process = _process(row.pid) if same_host else _Process(alive=True, started_at=None)
    seen = LeaseSeen(
        heartbeat_at=as_utc(row.heartbeat_at),
        started_at=as_utc(row.started_at),
        same_host=same_host,
        pid_alive=process.alive,
        pid_started_at=process.started_at,
    )
    return lease_is_dead(seen, now=now, ttl=ttl)


def host_identity() -> str:
    """The host name, plus the pid namespace where the system tells: two containers that
    share a data dir (and maybe a host name) do not share pids."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()} {namespace}".strip()[:255]


@dataclass(frozen=True)
class _Process:
    alive: bool
    started_at: datetime | None


def _process(pid: int) -> _Process:
    """Whether ``pid`` runs here and since when (Linux tells through /proc; elsewhere only
    whether it exists). An exited child its parent has not waited for yet counts as gone."""
    if pid <= 0:
        return _Process(alive=False, started_at=None)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return _Process(alive=False, started_at=None)
    except PermissionError:
        pass  # it exists, under another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        fields = stat.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
        state, ticks = fields[0], int(fields[19])  # fields 3 and 22 of proc(5)
    except (OSError, IndexError, ValueError):
        return _Process(alive=True, started_at=None)
    if state in ("Z", "X"):
        return _Process(alive=False, started_at=None)
    boot = _boot_time()
    if boot is None:
        return _Process(alive=True, started_at=None)
    return _Process(alive=True, started_at=boot + timedelta(seconds=ticks / _ticks_per_second()))


@functools.cache
def _boot_time() -> datetime | None:
    try:
        for line in Path("/proc/stat").read_text(encoding="ascii").splitlines():
            if line.startswith("btime "):
                return datetime.fromtimestamp(int(line.split()[1]), UTC)
    except (OSError, ValueError):
        pass
    return None


@functools.cache
def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")
