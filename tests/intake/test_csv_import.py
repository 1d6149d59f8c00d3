"""Importing CSV files into a real store: what lands in the database, what a second import
changes (nothing), what a dry run writes (nothing), and an import killed half-way."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from shopcare.app import ShopCare
from shopcare.db.models import ImportRun, OrderLine, OutboxMessage, Shipment, ShopOrder
from shopcare.services.errors import InputError
from shopcare.services.intake.csv_formats import CsvFormat
from shopcare.services.intake.csv_import import ImportOptions, ImportReport, import_csv
from shopcare.services.intake.csv_report import csv_safe, report_csv
from shopcare.services.intake.csv_runs import start_run
from tests.conftest import FakeClock
from tests.store import sqlite_only

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def run(shopcare: ShopCare, path: Path, **options: object) -> ImportReport:
    chosen = ImportOptions(
        now=shopcare.clock(),
        carriers=shopcare.carrier_names,
        zone=ZoneInfo("Europe/Berlin"),
        **options,  # type: ignore[arg-type]
    )
    return import_csv(shopcare.sessions, path, chosen)


def counts(shopcare: ShopCare) -> tuple[int, ...]:
    with shopcare.sessions() as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (ShopOrder, OrderLine, Shipment, OutboxMessage)
        )


def order(shopcare: ShopCare, number: str) -> ShopOrder:
    with shopcare.sessions() as session:
        return session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()


def test_a_shopify_export_imports_its_orders_quietly_and_flags_bad_emails(
    shopcare: ShopCare,
) -> None:
    report = run(shopcare, FIXTURES / "shopify_orders.csv")
    assert (report.format, report.rows, report.created, report.rejected) == ("shopify", 5, 4, 0)
    assert counts(shopcare) == (4, 5, 0, 0)  # a file's orders are history: no confirmations
    formula = order(shopcare, "#1002")
    assert formula.email_problem and formula.ship_address2 == "Hinterhaus\nEG"
    assert order(shopcare, "#1003").email_problem == "no email address"
    assert order(shopcare, "#1004").cancelled_at is not None
    assert order(shopcare, "#1001").external_id == "5101001001"
    assert [(p.line, p.order_number, p.kind) for p in report.problems] == [
        (4, "#1002", "warning"),
        (6, "#1003", "warning"),
    ]


def test_importing_the_same_file_again_changes_nothing(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    run(shopcare, FIXTURES / "shopify_orders.csv")
    run(shopcare, FIXTURES / "generic_orders_semicolon.csv")
    before = counts(shopcare)
    clock.advance(hours=1)
    again = run(shopcare, FIXTURES / "shopify_orders.csv")
    generic = run(shopcare, FIXTURES / "generic_orders_semicolon.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (generic.created, generic.updated, generic.unchanged) == (0, 0, 2)
    assert counts(shopcare) == before


def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(shopcare: ShopCare) -> None:
    dry = run(shopcare, FIXTURES / "generic_orders_semicolon.csv", dry_run=True)
    assert counts(shopcare) == (0, 0, 0, 0)
    real = run(shopcare, FIXTURES / "generic_orders_semicolon.csv")
    assert (dry.created, dry.rejected, dry.problems) == (real.created, real.rejected, real.problems)
    assert dry.dry_run and not real.dry_run


def test_bad_rows_are_rejected_with_their_line_and_good_rows_import(shopcare: ShopCare) -> None:
    report = run(shopcare, FIXTURES / "generic_orders_semicolon.csv")
    assert (report.created, report.rejected) == (2, 4)
    assert sorted((p.line, p.order_number, p.reason) for p in report.problems) == [
        (5, "A-102", "order date '22/10/2026' is not a date (write 2026-05-01 or "
         "2026-05-01T10:00+02:00)"),
        (6, "A-103", "quantity 'zwei' is not a number"),
        (7, "", "order number is empty"),
        (8, "A-104", "currency 'EURO' is not a three-letter ISO 4217 code"),
    ]  # fmt: skip
    bike = order(shopcare, "A-100")
    assert (bike.total_minor, bike.ship_city, bike.currency) == (123450, "Köln", "EUR")
    with shopcare.sessions() as session:
        numbers = session.exec(select(Shipment.tracking_number).order_by(Shipment.id)).all()
    assert numbers == ["00340434161234567890", "1Z999AA10123456784", "1Z999AA10123456785"]
    assert "Windows-1252" in report.note


def test_a_malformed_file_rejects_its_bad_rows_by_line_and_imports_the_rest(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    huge = "x" * (10 * 1024 * 1024)
    (tmp_path / "bad.csv").write_text(
        "order_number,order_date,email,currency,item_name,item_qty,item_price\n"
        "M1,2026-10-01T10:00:00+02:00,a@example.com,EUR,Shirt,1,10.00\n"
        "M2,2026-10-01T10:00:00+02:00\n"  # ragged: the rest of its cells are missing
        f'M3,2026-10-01T10:00:00+02:00,b@example.com,EUR,"{huge}",1,1.00\n'
        'M4,2026-10-01T10:00:00+02:00,,EUR,"Two\nlines",2,"1,50"\n'
        "M5,2026-10-01T10:00:00+02:00,c@example.com,EUR,Mug,one,3.00\n"
        "M6,2026-10-01T10:00:00+02:00,d@example.com,EUR,Cap,1,abc\n"
        "M7,2026-10-01T10:00:00+02:00,e@example.com,XX,Hat,1,3.00\n"
    )
    report = run(shopcare, tmp_path / "bad.csv")
    assert (report.rows, report.created, report.rejected, report.warnings) == (7, 2, 5, 1)
    assert sorted((p.line, p.order_number, p.kind, p.reason[:40]) for p in report.problems) == [
        (3, "M2", "rejected", "currency is empty"),
        (4, "M3", "rejected", "a cell is 10,485,760 characters long (at"),
        (5, "M4", "warning", "no email address: no message can reach t"),
        (7, "M5", "rejected", "quantity 'one' is not a number"),
        (8, "M6", "rejected", "price 'abc' is not an amount in EUR"),
        (9, "M7", "rejected", "currency 'XX' is not a three-letter ISO "),
    ]
    with shopcare.sessions() as session:
        lines = session.exec(select(OrderLine.title, OrderLine.unit_price_minor)).all()
    assert sorted(lines) == [("Shirt", 1000), ("Two\nlines", 150)]


def test_an_order_the_store_refuses_is_reported_and_its_chunk_still_imports(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    with shopcare.engine.begin() as db:  # a rule of the database itself, as a real store may have
        if db.dialect.name == "postgresql":
            db.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.order_number = 'R2' THEN RAISE EXCEPTION 'refused by a trigger'; END IF; "
                "RETURN NEW; END $$"
            )
            db.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON shop_order "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            db.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON shop_order WHEN NEW.order_number = 'R2' "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
            )
    (tmp_path / "three.csv").write_text(
        "order_number,order_date,currency,item_name\n"
        "R1,2026-10-01,EUR,a\nR2,2026-10-01,EUR,b\nR3,2026-10-01,EUR,c\n"
    )
    report = run(shopcare, tmp_path / "three.csv")
    assert (report.created, report.rejected) == (2, 1)
    refused = [(p.line, p.order_number, p.reason) for p in report.problems if p.kind == "rejected"]
    assert refused == [(3, "R2", "the store refused it: refused by a trigger")]
    assert counts(shopcare)[:2] == (2, 2)


def test_a_tracking_file_adds_parcels_to_imported_orders(shopcare: ShopCare) -> None:
    run(shopcare, FIXTURES / "shopify_orders.csv")
    report = run(shopcare, FIXTURES / "tracking.csv")
    assert (report.format, report.updated, report.rejected) == ("tracking", 2, 2)
    assert sorted((p.line, p.reason) for p in report.problems) == [
        (4, "no order #9999"),
        (5, "tracking number is empty"),
    ]
    with shopcare.sessions() as session:
        parcels = session.exec(
            select(ShopOrder.order_number, Shipment.tracking_number, Shipment.silent)
            .join(Shipment, Shipment.order_id == ShopOrder.id)  # type: ignore[arg-type]
            .order_by(ShopOrder.order_number)
        ).all()
    assert [(n, t) for n, t, _ in parcels] == [
        ("#1001", "1Z999AA10123456784"),
        ("#1002", "00340434161234567890"),
    ]
    assert all(silent for *_, silent in parcels)  # they left a month ago: history, not news
    assert run(shopcare, FIXTURES / "tracking.csv").unchanged == 2


def test_a_woocommerce_export_keeps_the_platform_id_and_its_cancellation(
    shopcare: ShopCare,
) -> None:
    report = run(shopcare, FIXTURES / "woocommerce_orders.csv")
    assert (report.format, report.created) == ("woocommerce", 2)
    assert order(shopcare, "301").source == "woocommerce"
    assert order(shopcare, "302").cancelled_at is not None


def test_a_forced_format_that_does_not_fit_is_refused(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="not a tracking file"):
        run(shopcare, FIXTURES / "woocommerce_orders.csv", format=CsvFormat.TRACKING)


def test_a_missing_file_and_an_unknown_header_are_input_errors(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="cannot read"):
        run(shopcare, tmp_path / "nothing.csv")
    (tmp_path / "other.csv").write_text("sku,price\nA,1\n")
    with pytest.raises(InputError, match="unrecognised header"):
        run(shopcare, tmp_path / "other.csv")


def test_the_progress_row_ends_with_the_counts(shopcare: ShopCare) -> None:
    run_id = start_run(shopcare.sessions, source="generic.csv", now=shopcare.clock())
    chosen = ImportOptions(now=shopcare.clock(), carriers=[], zone=ZoneInfo("UTC"), chunk_orders=1)
    import_csv(shopcare.sessions, FIXTURES / "generic_orders_semicolon.csv", chosen, run_id=run_id)
    with shopcare.sessions() as session:
        progress = session.get(ImportRun, run_id)
    assert progress is not None
    assert (progress.status, progress.created, progress.rejected) == ("done", 2, 4)
    assert (
        progress.done
        == progress.total
        == (FIXTURES / "generic_orders_semicolon.csv").stat().st_size
    )
    assert progress.message.startswith("generic file, 7 rows: 2 were created")


def test_the_report_csv_escapes_formulas_from_the_file(shopcare: ShopCare, tmp_path: Path) -> None:
    (tmp_path / "evil.csv").write_text(
        "order_number,order_date,currency,item_name\n"
        "=cmd|' /C calc'!A0,2026-10-01,EUR,x\n"
        "+1002,not a date,EUR,x\n"
    )
    report = run(shopcare, tmp_path / "evil.csv")
    rows = list(csv.reader(report_csv(report).splitlines()))
    assert rows[0] == ["line", "order_number", "result", "reason"]
    assert [row[1] for row in rows[1:]] == ["'=cmd|' /C calc'!A0", "'+1002"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert [csv_safe(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "ok", "3",
    ]  # fmt: skip


KILLED_IMPORT = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.intake.csv_import import ImportOptions, import_csv
from shopcare.services.intake.csv_runs import start_run

app = build(load_settings({}, data_dir=sys.argv[1]))
now = datetime(2026, 11, 2, tzinfo=UTC)
options = ImportOptions(now=now, carriers=[], zone=ZoneInfo("UTC"), chunk_orders=int(sys.argv[3]))
run_id = start_run(app.sessions, source="big.csv", now=now)
import_csv(app.sessions, Path(sys.argv[2]), options, run_id=run_id)
"""


