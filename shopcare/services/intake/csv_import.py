"""Importing a CSV file: rows streamed in, whole orders written a chunk at a time.

Each chunk of orders is one transaction, with the import's progress (``ImportRun``) in the
same transaction: a chunk is in the store whole, with the progress that counts it, or not
at all. An import killed half-way leaves whole orders only, and running it again completes
it: orders already in are matched and change nothing. A dry run writes each chunk the same
way and rolls it back, so its report is exactly what the import would do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun
from shopcare.domain.intake import Mode
from shopcare.services.errors import InputError
from shopcare.services.intake.csv_formats import CsvFormat, columns_for
from shopcare.services.intake.csv_mappings import (
    Parsed,
    ParsedOrder,
    ParsedParcel,
    Reading,
    Rejected,
    parse_rows,
)
from shopcare.services.intake.csv_read import CsvFile, Row, open_csv
from shopcare.services.intake.writer import Outcome, Written, add_parcels, write_orders

CHUNK_ORDERS = 1000
"""Orders per transaction: large enough that the writer's batch statements pay off, small
enough that a kill loses little work and the progress bar moves."""
MAX_PROBLEMS = 100_000
"""Problems kept for the report; a file that is all wrong is counted beyond that."""


@dataclass(frozen=True)
class Problem:
    line: int
    order_number: str
    kind: str
    """"rejected" (not imported) or "warning" (imported, but the owner should know)."""
    reason: str


@dataclass
class ImportReport:
    format: CsvFormat
    dry_run: bool
    rows: int = 0
    """Rows read after the header."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    """Orders (or, in a tracking file, parcels) not imported."""
    warnings: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_left_out: int = 0
    note: str = ""
    """About the file as a whole (its encoding)."""
    run_id: int | None = None

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_left_out += 1


@dataclass(frozen=True)
class ImportOptions:
    now: datetime
    carriers: Sequence[str]
    zone: tzinfo
    """The shop's zone, for dates written without an offset."""
    format: CsvFormat | None = None
    dry_run: bool = False
    chunk_orders: int = CHUNK_ORDERS


def import_csv(
    sessions: SessionFactory,
    path: Path,
    options: ImportOptions,
    *,
    run_id: int | None = None,
) -> ImportReport:
    """Import (or, dry, try) one file; InputError when it cannot be read or its header is
    no format we know. ``run_id`` is an ImportRun to record the progress in (``start_run``)."""
    csv_file: CsvFile | None = None
    try:
        csv_file = open_csv(path)
        return _import(sessions, csv_file, options, run_id=run_id)
    except BaseException as exc:
        if run_id is not None:
            _finish(sessions, run_id, options.now, failed=str(exc) or type(exc).__name__)
        if isinstance(exc, OSError):
            raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from None
        raise
    finally:
        close = getattr(csv_file.rows if csv_file else None, "close", None)
        if close is not None:
            close()


def start_run(sessions: SessionFactory, *, source: str, now: datetime) -> int:
    """A new import's progress row, so a page can show it while the import runs."""
    with transaction(sessions) as session:
        run = ImportRun(kind="csv", source=source[:200], started_at=now)
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


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


def _import(
    sessions: SessionFactory, csv_file: CsvFile, options: ImportOptions, *, run_id: int | None
) -> ImportReport:
    columns = columns_for(csv_file.header, options.format)
    reading = Reading(
        columns=columns, decimal="," if csv_file.delimiter == ";" else ".", zone=options.zone
    )
    report = ImportReport(format=columns.format, dry_run=options.dry_run, run_id=run_id)
    counted = _counted(csv_file.rows, report)
    for chunk in _chunks(parse_rows(counted, reading), options.chunk_orders, report):
        with transaction(sessions) as session:
            _write(session, chunk, report, options)
            if options.dry_run:
                session.rollback()
            if run_id is not None:
                _progress(session, run_id, report, csv_file)
    if csv_file.progress.fallback_bytes:
        report.note = (
            f"{csv_file.progress.fallback_bytes:,} bytes were not UTF-8 and were read as "
            "Windows-1252"
        )
    if run_id is not None:
        _finish(sessions, run_id, options.now, report=report)
    return report


def _counted(rows: Iterator[Row], report: ImportReport) -> Iterator[Row]:
    for row in rows:
        report.rows += 1
        yield row


def _chunks(
    parsed: Iterator[Parsed], size: int, report: ImportReport
) -> Iterator[list[ParsedOrder | ParsedParcel]]:
    """Whole orders, ``size`` at a time; rejected rows go straight to the report."""
    chunk: list[ParsedOrder | ParsedParcel] = []
    rejected_orders: set[tuple[str, int]] = set()
    for item in parsed:
        if isinstance(item, Rejected):
            report.add(Problem(item.line, item.order_number, "rejected", item.reason))
            rejected_orders.add((item.order_number, item.line if not item.order_number else 0))
            continue
        if rejected_orders:
            report.rejected += len(rejected_orders)
            rejected_orders.clear()
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    report.rejected += len(rejected_orders)
    if chunk:
        yield chunk


def _write(
    session: Session,
    chunk: list[ParsedOrder | ParsedParcel],
    report: ImportReport,
    options: ImportOptions,
) -> None:
    orders = [p for p in chunk if isinstance(p, ParsedOrder)]
    parcels = [p for p in chunk if isinstance(p, ParsedParcel)]
    now, carriers = options.now, options.carriers
    if orders:
        written = write_orders(
            session, [p.order for p in orders], now=now, carriers=carriers, mode=Mode.BULK
        )
        _record(report, [p.line for p in orders], written)
    if parcels:
        written = add_parcels(session, [p.parcel for p in parcels], now=now, carriers=carriers)
        _record(report, [p.line for p in parcels], written)


def _record(report: ImportReport, lines: list[int], written: list[Written]) -> None:
    for line, result in zip(lines, written, strict=True):
        if result.outcome is Outcome.REJECTED:
            report.rejected += 1
            for reason in result.problems:
                report.add(Problem(line, result.order_number, "rejected", reason))
            continue
        if result.outcome is Outcome.CREATED:
            report.created += 1
        elif result.outcome is Outcome.UPDATED:
            report.updated += 1
        else:
            report.unchanged += 1
        for warning in result.warnings:
            report.warnings += 1
            report.add(Problem(line, result.order_number, "warning", warning))


def _progress(session: Session, run_id: int, report: ImportReport, csv_file: CsvFile) -> None:
    run = session.get(ImportRun, run_id)
    if run is None:
        return
    run.total, run.done = csv_file.progress.total, csv_file.progress.done
    run.created, run.updated, run.rejected = report.created, report.updated, report.rejected
    session.add(run)


def _finish(
    sessions: SessionFactory,
    run_id: int,
    now: datetime,
    *,
    report: ImportReport | None = None,
    failed: str = "",
) -> None:
    with transaction(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return
        run.status = "failed" if failed else "done"
        run.finished_at = now
        if report is not None:
            run.created, run.updated, run.rejected = report.created, report.updated, report.rejected
            run.done = run.total or run.done
            run.message = summary(report)
        else:
            run.message = failed[:2000]
        session.add(run)


def summary(report: ImportReport) -> str:
    """One line for the command line and the progress row."""
    verb = "would be" if report.dry_run else "were"
    text = (
        f"{report.format} file, {report.rows:,} rows: {report.created:,} {verb} created, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.rejected:,} rejected, {report.warnings:,} warnings"
    )
    return f"{text} ({report.note})" if report.note else text
