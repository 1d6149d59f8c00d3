"""The carrier's prepaid label in the return slip's PDF: on A4 and Letter a page of its own
before the slip, the label at its printed size (shrunk only if it would not fit) under a
line saying what to do with it; on a 4×6 label printer the label fills the page.

Labels arrive as PDF (we ask for PDF) or PNG. A PDF label is placed as vector content with
pypdf (ReportLab cannot read PDFs), so its barcode prints as sharp as the carrier drew it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from reportlab.lib.colors import grey
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from shopcare.pdf.fonts import REGULAR, register_fonts, right_to_left, visual
from shopcare.pdf.sheet import LABEL, PAGE_SIZES, new_canvas

if TYPE_CHECKING:
    from pypdf import PdfWriter

PNG = "image/png"
PAPER_MARGIN = 15 * mm
CAPTION_SPACE = 12 * mm


@dataclass(frozen=True)
class LabelPage:
    data: bytes
    kind: str
    """"application/pdf" or "image/png"."""
    caption: str = "Prepaid return label: cut it out and stick it on the parcel."


def with_labels(parts: Sequence[tuple[LabelPage | None, bytes]], *, size: str) -> bytes:
    """One PDF of ``parts`` in order: each return's label page (when it has one), then its
    slip's pages."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for label, slip in parts:
        if label is not None:
            add_label_page(writer, label, size=size)
        for page in PdfReader(BytesIO(slip)).pages:
            writer.add_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def add_label_page(writer: PdfWriter, label: LabelPage, *, size: str) -> None:
    """One page of ``size`` with the label on it, added to ``writer``."""
    from pypdf import PdfReader, Transformation

    if label.kind == PNG:
        writer.add_page(PdfReader(BytesIO(_png_page(label, size=size))).pages[0])
        return
    source = PdfReader(BytesIO(label.data)).pages[0]
    box = source.mediabox
    scale, x, y = _placement(float(box.width), float(box.height), size=size)
    page = writer.add_page(PdfReader(BytesIO(_blank(label, size=size))).pages[0])
    page.merge_transformed_page(
        source,
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .scale(scale, scale)
        .translate(x, y),
    )


def _placement(w: float, h: float, *, size: str) -> tuple[float, float, float]:
    """Scale and lower-left corner: the whole page on a label printer, centred; on paper at
    its own size (never enlarged), centred below the caption."""
    width, height = PAGE_SIZES[size]
    if size == LABEL:
        scale = min(width / w, height / h)
        return scale, (width - w * scale) / 2, (height - h * scale) / 2
    room_w = width - 2 * PAPER_MARGIN
    room_h = height - 2 * PAPER_MARGIN - CAPTION_SPACE
    scale = min(room_w / w, room_h / h, 1.0)
    top = height - PAPER_MARGIN - CAPTION_SPACE
    return scale, (width - w * scale) / 2, top - h * scale


def _blank(label: LabelPage, *, size: str) -> bytes:
    out = BytesIO()
    canvas = new_canvas(out, size=size, title="Return label", author="")
    _caption(canvas, label, size=size)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _png_page(label: LabelPage, *, size: str) -> bytes:
    image = ImageReader(BytesIO(label.data))
    w, h = image.getSize()
    # a label image is drawn at 203 dpi (thermal printers), 72 points an inch
    w, h = w * 72 / 203, h * 72 / 203
    scale, x, y = _placement(w, h, size=size)
    out = BytesIO()
    canvas = new_canvas(out, size=size, title="Return label", author="")
    _caption(canvas, label, size=size)
    canvas.drawImage(image, x, y, width=w * scale, height=h * scale)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _caption(canvas, label: LabelPage, *, size: str) -> None:  # type: ignore[no-untyped-def]
    if size == LABEL:
        return
    register_fonts()
    width, height = PAGE_SIZES[size]
    canvas.setFillColor(grey)
    canvas.setFont(REGULAR, 10)
    line = visual(label.caption, rtl=right_to_left(label.caption))  # Arabic joined and ordered
    canvas.drawCentredString(width / 2, height - PAPER_MARGIN - 5 * mm, line)
