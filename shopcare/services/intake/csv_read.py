"""Reading a CSV file as shops and spreadsheets write them, one row at a time.

Files come from Shopify, WooCommerce plugins and spreadsheets re-saved in a European Excel:
UTF-8 with or without a BOM, or Windows-1252; ``,`` or ``;`` (or tab) between cells; CRLF;
cells with line breaks inside quotes. The file is read incrementally, so memory stays flat
however large it is, and every row carries the physical line it starts on, counting the
line breaks inside quoted cells, so a report points at the line an editor shows.
"""

from __future__ import annotations

import codecs
import csv
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from typing import BinaryIO, NamedTuple

from shopcare.services.errors import InputError

MAX_CELL = 64 * 1024
"""A cell longer than this is no order data (a pasted file, a broken quote): its row is
rejected, the rest of the file goes on."""
READ_LIMIT = 16 * 1024 * 1024
"""The csv module stops at a field this long (it raises, we reject the row). Above MAX_CELL
so that an over-long cell is still read whole and the reader stays in step with the file;
bounded so that an unclosed quote cannot pull the whole file into memory."""
_FALLBACK = "shopcare-cp1252"


@dataclass
class ByteCount:
    """How far into the file the reader is, for a progress bar."""

    done: int = 0
    total: int = 0
    fallback_bytes: int = 0
    """Bytes that were not UTF-8 and were read as Windows-1252."""


class Row(NamedTuple):
    line: int
    """The physical line (1-based) the row starts on."""
    cells: list[str]
    problem: str = ""
    """Why the row cannot be used (its over-long cells, or all its cells, are then empty)."""


@dataclass
class CsvFile:
    """An open CSV file: its header, its delimiter, and its rows after the header."""

    header: list[str]
    header_line: int
    delimiter: str
    rows: Iterator[Row]
    progress: ByteCount = field(default_factory=ByteCount)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as Windows-1252, the encoding Excel writes on
    Windows; per run of bad bytes, so a file that mixes both still reads."""
    assert isinstance(error, UnicodeDecodeError)
    bad = bytes(error.object[error.start : error.end])
    counter = getattr(_reading, "progress", None)
    if counter is not None:
        counter.fallback_bytes += len(bad)
    return bad.decode("cp1252", errors="replace"), error.end


_reading = threading.local()
"""The file this thread is decoding, for the codec error handler, which has no context."""
codecs.register_error(_FALLBACK, _cp1252_fallback)


class _Source(io.RawIOBase):
    """The bytes already read to look for a BOM, then the rest of the file, counted for the
    progress bar."""

    def __init__(self, head: bytes, raw: BinaryIO, progress: ByteCount) -> None:
        self.head, self.raw, self.progress = head, raw, progress
        progress.done = len(head)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.progress.done += len(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_csv(path: Path) -> CsvFile:
    """The file's header and a stream of its rows; InputError when it cannot be read or
    holds no header. The stream closes the file when it is exhausted or closed."""
    try:
        raw = path.open("rb")
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_csv(raw, size=size)


def read_csv(raw: BinaryIO, *, size: int = 0) -> CsvFile:
    """As ``open_csv``, from an open binary stream (an upload)."""
    progress = ByteCount(total=size)
    start = raw.read(4)
    encoding = "utf-16" if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    source = io.BufferedReader(_Source(start, raw, progress), buffer_size=256 * 1024)
    text = io.TextIOWrapper(source, encoding=encoding, errors=_FALLBACK, newline="")
    header_line, first = _first_line(_first_lines(text, progress))
    if first is None:
        text.close()
        raise InputError("the file is empty: a header row is needed")
    if len(first) >= READ_LIMIT:
        text.close()
        raise InputError(f"line {header_line} is longer than {READ_LIMIT:,} characters: no header")
    delimiter = sniff_delimiter(first)
    rows = _rows(text, first, header_line, delimiter, progress)
    header = next(rows, None)
    if header is None:
        text.close()
        raise InputError("the file has no header row")
    if header.problem:
        text.close()
        raise InputError(f"line {header.line}: the header cannot be read ({header.problem})")
    return CsvFile(header.cells, header.line, delimiter, _closing(rows, text), progress)


def _first_lines(text: io.TextIOWrapper, progress: ByteCount) -> Iterator[str]:
    """The lines up to the header, read one by one; the rest is read by the csv module."""
    _reading.progress = progress
    while line := text.readline(READ_LIMIT):
        yield line


def _first_line(lines: Iterator[str]) -> tuple[int, str | None]:
    """The first line that is not blank, and its number."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            return number, line
    return 0, None


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the one of ``,`` ``;`` tab it holds most often
    outside quotes (a ``;`` file is what a European Excel writes)."""
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(
    text: io.TextIOWrapper, first: str, first_line: int, delimiter: str, progress: ByteCount
) -> Iterator[Row]:
    """Rows with the line each starts on; a row the csv module cannot read, or with an
    over-long cell, comes out with its problem instead of its cells."""
    if csv.field_size_limit() < READ_LIMIT:
        csv.field_size_limit(READ_LIMIT)
    _reading.progress = progress
    lines = iter(partial(text.readline, READ_LIMIT), "")  # a line without end is read in parts
    reader = csv.reader(chain((first,), lines), delimiter=delimiter, quotechar='"', strict=False)
    offset = first_line - 1
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(offset + previous + 1, [], f"the row cannot be read: {exc}")
            previous = reader.line_num
            continue
        line = offset + previous + 1
        previous = reader.line_num
        if not "".join(cells).strip():
            continue
        longest = max(map(len, cells))
        if longest > MAX_CELL:  # the other cells stay, so the report can name the order
            kept = [c if len(c) <= MAX_CELL else "" for c in cells]
            yield Row(line, kept, f"a cell is {longest:,} characters long (at most {MAX_CELL:,})")
            continue
        yield Row(line, cells)


def _closing(rows: Iterator[Row], text: io.TextIOWrapper) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        text.close()
