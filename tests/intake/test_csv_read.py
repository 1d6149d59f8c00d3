"""Reading CSV files as shops and spreadsheets write them: encodings, delimiters, line
breaks inside cells, line numbers an editor shows, and rows that cannot be read."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcare.services.errors import InputError
from shopcare.services.intake.csv_read import MAX_CELL, READ_LIMIT, Row, read_csv


def rows_of(data: bytes) -> tuple[list[str], str, list[Row], int]:
    f = read_csv(io.BytesIO(data), size=len(data))
    return f.header, f.delimiter, list(f.rows), f.progress.fallback_bytes


def test_it_reads_utf8_with_bom_crlf_and_counts_lines_inside_quoted_cells() -> None:
    text = '\ufeffa,b\r\n1,"two\r\nlines"\r\n\r\n3,"x\ny\nz"\r\n4,four\r\n'
    header, delimiter, rows, fallback = rows_of(text.encode("utf-8"))
    assert header == ["a", "b"] and delimiter == ","
    assert [(r.line, r.cells) for r in rows] == [
        (2, ["1", "two\r\nlines"]),
        (5, ["3", "x\ny\nz"]),
        (8, ["4", "four"]),
    ]
    assert fallback == 0


def test_a_windows_1252_file_keeps_its_accents() -> None:
    data = "name;city\nRenée;Köln\n".encode("cp1252")
    _, delimiter, rows, fallback = rows_of(data)
    assert delimiter == ";" and rows[0].cells == ["Renée", "Köln"]
    assert fallback == 2


def test_a_file_mixing_utf8_and_windows_1252_reads_both() -> None:
    data = b"a,b\n" + "Müller,".encode() + "Straße\n".encode("cp1252")
    _, _, rows, fallback = rows_of(data)
    assert rows[0].cells == ["Müller", "Straße"] and fallback == 1


def test_excels_unicode_text_utf16_with_tabs_reads() -> None:
    data = "order_number\ttracking_number\r\n#1\t1Z999AA10123456784\r\n".encode("utf-16")
    header, delimiter, rows, _ = rows_of(data)
    assert header == ["order_number", "tracking_number"] and delimiter == "\t"
    assert rows[0].cells == ["#1", "1Z999AA10123456784"]


def test_the_delimiter_is_told_by_the_header_not_by_commas_inside_quotes() -> None:
    _, delimiter, rows, _ = rows_of(b'"a,1";"b,2";c\n1,5;2,5;3\n')
    assert delimiter == ";" and rows[0].cells == ["1,5", "2,5", "3"]


def test_a_10_mb_cell_rejects_its_row_and_the_next_rows_still_read() -> None:
    big = "x" * (10 * 1024 * 1024)
    data = f'a,b\n1,"{big}"\n2,ok\n3,"multi\nline"\n4,end\n'.encode()
    _, _, rows, _ = rows_of(data)
    assert rows[0].line == 2 and rows[0].cells == ["1", ""]
    assert "10,485,760 characters" in rows[0].problem and f"{MAX_CELL:,}" in rows[0].problem
    assert [(r.line, r.cells) for r in rows[1:]] == [
        (3, ["2", "ok"]),
        (4, ["3", "multi\nline"]),
        (6, ["4", "end"]),
    ]


def test_a_file_of_one_endless_line_is_refused_without_reading_it_all() -> None:
    data = b"x" * (READ_LIMIT + 10)
    with pytest.raises(InputError, match="line 1 is longer than 16,777,216 characters"):
        read_csv(io.BytesIO(data))


def test_a_line_longer_than_the_read_limit_is_rejected_and_reading_goes_on() -> None:
    data = b"a,b\n1," + b"y" * (READ_LIMIT + 5) + b"\n2,ok\n"
    f = read_csv(io.BytesIO(data))
    rows = list(f.rows)
    assert rows[0].line == 2 and rows[0].problem
    assert rows[-1].cells == ["2", "ok"]


def test_ragged_rows_keep_the_cells_they_have() -> None:
    _, _, rows, _ = rows_of(b"a,b,c\n1\n1,2,3,4\n")
    assert [r.cells for r in rows] == [["1"], ["1", "2", "3", "4"]]


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b"   \n"])
def test_a_file_without_a_header_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="header"):
        read_csv(io.BytesIO(data))


def test_progress_counts_the_bytes_read() -> None:
    data = b"a,b\n" + b"1,2\n" * 10_000
    f = read_csv(io.BytesIO(data), size=len(data))
    assert len(list(f.rows)) == 10_000
    assert f.progress.done == f.progress.total == len(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_a_header_error_and_nothing_else(data: bytes) -> None:
    try:
        f = read_csv(io.BytesIO(data), size=len(data))
    except InputError:
        return
    previous = f.header_line
    for row in f.rows:
        assert row.line > previous
        assert row.cells or row.problem
        previous = row.line


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=8))
def test_what_the_csv_module_writes_reads_back_on_the_lines_it_was_written(
    cells: list[list[str]],
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["h1", "h2"])
    expected, line = [], 2
    for row in cells:
        start = out.tell()
        writer.writerow(row)
        if "".join(row).strip():
            expected.append((line, row))
        line += len(re.findall(r"\r\n|\r|\n", out.getvalue()[start:]))
    f = read_csv(io.BytesIO(out.getvalue().encode("utf-8")))
    assert [(r.line, r.cells) for r in f.rows] == expected
