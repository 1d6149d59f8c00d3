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

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.engine import SessionFactory, transaction
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
from shopcare.services.intake.csv_runs import Counts, finish_run, record_progress
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

    def counts(self) -> Counts:
        return Counts(self.created, self.updated, self.rejected)

    def mark(self) -> tuple[int, ...]:
        """The counts so far, to go back to when a chunk's transaction fails."""
        return (self.created, self.updated, self.unchanged, self.rejected, self.warnings,
                len(self.problems), self.problems_left_out)  # fmt: skip

    def restore(self, mark: tuple[int, ...]) -> None:
        (self.created, self.updated, self.unchanged, self.rejected, self.warnings, kept,
         self.problems_left_out) = mark  # fmt: skip
        del self.problems[kept:]

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
            finish_run(sessions, run_id, now=options.now, message=str(exc) or type(exc).__name__)
        if isinstance(exc, OSError):
            raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from None
        raise
    finally:
        close = getattr(csv_file.rows if csv_file else None, "close", None)
        if close is not None:
            close()


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
        mark = report.mark()
        try:
            _write_chunk(sessions, chunk, report, options, progress=(run_id, csv_file))
        except sa.exc.SQLAlchemyError:  # the store refused one of them: find which, keep the rest
            report.restore(mark)
            for item in chunk:
                _write_alone(sessions, item, report, options, progress=(run_id, csv_file))
    if csv_file.progress.fallback_bytes:
        report.note = (
            f"{csv_file.progress.fallback_bytes:,} bytes were not UTF-8 and were read as "
            "Windows-1252"
        )
    if run_id is not None:
        finish_run(
            sessions, run_id, now=options.now, message=summary(report), counts=report.counts()
        )
    return report


def _write_chunk(
    sessions: SessionFactory,
    chunk: list[ParsedOrder | ParsedParcel],
    report: ImportReport,
    options: ImportOptions,
    *,
    progress: tuple[int | None, CsvFile],
) -> None:
    """One transaction: the chunk's orders and the progress that counts them."""
    run_id, csv_file = progress
    with transaction(sessions) as session:
        _write(session, chunk, report, options)
        if options.dry_run:
            session.rollback()
        if run_id is not None:
            done, total = csv_file.progress.done, csv_file.progress.total
            record_progress(session, run_id, report.counts(), done=done, total=total)


def _write_alone(
    sessions: SessionFactory,
    item: ParsedOrder | ParsedParcel,
    report: ImportReport,
    options: ImportOptions,
    *,
    progress: tuple[int | None, CsvFile],
) -> None:
    mark = report.mark()
    try:
        _write_chunk(sessions, [item], report, options, progress=progress)
    except sa.exc.SQLAlchemyError as exc:
        report.restore(mark)
        number = item.order.order_number if isinstance(item, ParsedOrder) else ""
        if isinstance(item, ParsedParcel):
            number = item.parcel.order_number
        said = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()
        reason = f"the store refused it: {said[0][:200] if said else type(exc).__name__}"
        report.rejected += 1
        report.add(Problem(item.line, number, "rejected", reason))


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


def summary(report: ImportReport) -> str:
    """One line for the command line and the progress row."""
    verb = "would be" if report.dry_run else "were"
    text = (
        f"{report.format} file, {report.rows:,} rows: {report.created:,} {verb} created, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.rejected:,} rejected, {report.warnings:,} warnings"
    )
    return f"{text} ({report.note})" if report.note else text
