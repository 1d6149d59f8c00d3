"""Scheduler wiring only: which job runs how often. The work itself lives in services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

POLL_EVERY_S = 5
DISPATCH_EVERY_S = 5
FLUSH_VIEWS_EVERY_S = 3
"""Page views wait in memory at most this long (see services.view_counts)."""
RECONCILE_EVERY_S = 15 * 60
"""Orders the shop platform changed and its webhooks missed (services.intake.reconcile)."""
BACKUP_CHECK_EVERY_S = 60 * 60
"""The daily backup is made at the first check a day after the last one."""
HEARTBEAT_EVERY_S = 15
"""This process's lease is renewed this often (its TTL, services.process_lease, is 60 s)."""
REMINDERS_EVERY_S = 10 * 60
"""Reminders are due in days; a pass every ten minutes sends each within minutes of it."""
RETENTION_CHECK_EVERY_S = 60 * 60
"""The retention pass (services.privacy.retention) runs once a day, at the first check a day
after the last pass: a process restarted every evening still runs it."""
RETURN_LABELS_EVERY_S = 30
"""Labels due since an approval (the owner's page also buys at once); refunds of cancelled
returns' labels."""
RETURN_WATCH_EVERY_S = 60 * 60
"""Instant exchanges are watched in days (services.returns.instant): hourly is plenty."""


def make_scheduler(
    *,
    poll: Callable[[], Awaitable[object]],
    dispatch: Callable[[], Awaitable[object]],
    flush_views: Callable[[], Awaitable[object]] | None = None,
    reconcile: Callable[[], Awaitable[object]] | None = None,
    heartbeat: Callable[[], Awaitable[object]] | None = None,
    backup: Callable[[], Awaitable[object]] | None = None,
    reminders: Callable[[], Awaitable[object]] | None = None,
    retention: Callable[[], Awaitable[object]] | None = None,
    return_labels: Callable[[], Awaitable[object]] | None = None,
    return_watch: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIOScheduler:
    """Jobs are cheap when there is nothing due (one indexed query), so they run often;
    each shipment's own next-poll time decides how often its carrier is asked."""
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    jobs = (
        ("poll", poll, POLL_EVERY_S, "poll carriers"),
        ("dispatch", dispatch, DISPATCH_EVERY_S, "send messages"),
        ("flush_views", flush_views, FLUSH_VIEWS_EVERY_S, "write counted page views"),
        ("reconcile", reconcile, RECONCILE_EVERY_S, "reconcile orders with the shop platform"),
        ("heartbeat", heartbeat, HEARTBEAT_EVERY_S, "renew this process's lease"),
        ("backup", backup, BACKUP_CHECK_EVERY_S, "daily backup"),
        (
            "reminders",
            reminders,
            REMINDERS_EVERY_S,
            "queue review, reorder and store credit reminders",
        ),
        ("retention", retention, RETENTION_CHECK_EVERY_S, "delete old photos and messages"),
        ("return_labels", return_labels, RETURN_LABELS_EVERY_S, "buy prepaid return labels"),
        ("return_watch", return_watch, RETURN_WATCH_EVERY_S, "watch instant exchanges"),
    )
    for job_id, job, every_s, name in jobs:
        if job is not None:
            scheduler.add_job(job, "interval", seconds=every_s, id=job_id, name=name)
    return scheduler
