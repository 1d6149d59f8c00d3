"""Telling a file's format by its header, reading its cells by its own conventions, and
turning its rows into orders: every row either becomes part of an order or is rejected
with its line and a reason, whatever the file holds."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcare.domain.intake import Source
from shopcare.services.errors import InputError
from shopcare.services.intake.csv_formats import (
    ALIASES,
    CsvFormat,
    columns_for,
    detect_format,
)
from shopcare.services.intake.csv_mappings import (
    Parsed,
    ParsedOrder,
    ParsedParcel,
    Reading,
    Rejected,
    parse_rows,
)
from shopcare.services.intake.csv_read import Row, open_csv, read_csv
from shopcare.services.intake.csv_values import CellError, parse_amount, parse_when

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"
BERLIN = ZoneInfo("Europe/Berlin")
NEWFOUNDLAND = timezone(-timedelta(hours=3, minutes=30))


def parsed(name: str, fmt: CsvFormat | None = None) -> list[Parsed]:
    f = open_csv(FIXTURES / name)
    reading = Reading(columns_for(f.header, fmt), "," if f.delimiter == ";" else ".", BERLIN)
    return list(parse_rows(f.rows, reading))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("shopify_orders.csv", CsvFormat.SHOPIFY),
        ("shopify_orders_older.csv", CsvFormat.SHOPIFY),
        ("woocommerce_orders.csv", CsvFormat.WOOCOMMERCE),
        ("generic_orders_semicolon.csv", CsvFormat.GENERIC),
        ("tracking.csv", CsvFormat.TRACKING),
    ],
)
def test_each_sample_export_is_told_by_its_header(name: str, fmt: CsvFormat) -> None:
    assert detect_format(open_csv(FIXTURES / name).header) is fmt


def test_a_header_we_do_not_know_is_refused_with_what_was_expected() -> None:
    with pytest.raises(InputError, match=r"unrecognised header \(sku, price\)"):
        columns_for(["sku", "price"], None)


def test_a_chosen_format_needs_its_columns() -> None:
    with pytest.raises(
        InputError,
        match="not a shopify file: the header lacks 'name', 'created at', 'lineitem name'",
    ):
        columns_for(["order_number", "order_date", "item_name"], CsvFormat.SHOPIFY)


def test_shopify_rows_of_one_order_make_one_order_with_its_fields_from_the_first_row() -> None:
    orders = [p.order for p in parsed("shopify_orders.csv") if isinstance(p, ParsedOrder)]
    first, second, _, cancelled = orders
    assert first.order_number == "#1001" and first.external_id == "5101001001"
    assert first.source == Source.SHOPIFY and first.currency == "EUR"
    assert first.placed_at == datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    assert [(li.title, li.quantity, li.unit_price_minor, li.sku) for li in first.lines] == [
        ("Linen shirt - Blue / M", 2, 3990, "LS-B-M"),
        ("Canvas tote", 1, 1500, "TOTE"),
    ]
    assert first.total_minor == 9480 and first.ship_city == "Berlin"
    assert second.email.startswith("=HYPERLINK(")  # kept as text, never evaluated
    assert second.ship_address2 == "Hinterhaus\nEG"
    assert cancelled.cancelled_at == datetime(2026, 10, 5, 6, 0, tzinfo=UTC)


def test_an_older_shopify_header_reads_the_same() -> None:
    (order,) = [p.order for p in parsed("shopify_orders_older.csv") if isinstance(p, ParsedOrder)]
    assert order.currency == "USD" and order.external_id == ""
    assert order.placed_at.utcoffset() == timedelta(hours=-5)
    assert [(li.sku, li.quantity, li.unit_price_minor) for li in order.lines] == [
        ("LAMP", 1, 4500),
        ("BULB", 2, 350),
    ]


def test_woocommerce_item_cells_and_a_cancelled_status() -> None:
    first, cancelled = [p.order for p in parsed("woocommerce_orders.csv")]  # type: ignore[union-attr]
    assert first.order_number == "301" and first.source == Source.WOOCOMMERCE
    assert first.customer_name == "Claire Dubois" and first.ship_name == "Claire Dubois"
    assert first.placed_at == datetime(2026, 10, 10, 14, 20, tzinfo=BERLIN)
    assert [(li.title, li.quantity, li.unit_price_minor) for li in first.lines] == [
        ("Théière en fonte", 1, 4480),
        ("Filtre", 3, 500),
    ]
    assert cancelled.cancelled_at == cancelled.placed_at


def test_a_semicolon_file_from_excel_rejects_bad_rows_by_line_and_keeps_the_good() -> None:
    result = parsed("generic_orders_semicolon.csv")
    good = [p.order for p in result if isinstance(p, ParsedOrder)]
    rejected = [(p.line, p.order_number, p.reason) for p in result if isinstance(p, Rejected)]
    assert [o.order_number for o in good] == ["A-100", "A-101", "A-104"]
    bike = good[0]
    assert bike.total_minor == 123450 and bike.ship_city == "Köln"
    assert [(li.title, li.unit_price_minor) for li in bike.lines] == [
        ("Fahrrad", 119900),
        ("Klingel", 1775),
    ]
    assert [s.tracking_number for s in bike.shipments] == ["00340434161234567890"]
    assert [s.tracking_number for s in good[1].shipments] == [
        "1Z999AA10123456784",
        "1Z999AA10123456785",
    ]
    assert rejected == [
        (5, "A-102", "order date '22/10/2026' is not a date (write 2026-05-01 or "
         "2026-05-01T10:00+02:00)"),
        (6, "A-103", "quantity 'zwei' is not a number"),
        (7, "", "order number is empty"),
    ]  # fmt: skip


def test_a_tracking_file_gives_one_parcel_a_row() -> None:
    result = parsed("tracking.csv")
    parcels = [(p.line, p.parcel.order_number, p.parcel.shipment.carrier_code)
               for p in result if isinstance(p, ParsedParcel)]  # fmt: skip
    assert parcels == [(2, "#1001", "UPS"), (3, "1002", "DHL Express"), (4, "#9999", "UPS")]
    assert [(p.line, p.reason) for p in result if isinstance(p, Rejected)] == [
        (5, "tracking number is empty")
    ]


def test_an_unusable_row_rejects_its_whole_order_never_half_of_it() -> None:
    header = ["order_number", "order_date", "currency", "item_name"]
    rows = [
        Row(2, ["A1", "2026-10-01", "EUR", "Shirt"]),
        Row(3, ["A1", "", "", ""], "a cell is 70,000 characters long (at most 65,536)"),
        Row(4, ["B2", "2026-10-01", "EUR", "Mug"]),
    ]
    result = list(parse_rows(iter(rows), Reading(columns_for(header, None), ".", BERLIN)))
    assert [p.order.order_number for p in result if isinstance(p, ParsedOrder)] == ["B2"]
    assert [(p.line, p.order_number) for p in result if isinstance(p, Rejected)] == [(3, "A1")]


def test_a_generic_file_may_give_each_items_product_tags() -> None:
    header = ["order_number", "order_date", "currency", "item_name", "item_tags"]
    rows = [
        Row(2, ["A1", "2026-10-01", "EUR", "Beans", "coffee, consumable"]),
        Row(3, ["A1", "2026-10-01", "EUR", "Mug", ""]),
    ]
    (order,) = parse_rows(iter(rows), Reading(columns_for(header, None), ".", BERLIN))
    assert isinstance(order, ParsedOrder)
    assert [li.tags for li in order.order.lines] == ["coffee, consumable", ""]


def test_an_order_whose_rows_are_apart_is_rejected_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "sorted.csv").write_text(
        "order_number,order_date,currency,item_name\n"
        "A1,2026-10-01,EUR,Shirt\n"
        "B2,2026-10-01,EUR,Mug\n"
        "A1,,,Socks\n"
    )
    f = open_csv(tmp_path / "sorted.csv")
    result = list(parse_rows(f.rows, Reading(columns_for(f.header, None), ".", BERLIN)))
    assert [p.order.order_number for p in result if isinstance(p, ParsedOrder)] == ["A1", "B2"]
    assert [(p.line, p.reason) for p in result if isinstance(p, Rejected)] == [
        (4, "the rows of order A1 are not together (it began on line 2)")
    ]


@pytest.mark.parametrize(
    ("text", "decimal", "minor"),
    [
        ("19,90", ",", 1990),
        ("19.90", ",", 1990),  # a dot file value in a ; file still speaks for itself
        ("1.234,50", ",", 123450),
        ("1,234", ".", 123400),  # could be either: the file's convention says thousands
        ("1 234,50 €", ",", 123450),
    ],
)
def test_amounts_follow_the_files_convention_only_when_they_are_ambiguous(
    text: str, decimal: str, minor: int
) -> None:
    assert parse_amount(text, "EUR", decimal=decimal) == minor


@pytest.mark.parametrize("text", ["1,234", "12abc", "=1+1", "19.90.1"])
def test_amounts_that_are_no_amount_in_a_semicolon_file_are_refused(text: str) -> None:
    with pytest.raises(CellError, match="is not an amount in EUR"):
        parse_amount(text, "EUR", decimal=",")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01 10:00:00 +0200", datetime(2026, 5, 1, 8, tzinfo=UTC)),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00.123+05:30", datetime(2026, 5, 1, 4, 30, 0, 123000, tzinfo=UTC)),
        ("2026-05-01", datetime(2026, 5, 1, tzinfo=BERLIN)),
        ("01.05.2026 10:00", datetime(2026, 5, 1, 10, tzinfo=BERLIN)),
        ("2026-05-01 10:00 -0330", datetime(2026, 5, 1, 10, tzinfo=NEWFOUNDLAND)),
    ],
)  # fmt: skip
def test_dates_as_platforms_and_spreadsheets_write_them(text: str, expected: datetime) -> None:
    assert parse_when(text, zone=BERLIN) == expected


@pytest.mark.parametrize("text", ["05/01/2026", "2026-02-30", "yesterday", "2026-05-01 25:00"])
def test_dates_that_are_ambiguous_or_impossible_are_refused(text: str) -> None:
    with pytest.raises(CellError, match="is not a date"):
        parse_when(text, zone=BERLIN)


def _headers() -> dict[CsvFormat, list[str]]:
    """Each format's header: every column it knows, under its first name."""
    return {fmt: [names[0] for names in ALIASES[fmt].values()] for fmt in CsvFormat}


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "2,5", "1,234", "-3", "19.90", "EUR", "eur", "X1", "#1001",
                     "2026-05-01", "2026-13-45T99:00", "a@b.co", "=1+2", "name:x|quantity:q",
                     "1Z999AA10123456784|", "|"]),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(list(CsvFormat)),
    rows=st.lists(st.lists(CELL, max_size=26), max_size=8),
    decimal=st.sampled_from([",", "."]),
)
def test_any_rows_under_any_format_are_orders_or_rejections_never_an_error(
    fmt: CsvFormat, rows: list[list[str]], decimal: str
) -> None:
    header = _headers()[fmt] + (["line_item_1"] if fmt is CsvFormat.WOOCOMMERCE else [])
    reading = Reading(columns_for(header, fmt), decimal, BERLIN)
    source = [Row(line, cells) for line, cells in enumerate(rows, start=2)]
    results = list(parse_rows(iter(source), reading))
    for result in results:
        assert isinstance(result, ParsedOrder | ParsedParcel | Rejected)
        if isinstance(result, Rejected):
            assert result.reason and 2 <= result.line <= len(rows) + 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(list(CsvFormat)), body=st.binary(max_size=300))
def test_any_bytes_after_a_known_header_are_orders_or_rejections(
    fmt: CsvFormat, body: bytes
) -> None:
    data = (",".join(_headers()[fmt]) + "\n").encode() + body
    f = read_csv(io.BytesIO(data))
    reading = Reading(columns_for(f.header, fmt), ".", BERLIN)
    for result in parse_rows(f.rows, reading):
        assert isinstance(result, ParsedOrder | ParsedParcel | Rejected)
