"""Long work the owner starts and walks away from (a bulk refresh, a batch of slips, an
import): its progress kept in the store as an ``ImportRun`` row, the table imports already
use, so a progress bar survives leaving the page (and a restart shows what was cut short),
and every admin page can say when it is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, or_, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun
from shopcare.domain.utc import as_utc_or_none

RECENT = timedelta(minutes=10)
"""How long a finished piece of work stays in the header's list."""
TITLES = {
    "csv": "Importing {source}",
    "backfill": "Bringing in orders from {source}",
    "backup": "Backing up the store",
    "export": "Exporting the whole store",  # its source is the file's name (services.export)
}


@dataclass(frozen=True)
class WorkView:
    id: int
    title: str
    status: str
    """running, done or failed."""
    fraction: float | None
    """0 to 1; None while the total is not known."""
    message: str
    finished_at: datetime | None


def start_work(
    sessions: SessionFactory, *, kind: str, title: str, total: int, now: datetime
) -> int:
    with transaction(sessions) as session:
        run = ImportRun(kind=kind[:16], source=title[:200], total=total, started_at=now)
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


def advance_work(sessions: SessionFactory, run_id: int, *, done: int) -> None:
    with transaction(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is not None:
            run.done = done
            session.add(run)


def finish_work(
    sessions: SessionFactory, run_id: int, *, now: datetime, message: str, failed: bool = False
) -> None:
    with transaction(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return
        run.status = "failed" if failed else "done"
        run.finished_at = now
        run.message = message[:2000]
        if not failed and run.total:
            run.done = run.total
        session.add(run)


def work_in_view(sessions: SessionFactory, *, now: datetime) -> list[WorkView]:
    """What runs, and what ended in the last ten minutes; newest first."""
    with sessions() as session:
        runs = session.exec(
            select(ImportRun)
            .where(col(ImportRun.kind) != "reconcile")  # every few minutes, on its own
            .where(
                or_(
                    col(ImportRun.status) == "running",
                    col(ImportRun.finished_at) >= now - RECENT,
                )
            )
            .order_by(col(ImportRun.id).desc())
            .limit(20)
        ).all()
    return [
        WorkView(
            id=run.id or 0,
            title=TITLES.get(run.kind, "{source}").format(source=run.source),
            status=run.status,
            fraction=round(run.done / run.total, 3) if run.total else None,
            message=run.message,
            finished_at=as_utc_or_none(run.finished_at),
        )
        for run in runs
    ]
