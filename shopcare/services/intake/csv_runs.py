"""An import's progress row (``ImportRun``): started, counted chunk by chunk in the chunk's
own transaction, finished; and read back for the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun


def start_run(sessions: SessionFactory, *, source: str, now: datetime) -> int:
    """A new import's progress row, so a page can show it while the import runs."""
    with transaction(sessions) as session:
        run = ImportRun(kind="csv", source=source[:200], started_at=now)
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    rejected: int


def record_progress(
    session: Session, run_id: int, counts: Counts, *, done: int, total: int
) -> None:
    """In the caller's transaction: the progress counts exactly what that transaction wrote."""
    run = session.get(ImportRun, run_id)
    if run is None:
        return
    run.total, run.done = total, done
    run.created, run.updated, run.rejected = counts.created, counts.updated, counts.rejected
    session.add(run)


def finish_run(
    sessions: SessionFactory,
    run_id: int,
    *,
    now: datetime,
    message: str,
    counts: Counts | None = None,
) -> None:
    """Done with its counts and summary, or (no counts) failed with why."""
    with transaction(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return
        run.status = "done" if counts is not None else "failed"
        run.finished_at = now
        run.message = message[:2000]
        if counts is not None:
            run.created, run.updated, run.rejected = counts.created, counts.updated, counts.rejected
            run.done = run.total or run.done
        session.add(run)


@dataclass(frozen=True)
class RunView:
    """A CSV import's progress as a page shows it."""

    id: int
    source: str
    status: str
    created: int
    updated: int
    rejected: int
    message: str
    started_at: datetime
    fraction: float
    """How much of the file is read, 0 to 1."""


def latest_run(sessions: SessionFactory) -> RunView | None:
    """The last CSV import, for a progress bar that survives leaving the page."""
    with sessions() as session:
        query = select(ImportRun).where(ImportRun.kind == "csv")
        run = session.exec(query.order_by(col(ImportRun.id).desc()).limit(1)).first()
    if run is None or run.id is None:
        return None
    return RunView(
        id=run.id,
        source=run.source,
        status=run.status,
        created=run.created,
        updated=run.updated,
        rejected=run.rejected,
        message=run.message,
        started_at=run.started_at,
        fraction=round(run.done / run.total, 3) if run.total else 0.0,
    )
