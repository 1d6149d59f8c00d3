"""What the Store connection page shows of the imports: the last backfill's progress and
the last reconcile, read from ``ImportRun`` so the bar survives leaving the page, with
times in the shop's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ImportRun, StoreConnection
from shopcare.domain.utc import as_utc_or_none
from shopcare.services.shop.profile import get_profile


@dataclass(frozen=True)
class RunView:
    run_id: int
    status: str
    done: int
    total: int | None
    created: int
    updated: int
    rejected: int
    api_calls: int
    message: str
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def fraction(self) -> float:
        if self.status == "done":
            return 1.0
        if not self.total:
            return 0.0
        return min(self.done / self.total, 1.0)

    @property
    def summary(self) -> str:
        of = f" of {self.total:,}" if self.total is not None else ""
        return (
            f"{self.done:,}{of} orders read · {self.created:,} new · {self.updated:,} updated · "
            f"{self.rejected:,} rejected · {self.api_calls:,} API calls"
        )


@dataclass(frozen=True)
class StoreStatus:
    backfill: RunView | None
    reconcile: RunView | None
    last_reconcile_at: datetime | None
    last_error: str


def store_status(sessions: SessionFactory, platform: str) -> StoreStatus:
    zone = get_profile(sessions).zone
    with sessions() as session:
        row = session.get(StoreConnection, platform)
        runs = {
            kind: session.exec(
                select(ImportRun)
                .where(ImportRun.kind == kind, ImportRun.source == platform)
                .order_by(col(ImportRun.id).desc())
            ).first()
            for kind in ("backfill", "reconcile")
        }
    return StoreStatus(
        backfill=_view(runs["backfill"], zone),
        reconcile=_view(runs["reconcile"], zone),
        last_reconcile_at=_local(row.last_reconcile_at, zone) if row else None,
        last_error=row.last_error if row else "",
    )


def _view(run: ImportRun | None, zone: ZoneInfo) -> RunView | None:
    if run is None:
        return None
    return RunView(
        run_id=int(run.id or 0),
        status=run.status,
        done=run.done,
        total=run.total,
        created=run.created,
        updated=run.updated,
        rejected=run.rejected,
        api_calls=run.api_calls,
        message=run.message,
        started_at=_local(run.started_at, zone),
        finished_at=_local(run.finished_at, zone),
    )


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    found = as_utc_or_none(moment)
    return found.astimezone(zone) if found else None