def write_big_file(path: Path, orders: int) -> dict[str, int]:
    """Orders with 1 to 3 items each; returns the items each order has."""
    items: dict[str, int] = {}
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["order_number", "order_date", "email", "currency", "item_name", "item_qty",
                      "item_price"])  # fmt: skip
        for n in range(orders):
            number = f"K{n:05d}"
            items[number] = 1 + n % 3
            for i in range(items[number]):
                out.writerow([number, "2026-10-01T10:00:00+02:00", f"k{n}@example.com", "EUR",
                              f"Item {i}", "1", "9.90"])  # fmt: skip
    return items


@sqlite_only  # watches the SQLite file from outside while the import runs
def test_an_import_killed_mid_way_leaves_whole_orders_and_a_rerun_completes_it(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    expected = write_big_file(tmp_path / "big.csv", 6000)
    database = shopcare.settings.data_dir / "shopcare.db"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(shopcare.settings.data_dir),
         str(tmp_path / "big.csv"), "100"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if database.exists() and _stored_orders(database) >= 300:
                break
            time.sleep(0.02)
        assert child.poll() is None, "the import ended before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    with sqlite3.connect(database) as db:
        stored = dict(db.execute(
            "SELECT o.order_number, count(l.id) FROM shop_order o "
            "JOIN order_line l ON l.order_id = o.id GROUP BY o.id"
        ).fetchall())  # fmt: skip
        (status,) = db.execute("SELECT status FROM import_run").fetchone()
    assert 300 <= len(stored) < len(expected) and status == "running"
    assert all(stored[n] == expected[n] for n in stored)  # whole orders only
    report = run(shopcare, tmp_path / "big.csv")
    assert (report.created, report.unchanged) == (len(expected) - len(stored), len(stored))
    with shopcare.sessions() as session:
        lines = session.exec(select(func.count()).select_from(OrderLine)).one()
    assert counts(shopcare)[0] == len(expected) and lines == sum(expected.values())


def _stored_orders(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=0.1) as db:
            return int(db.execute("SELECT count(*) FROM shop_order").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
