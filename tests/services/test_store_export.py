"""The owner's export of the whole store (issue 14, §2): one ZIP with a CSV per table and one
JSON document, every row of every table in both, times in ISO 8601 UTC, and no password,
key, token hash or sealed credential anywhere in it."""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from shopcare.app import ShopCare
from shopcare.db.migrate import HEAD
from shopcare.db.models import ImportRun, OrderNote
from shopcare.services.export.archive import write_archive
from shopcare.services.export.files import export_folder, ready_export, remove_exports
from shopcare.services.export.runs import CUT_SHORT, last_export, run_export, start_export
from shopcare.services.export.tables import iso
from shopcare.services.export.withheld import BLANKED, KEPT, LEFT_OUT, SECRET_NAME
from shopcare.services.runtime.long_work import start_work
from tests.conftest import FakeClock
from tests.services.export_store import (
    MAIL_PASSWORD,
    MOMENT_EXPORTED,
    fill_every_table,
    table_counts,
)


def export_now(app: ShopCare) -> Path:
    run_id = start_export(app.sessions, data_dir=app.settings.data_dir, now=app.clock())
    assert run_export(app.sessions, run_id, data_dir=app.settings.data_dir, clock=app.clock)
    view = last_export(app.sessions, data_dir=app.settings.data_dir, now=app.clock())
    assert view is not None and view.file is not None
    return view.file


def csv_rows(archive: zipfile.ZipFile, table: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(f"{table}.csv").decode("utf-8-sig"))))


def test_every_table_is_exported_with_every_row_as_csv_and_json(shopcare: ShopCare) -> None:
    fill_every_table(shopcare)
    counts = table_counts(shopcare)
    assert all(counts.values()), {t: n for t, n in counts.items() if not n}
    archive = zipfile.ZipFile(export_now(shopcare))
    counts = table_counts(shopcare)  # the export's own progress row is in it, finished later
    document = json.loads(archive.read("store.json"))
    manifest = json.loads(archive.read("manifest.json"))
    assert document["schema_revision"] == manifest["schema_revision"] == HEAD
    assert set(document["tables"]) == set(manifest["tables"]) == set(counts)
    for table in SQLModel.metadata.sorted_tables:
        header, *rows = csv_rows(archive, table.name)
        left_out = LEFT_OUT.get(table.name, frozenset())
        assert header == [c.name for c in table.columns if c.name not in left_out]
        assert len(rows) == counts[table.name] == manifest["tables"][table.name]["rows"]
        records = document["tables"][table.name]
        assert [list(r) for r in records] == [header] * len(records)
        assert [[_as_csv(v) for v in r.values()] for r in records] == rows, table.name


def _as_csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_values_leave_as_stored_with_times_in_iso_utc(shopcare: ShopCare) -> None:
    fill_every_table(shopcare)
    archive = zipfile.ZipFile(export_now(shopcare))
    event = json.loads(archive.read("store.json"))["tables"]["tracking_event"][0]
    assert event["occurred_at"] == MOMENT_EXPORTED
    assert event["description"] == 'Left the hub, "Berlin", 2nd, day'
    header, *rows = csv_rows(archive, "return_request")
    assert rows[0][header.index("comment")] == "Zu groß; ça ne va pas\nsecond line"
    header, *rows = csv_rows(archive, "problem_report")
    assert rows[0][header.index("message")] == "=1+1"  # the shop's data, not a formula
    header, *rows = csv_rows(archive, "shipment")
    assert {row[header.index("carrier_pinned")] for row in rows} <= {"true", "false"}


def test_no_secret_is_anywhere_in_the_archive(shopcare: ShopCare) -> None:
    filled = fill_every_table(shopcare)
    path = export_now(shopcare)
    archive = zipfile.ZipFile(path)
    everything = path.read_bytes() + b"".join(archive.read(n) for n in archive.namelist())
    found = [s for s in filled.secrets if s.encode() in everything]
    assert found == []
    assert b"enc:v1:" not in everything
    # what was set up still shows, without its secrets
    setting = {r["key"]: json.loads(r["value"]) for r in _json(archive)["tables"]["setting"]}
    assert setting["mail_server"]["host"] == "smtp.example.com"
    assert setting["mail_server"]["password"] == ""
    assert MAIL_PASSWORD not in json.dumps(setting)
    carriers = {
        r["name"]: json.loads(r["credentials"]) for r in _json(archive)["tables"]["carrier_account"]
    }
    assert carriers["aftership"] == {"api_key": "", "webhook_secret": ""}
    admin = _json(archive)["tables"]["admin_user"][0]
    assert "password_hash" not in admin and admin["username"] == "bo"


def _json(archive: zipfile.ZipFile) -> dict:  # type: ignore[type-arg]
    return json.loads(archive.read("store.json"))  # type: ignore[no-any-return]


