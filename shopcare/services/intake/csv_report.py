"""An import's report as the owner reads it: on the command line, and as a CSV to download.

Any CSV that ShopCare writes goes through ``csv_safe``: a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip before
looking) is a formula to Excel and LibreOffice, so it is written with a leading apostrophe
and stays text. The reasons in a report quote the file's own cells, which anyone could have
written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from shopcare.services.intake.csv_import import ImportReport, Problem

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_safe_csv(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text with every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def sorted_problems(report: ImportReport) -> list[Problem]:
    """In the file's order: by line, rejections before warnings on the same line."""
    return sorted(report.problems, key=lambda p: (p.line, p.kind != "rejected"))


def report_csv(report: ImportReport) -> str:
    """The report as a CSV file: the summary as comment-free rows, then one row a problem."""
    rows: list[list[object]] = [["line", "order_number", "result", "reason"]]
    rows += [[p.line, p.order_number, p.kind, p.reason] for p in sorted_problems(report)]
    if report.problems_left_out:
        rows.append(["", "", "rejected", f"{report.problems_left_out:,} more problems not listed"])
    return write_safe_csv(rows)


def report_lines(report: ImportReport, *, limit: int = 50) -> list[str]:
    """The problems as lines for a terminal, at most ``limit`` of them."""
    problems = sorted_problems(report)
    lines = [
        printable(f"line {p.line}: {p.kind}: {p.order_number + ': ' if p.order_number else ''}")
        + printable(p.reason)
        for p in problems[:limit]
    ]
    hidden = len(problems) - limit + report.problems_left_out
    if hidden > 0:
        lines.append(f"… and {hidden:,} more (--report FILE writes them all)")
    return lines


def printable(text: str) -> str:
    """Text from a file, safe to print on a terminal: control characters (an escape
    sequence hidden in an order number) are shown escaped, not obeyed."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def report_file(data_dir: Path, run_id: int) -> Path:
    """Where an import's full report is kept, so it can be downloaded after leaving the page."""
    return data_dir / "imports" / f"report-{int(run_id)}.csv"


def save_report(data_dir: Path, run_id: int, report: ImportReport) -> Path:
    path = report_file(data_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_csv(report), encoding="utf-8-sig")  # Excel needs the BOM
    return path
