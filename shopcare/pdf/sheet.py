"""A page writer on one ReportLab canvas: a cursor that moves down, wrapped text that starts
a new page instead of running off the bottom, barcodes scaled to fit, simple tables.

The slips draw straight onto the canvas (no Platypus story), so a batch of a hundred slips
is one canvas and one font subset, and every position is known, never guessed.

Positions are given from the page's start edge. A right-to-left document (an Arabic slip)
is drawn mirrored: each x counts from the right margin, lines end there, and the QR code,
logo and barcode swap sides; callers lay out one page for both directions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from reportlab.graphics.barcode import code128, qrencoder
from reportlab.lib.colors import Color, black, grey
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from shopcare.pdf.fonts import (
    directed_wrap,
    left_to_right,
    register_fonts,
    right_to_left,
    runs,
    shorten,
    visual,
)

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4": A4,
    "letter": LETTER,
    "label_4x6": (4 * inch, 6 * inch),
}
LABEL = "label_4x6"
MAX_CELL_LINES = 8
"""A row stays shorter than a label page, so a table never draws below the margin."""


@dataclass(frozen=True)
class Type:
    """Font sizes of one page size: the label is small and dense, paper is roomy."""

    margin: float
    body: float
    small: float
    title: float
    barcode_height: float
    qr_size: float

    @property
    def leading(self) -> float:
        return self.body * 1.3


TYPES = {
    "a4": Type(margin=16 * mm, body=10, small=8, title=18, barcode_height=16 * mm, qr_size=38 * mm),
    "letter": Type(
        margin=0.6 * inch, body=10, small=8, title=18, barcode_height=16 * mm, qr_size=38 * mm
    ),
    LABEL: Type(
        margin=4 * mm, body=7.5, small=6.5, title=13, barcode_height=15 * mm, qr_size=25 * mm
    ),
}


def printed_date(moment: datetime) -> str:
    """A date as every slip prints it: ISO, kept in that order inside an Arabic line."""
    return left_to_right(f"{moment:%Y-%m-%d}")


@dataclass(frozen=True)
class Cell:
    """A table cell: main text, then optional smaller grey lines (variant, SKU, comment)."""

    text: str
    notes: tuple[str, ...] = ()


def new_canvas(out: BytesIO, *, size: str, title: str, author: str) -> Canvas:
    register_fonts()
    canvas = Canvas(out, pagesize=PAGE_SIZES[size], invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    return canvas


class Sheet:
    """The cursor on the current page of ``canvas``; ``on_new_page`` draws a continuation
    header (e.g. the RMA) on every page after the first of one document."""

    def __init__(self, canvas: Canvas, size: str) -> None:
        self.canvas = canvas
        self.size = size
        self.type = TYPES[size]
        self.width, self.height = PAGE_SIZES[size]
        self.left = self.type.margin
        self.right = self.width - self.type.margin
        self.bottom = self.type.margin
        self.y = self.height - self.type.margin
        self.on_new_page: Callable[[Sheet], None] | None = None
        self.used = False
        self.rtl = False

    @property
    def inner_width(self) -> float:
        return self.right - self.left

    def start_document(
        self, on_new_page: Callable[[Sheet], None] | None = None, *, rtl: bool = False
    ) -> None:
        """Each slip of a batch starts on a fresh page, in its own language's direction."""
        if self.used:
            self.canvas.showPage()
        self.used = True
        self.rtl = rtl
        self.y = self.height - self.type.margin
        self.on_new_page = on_new_page

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y = self.height - self.type.margin
        if self.on_new_page:
            self.on_new_page(self)

    def ensure(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    def mirrored(self, x: float, width: float) -> float:
        """The left edge of a box ``width`` wide at ``x`` from the start edge."""
        return self.width - x - width if self.rtl else x

    def line(
        self,
        x: float,
        baseline: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        rtl: bool | None = None,
    ) -> None:
        """One line, font by font (see ``fonts.runs``), in drawing order (``fonts.visual``);
        ``rtl``: the direction of its paragraph when the line is part of a wrapped one.
        On a right-to-left page the line ends at ``x`` from the right margin."""
        shown = runs(visual(text, rtl=right_to_left(text) if rtl is None else rtl), bold=bold)
        drawn = sum(self.canvas.stringWidth(r.text, r.font, size) for r in shown)
        x = self.mirrored(x, drawn)
        for run in shown:
            self.canvas.setFont(run.font, size)
            self.canvas.drawString(x, baseline, run.text)
            x += self.canvas.stringWidth(run.text, run.font, size)

    def block(
        self,
        text: str,
        *,
        x: float | None = None,
        width: float | None = None,
        size: float | None = None,
        bold: bool = False,
        color: Color = black,
        max_lines: int | None = None,
    ) -> None:
        """Wrapped text at the cursor; a line that does not fit goes to the next page."""
        size = size or self.type.body
        x = self.left if x is None else x
        lines = directed_wrap(text, width or self.right - x, size, bold=bold)
        if max_lines is not None and len(lines) > max_lines:
            rest = " ".join(line for line, _ in lines[max_lines - 1 :])
            cut = shorten(rest, width or self.right - x, size, bold=bold)
            lines = [*lines[: max_lines - 1], (cut, lines[max_lines - 1][1])]
        self.canvas.setFillColor(color)
        for text_line, rtl in lines:
            self.ensure(size * 1.3)
            self.y -= size * 1.3
            self.line(x, self.y + size * 0.3, text_line, size=size, bold=bold, rtl=rtl)
        self.canvas.setFillColor(black)

    def gap(self, height: float) -> None:
        self.y = max(self.y - height, self.bottom)

    def rule(self) -> None:
        self.canvas.setStrokeColor(grey)
        self.canvas.setLineWidth(0.4)
        self.canvas.line(self.left, self.y, self.right, self.y)
        self.canvas.setStrokeColor(black)

    def barcode(self, value: str, *, max_width: float, height: float | None = None) -> None:
        """A Code128 at the cursor, bars as wide as fit (at most 1.2 pt, ~0.42 mm), with its
        value printed under it; keeps the ten-module quiet zones scanners need."""
        height = height or self.type.barcode_height
        modules = code128.Code128(value, barWidth=1, lquiet=0, rquiet=0).width
        bar = min(1.2, max_width / (modules + 20))
        code = code128.Code128(
            value, barWidth=bar, barHeight=height, lquiet=10 * bar, rquiet=10 * bar
        )
        self.ensure(height + self.type.body * 1.6)
        self.y -= height
        code.drawOn(self.canvas, self.mirrored(self.left, code.width), self.y)
        self.y -= self.type.body * 1.4
        self.line(self.left + 10 * bar, self.y, value, size=self.type.body, bold=True)
        self.y -= self.type.body * 0.4

    def qr_code(self, value: str, *, x: float, top: float, size: float) -> None:
        """Encoded once and drawn as one filled path of dark runs: ReportLab's widget encodes
        twice (bounds, then drawing) and makes a validated shape per run, ~6x slower."""
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(value)
        code.make()
        border = 4  # the quiet zone scanners need, in modules
        x = self.mirrored(x, size)
        box = size / (code.getModuleCount() + 2 * border)
        path = self.canvas.beginPath()
        for r, row in enumerate(code.modules):
            column = 0
            for dark, group in itertools.groupby(bool(m) for m in row):
                count = len(list(group))
                if dark:
                    left = x + (column + border) * box
                    path.rect(left, top - (r + border + 1) * box, count * box, box)
                column += count
        self.canvas.drawPath(path, stroke=0, fill=1)

    def logo(self, path: Path, *, x: float, top: float, max_w: float, max_h: float) -> float:
        """The logo scaled into the box; returns its drawn height, 0 when it cannot be read
        (the caller then prints the shop's name)."""
        try:
            image = ImageReader(str(path))
            w, h = image.getSize()
        except (OSError, ValueError):
            return 0.0
        scale = min(max_w / w, max_h / h)
        left = self.mirrored(x, w * scale)
        self.canvas.drawImage(image, left, top - h * scale, w * scale, h * scale, mask="auto")
        return float(h * scale)

    def table(self, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[Cell]]) -> None:
        """Columns as (heading, share of the width); a row never splits, and the headings
        are repeated on each page the table runs onto."""
        size, small = self.type.body, self.type.small
        widths = [share * self.inner_width for _, share in columns]
        pad = 2 * mm if self.size != LABEL else 1 * mm

        def heading() -> None:
            self.ensure(size * 2)
            self.y -= size * 1.3
            x = self.left
            for (title, _), w in zip(columns, widths, strict=True):
                self.line(x, self.y + size * 0.3, title, size=small, bold=True)
                x += w
            self.y -= 2
            self.rule()

        heading()
        for row in rows:
            cells = [
                (
                    directed_wrap(c.text, w - pad, size)[:MAX_CELL_LINES],
                    [n for note in c.notes for n in directed_wrap(note, w - pad, small)][
                        :MAX_CELL_LINES
                    ],
                )
                for c, w in zip(row, widths, strict=True)
            ]
            height = max(len(m) * size * 1.3 + len(n) * small * 1.3 for m, n in cells) + 3
            if self.y - height < self.bottom:
                self.new_page()
                heading()
            top, x = self.y, self.left
            for (main, notes), w in zip(cells, widths, strict=True):
                y = top
                for text, rtl in main:
                    y -= size * 1.3
                    self.line(x, y + size * 0.3, text, size=size, rtl=rtl)
                self.canvas.setFillColor(grey)
                for text, rtl in notes:
                    y -= small * 1.3
                    self.line(x, y + small * 0.3, text, size=small, rtl=rtl)
                self.canvas.setFillColor(black)
                x += w
            self.y = top - height
            self.rule()

    def masthead(self, name: str, logo: Path | None, *, width: float) -> None:
        """The shop's logo when there is a readable file, else its name in large type."""
        drawn = 0.0
        if logo is not None:
            box_h = self.type.title * 2.5
            drawn = self.logo(logo, x=self.left, top=self.y, max_w=min(width, 60 * mm), max_h=box_h)
        if drawn:
            self.y -= drawn + 2 * mm
        else:
            self.block(name, width=width, size=self.type.title, bold=True, max_lines=2)

    def columns(self, blocks: Sequence[tuple[str, str]], *, max_lines: int) -> None:
        """Headed text blocks side by side (addresses), each cut to ``max_lines`` lines, so
        the pair always fits on one page."""
        gap = 6 * mm
        each = (self.inner_width - gap * (len(blocks) - 1)) / len(blocks)
        self.ensure((max_lines + 1) * self.type.leading)
        top = lowest = self.y
        for i, (heading, text) in enumerate(blocks):
            self.y = top
            x = self.left + i * (each + gap)
            self.block(heading, x=x, width=each, bold=True, size=self.type.small)
            self.block(text, x=x, width=each, max_lines=max_lines)
            lowest = min(lowest, self.y)
        self.y = lowest