def test_every_column_named_like_a_secret_is_left_out_blanked_or_kept_with_a_reason() -> None:
    decided = {(t, c) for t, cols in LEFT_OUT.items() for c in cols}
    decided |= set(BLANKED.items()) | set(KEPT)
    secret_looking = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if SECRET_NAME.search(column.name)
    }
    assert secret_looking - decided == set()


def test_rows_written_during_the_export_are_not_half_in_it(shopcare: ShopCare) -> None:
    fill_every_table(shopcare)
    before = table_counts(shopcare)["order_note"]
    order_id = shopcare.sessions().exec(sa.select(OrderNote.order_id)).scalars().first()  # type: ignore[call-overload]

    def meanwhile(done: int) -> None:  # the shop keeps working while the export runs
        with shopcare.sessions() as session:
            session.add(OrderNote(order_id=order_id, created_at=shopcare.clock(), text="new"))
            session.commit()

    out = io.BytesIO()
    manifest = write_archive(shopcare.sessions, out, now=shopcare.clock(), progress=meanwhile)
    archive = zipfile.ZipFile(out)
    notes = {t.name: t.rows for t in manifest.tables}["order_note"]
    assert notes == before == len(csv_rows(archive, "order_note")) - 1
    assert len(_json(archive)["tables"]["order_note"]) == before
    assert table_counts(shopcare)["order_note"] > before


def test_one_export_is_kept_for_a_day_and_the_next_replaces_it(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    data_dir = shopcare.settings.data_dir
    first = export_now(shopcare)
    clock.advance(hours=1)
    second = export_now(shopcare)
    assert not first.exists() and second.exists()
    assert [p.name for p in export_folder(data_dir).iterdir()] == [second.name]
    assert ready_export(data_dir, second.name, now=clock() + timedelta(hours=23)) == second
    assert ready_export(data_dir, second.name, now=clock() + timedelta(hours=25)) is None
    assert ready_export(data_dir, "../shopcare.db", now=clock()) is None
    assert remove_exports(data_dir, now=clock() + timedelta(hours=23)) == 0
    assert remove_exports(data_dir, now=clock() + timedelta(hours=25)) == 1
    view = last_export(shopcare.sessions, data_dir=data_dir, now=clock())
    assert view is not None and view.status == "done" and view.file is None


def test_a_run_left_running_by_a_stopped_process_is_marked_cut_short(
    shopcare: ShopCare,
) -> None:
    stale = start_work(
        shopcare.sessions, kind="export", title="x.zip", total=10, now=shopcare.clock()
    )
    export_now(shopcare)
    with shopcare.sessions() as session:
        run = session.get(ImportRun, stale)
    assert run is not None and (run.status, run.message) == ("failed", CUT_SHORT)


def test_progress_counts_every_row_twice_and_ends_full(shopcare: ShopCare) -> None:
    fill_every_table(shopcare)
    seen: list[int] = []
    manifest = write_archive(
        shopcare.sessions, io.BytesIO(), now=shopcare.clock(), progress=seen.append
    )
    assert seen == sorted(seen)
    assert seen[-1] == 2 * manifest.rows


@pytest.mark.parametrize("rows", [0])
def test_an_empty_table_is_a_header_and_an_empty_list(shopcare: ShopCare, rows: int) -> None:
    archive = zipfile.ZipFile(export_now(shopcare))
    header, *lines = csv_rows(archive, "return_photo")
    assert header[0] == "id" and len(lines) == rows
    assert _json(archive)["tables"]["return_photo"] == []


def test_an_export_stopped_with_the_app_says_so_and_leaves_no_file(shopcare: ShopCare) -> None:
    fill_every_table(shopcare)
    data_dir = shopcare.settings.data_dir
    run_id = start_export(shopcare.sessions, data_dir=data_dir, now=shopcare.clock())
    stopping = threading.Event()
    stopping.set()
    manifest = run_export(
        shopcare.sessions, run_id, data_dir=data_dir, clock=shopcare.clock, stop=stopping
    )
    assert manifest is None
    assert list(export_folder(data_dir).iterdir()) == []
    view = last_export(shopcare.sessions, data_dir=data_dir, now=shopcare.clock())
    assert view is not None and view.status == "failed" and view.file is None
    assert view.message.startswith("stopped: ShopCare was shutting down")


def test_times_read_as_datetimes_are_written_like_sqlites_text() -> None:
    """PostgreSQL hands times back as datetimes; they leave as SQLite's do."""
    berlin = datetime(2026, 10, 1, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert iso(berlin) == "2026-10-01T08:30:00.000000+00:00"
    assert iso(datetime(2026, 10, 1, 8, 30, 0, 5)) == "2026-10-01T08:30:00.000005+00:00"
