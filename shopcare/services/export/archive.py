"""The export's ZIP, written as it is read: one ``<table>.csv`` per table (a header of column
names, then the rows), ``store.json`` (one document: ``{"schema_revision", "exported_at",
"tables": {"<table>": [{column: value}, ...]}}``) and ``manifest.json`` (each table's file,
row count and columns, and what was left out).

Nothing is held whole: each entry is compressed as its rows arrive, a batch at a time, into
any binary stream (``zipfile`` needs no seeking), so a store of millions of rows exports in
the memory of one batch. The CSV files and the JSON document are two passes over the same
snapshot (a ZIP entry is written one at a time), so they agree row for row.

CSV: UTF-8 with a byte-order mark (Excel then reads accents right), RFC 4180 quoting, an
empty field for NULL (``store.json`` has ``null``), booleans as ``true``/``false``. Values are
as stored: no spreadsheet formula escaping, which would change the shop's data.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import orjson
from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.db.migrate import stored_revision
from shopcare.services.export.json_rows import json_batches
from shopcare.services.export.tables import (
    Row,
    TablePlan,
    batches,
    count_rows,
    iso,
    open_snapshot,
    table_plans,
)
from shopcare.services.export.withheld import BLANKED

FORMAT = "shopcare-export/1"
COMPRESS_LEVEL = 1
"""zlib's fastest: on this data nearly level 6's size (59 MB of CSV and JSON to 5.4 MB, level 6
4.5 MB) in under a third of its time."""
JSON_NAME, MANIFEST_NAME = "store.json", "manifest.json"
Progress = Callable[[int], None]
"""Told the rows written so far (each row counts twice: once as CSV, once as JSON)."""


@dataclass(frozen=True)
class TableCount:
    name: str
    rows: int
    columns: tuple[str, ...]
    left_out: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    schema_revision: str
    exported_at: datetime
    tables: tuple[TableCount, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def store_rows(sessions: SessionFactory) -> int:
    """How many rows an export would write now (the progress bar's total, halved)."""
    with sessions() as session:
        connection = open_snapshot(session)
        return sum(count_rows(connection, plan) for plan in table_plans())


def write_archive(
    sessions: SessionFactory, out: IO[bytes], *, now: datetime, progress: Progress | None = None
) -> Manifest:
    """The whole store as a ZIP into ``out``, from one snapshot; what it holds."""
    tell = progress or (lambda _done: None)
    plans = table_plans()
    with (
        sessions() as session,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf,
    ):
        connection = open_snapshot(session)
        revision = stored_revision(connection) or ""
        counts, done = [], 0
        for plan in plans:
            rows = _write_csv(zf, session, plan, tell, offset=done)
            done += rows
            counts.append(TableCount(plan.name, rows, plan.columns, plan.left_out))
            tell(done)
        manifest = Manifest(schema_revision=revision, exported_at=now, tables=tuple(counts))
        _write_json(zf, session, plans, manifest, lambda n: tell(done + n))
        tell(2 * done)
        zf.writestr(MANIFEST_NAME, json.dumps(_manifest_json(manifest), indent=2))
    return manifest


def _write_csv(
    zf: zipfile.ZipFile, session: Session, plan: TablePlan, tell: Progress, *, offset: int
) -> int:
    """A batch at a time through a ``StringIO``, encoded and compressed in one go (written
    row by row through a text wrapper, encoding alone took a tenth of the export)."""
    rows, flags = 0, plan.flags
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # size unknown ahead: ZIP64 from the start
    with zf.open(f"{plan.name}.csv", "w", force_zip64=True) as out:
        writer.writerow(plan.columns)
        out.write(codecs.BOM_UTF8 + _take(buffer))
        for batch in batches(session.connection(), plan):
            writer.writerows(batch if not flags else [_words(row, flags) for row in batch])
            out.write(_take(buffer))
            rows += len(batch)
            tell(offset + rows)
    return rows


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _words(row: Row, flags: tuple[int, ...]) -> list[Any]:
    values = list(row)
    for i in flags:
        if values[i] is not None:
            values[i] = "true" if values[i] else "false"
    return values


def _write_json(
    zf: zipfile.ZipFile,
    session: Session,
    plans: list[TablePlan],
    manifest: Manifest,
    tell: Progress,
) -> None:
    """One JSON document, a table at a time and a batch at a time (``json_rows``): a batch
    of objects to a line."""
    with zf.open(JSON_NAME, "w", force_zip64=True) as out:
        head = {
            "schema_revision": manifest.schema_revision,
            "exported_at": iso(manifest.exported_at),
        }
        out.write(orjson.dumps(head)[:-1] + b',"tables":{')
        done = 0
        for t, plan in enumerate(plans):
            out.write(b"," * bool(t) + b"\n" + orjson.dumps(plan.name) + b":[")
            first = True
            for rows, text in json_batches(session.connection(), plan):
                out.write(b"\n" if first else b",\n")
                out.write(text)
                first = False
                done += rows
                tell(done)
            out.write(b"]")
        out.write(b"\n}}\n")


def _manifest_json(manifest: Manifest) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema_revision": manifest.schema_revision,
        "exported_at": iso(manifest.exported_at),
        "rows": manifest.rows,
        "csv": {"encoding": "utf-8-sig", "null": "", "booleans": ["true", "false"]},
        "json": JSON_NAME,
        "tables": {
            t.name: {
                "file": f"{t.name}.csv",
                "rows": t.rows,
                "columns": list(t.columns),
                **({"left_out": list(t.left_out)} if t.left_out else {}),
                **({"secrets_blanked_in": BLANKED[t.name]} if t.name in BLANKED else {}),
            }
            for t in manifest.tables
        },
    }
