"""``shopcare import FILE [--format …] [--dry-run]`` as a shop owner runs it: a summary and
exit 0, or one line and exit 2 for a file it cannot read or a header it does not know."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.store import child_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def shopcare(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopcare", *args],
        capture_output=True,
        text=True,
        env=child_env(SHOPCARE_DATA_DIR=str(data_dir)),
        timeout=120,
    )


def orders_in(data_dir: Path, store_url: str | None) -> int:
    """Orders in the store the command used: the test's PostgreSQL database (``child_env``
    hands it over) or the data dir's SQLite file."""
    engine = sa.create_engine(store_url or f"sqlite:///{data_dir / 'shopcare.db'}")
    try:
        with engine.connect() as db:
            return int(db.execute(sa.text("SELECT count(*) FROM shop_order")).scalar_one())
    finally:
        engine.dispose()


def test_a_dry_run_prints_what_would_happen_and_writes_nothing(
    tmp_path: Path, store_url: str | None
) -> None:
    result = shopcare(
        "import", str(FIXTURES / "generic_orders_semicolon.csv"), "--dry-run", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("generic file, 7 rows: 2 would be created, 0 updated")
    assert "line 6: rejected: A-103: quantity 'zwei' is not a number" in lines
    assert orders_in(tmp_path, store_url) == 0


def test_an_import_prints_its_summary_and_writes_the_full_report(
    tmp_path: Path, store_url: str | None
) -> None:
    report = tmp_path / "report.csv"
    result = shopcare(
        "import", str(FIXTURES / "shopify_orders.csv"), "--report", str(report), data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shopify file, 5 rows: 4 were created")
    assert orders_in(tmp_path, store_url) == 4
    rows = list(csv.reader(report.read_text().splitlines()))
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("4", "#1002", "warning"),
        ("6", "#1003", "warning"),
    ]
    again = shopcare("import", str(FIXTURES / "shopify_orders.csv"), data_dir=tmp_path)
    assert "0 were created, 0 updated, 4 unchanged" in again.stdout


def test_a_format_can_be_chosen(tmp_path: Path) -> None:
    result = shopcare(
        "import", str(FIXTURES / "tracking.csv"), "--format", "tracking", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "line 2: rejected: #1001: no order #1001" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "shopcare: cannot read"),
        (b"", "shopcare: the file is empty: a header row is needed"),
        (b"sku;price\nA;1\n", "shopcare: unrecognised header (sku, price)"),
    ],
)
def test_a_file_it_cannot_use_exits_2_with_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    result = shopcare("import", str(path), data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_header_that_lacks_the_chosen_formats_columns_exits_2(tmp_path: Path) -> None:
    result = shopcare(
        "import", str(FIXTURES / "tracking.csv"), "--format", "shopify", data_dir=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "shopcare: not a shopify file: the header lacks 'name', 'created at', 'lineitem name'"
    )
