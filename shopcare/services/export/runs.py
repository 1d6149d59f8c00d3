"""The export as long work (``services.runtime.long_work``): its progress is an ``ImportRun``
of kind ``export`` whose source is the file's name, so the header's progress bar and the
settings card follow it from any page, and the card finds the file when it is done.

One export at a time, and one file kept: starting one removes the last one (and any run left
"running" by a process that stopped meanwhile is marked as cut short).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun
from shopcare.domain.utc import as_utc, as_utc_or_none
from shopcare.services.export.archive import Manifest, store_rows, write_archive
from shopcare.services.export.files import export_folder, export_name, ready_export, remove_exports
from shopcare.services.runtime.long_work import advance_work, finish_work, start_work

KIND = "export"
PROGRESS_EVERY = 20_000
"""Rows between two progress writes (about 0.2 s of export each)."""
CUT_SHORT = "cut short: ShopCare stopped during the export; start it again"
log = logging.getLogger("shopcare")


@dataclass(frozen=True)
class ExportView:
    """The last export, as the settings card shows it."""

    run_id: int
    status: str
    """running, done or failed."""
    fraction: float
    message: str
    started_at: datetime
    finished_at: datetime | None
    file: Path | None
    """The ZIP while it is kept (a day); None before it is done and after."""


def start_export(sessions: SessionFactory, *, data_dir: Path, now: datetime) -> int:
    """A new export's progress row (the previous file is removed now: one is kept)."""
    remove_exports(data_dir)
    with transaction(sessions) as session:
        stale = select(ImportRun).where(col(ImportRun.kind) == KIND, ImportRun.status == "running")
        for run in session.exec(stale).all():
            run.status, run.finished_at, run.message = "failed", now, CUT_SHORT
            session.add(run)
    total = 2 * store_rows(sessions)  # each row is written twice: CSV and JSON
    return start_work(sessions, kind=KIND, title=export_name(now), total=total, now=now)


class Stopped(Exception):
    """ShopCare is stopping: the export ends where it is, its file removed."""

    def __str__(self) -> str:
        return "stopped: ShopCare was shutting down; start it again"


def run_export(
    sessions: SessionFactory,
    run_id: int,
    *,
    data_dir: Path,
    clock: Callable[[], datetime],
    stop: threading.Event | None = None,
) -> Manifest | None:
    """Write the export started as ``run_id`` (blocking: run it in a worker thread); its
    manifest, or None when it failed or ``stop`` was set (the run says why)."""
    with sessions() as session:
        run = session.get(ImportRun, run_id)
        name, started = (run.source, as_utc(run.started_at)) if run else ("", clock())
    target = export_folder(data_dir) / (name or export_name(started))
    part = target.with_name(target.name + ".part")
    last = [0]

    def tell(done: int) -> None:
        if stop is not None and stop.is_set():
            raise Stopped
        if done - last[0] >= PROGRESS_EVERY:
            last[0] = done
            advance_work(sessions, run_id, done=done)

    try:
        with part.open("wb") as out:
            manifest = write_archive(sessions, out, now=started, progress=tell)
        os.replace(part, target)
    except Exception as exc:  # the run says why; the log has the rest
        if not isinstance(exc, Stopped):
            log.exception("export %s stopped", run_id)
        part.unlink(missing_ok=True)
        finish_work(sessions, run_id, now=clock(), message=str(exc), failed=True)
        return None
    size = target.stat().st_size / 1_000_000
    message = f"{manifest.rows:,} rows of {len(manifest.tables)} tables, {size:,.1f} MB"
    finish_work(sessions, run_id, now=clock(), message=message)
    return manifest


def last_export(sessions: SessionFactory, *, data_dir: Path, now: datetime) -> ExportView | None:
    with sessions() as session:
        run = session.exec(
            select(ImportRun).where(col(ImportRun.kind) == KIND).order_by(col(ImportRun.id).desc())
        ).first()
    if run is None or run.id is None:
        return None
    return ExportView(
        run_id=run.id,
        status=run.status,
        fraction=min(1.0, run.done / run.total) if run.total else 0.0,
        message=run.message,
        started_at=as_utc(run.started_at),
        finished_at=as_utc_or_none(run.finished_at),
        file=ready_export(data_dir, run.source, now=now) if run.status == "done" else None,
    )
