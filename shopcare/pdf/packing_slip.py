"""The packing slip that goes into an outgoing parcel: who sends it, the order number as
text and Code128 (scanned when packing or when a parcel comes back), where it goes and what
is inside. Same three page sizes as the return slip."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from reportlab.lib.colors import grey
from reportlab.lib.units import mm

from shopcare.pdf.sheet import LABEL, Cell, Sheet, new_canvas, printed_date


@dataclass(frozen=True)
class PackingWords:
    title: str = "Packing slip"
    order: str = "Order"
    date: str = "Date"
    sender: str = "From"
    ship_to: str = "Ship to"
    quantity: str = "Qty"
    item: str = "Item"
    variant: str = "Variant"
    sku: str = "SKU"
    thanks: str = "Thank you for your order."
    continued: str = "continued"


@dataclass(frozen=True)
class PackingItem:
    title: str
    quantity: int
    variant: str = ""
    sku: str = ""


@dataclass(frozen=True)
class PackingSlip:
    shop_name: str
    shop_address: str
    order_number: str
    placed_at: datetime
    """Already in the shop's time zone."""
    ship_to: str
    items: list[PackingItem] = field(default_factory=list)
    logo: Path | None = None
    words: PackingWords = field(default_factory=PackingWords)
    right_to_left: bool = False
    """The words' language reads right to left (Arabic): the page is laid out mirrored."""


def render_packing_slips(slips: Iterable[PackingSlip], *, size: str = "a4") -> bytes:
    out = BytesIO()
    slips = list(slips)
    title = f"Packing slip {slips[0].order_number}" if len(slips) == 1 else "Packing slips"
    canvas = new_canvas(out, size=size, title=title, author=slips[0].shop_name if slips else "")
    sheet = Sheet(canvas, size)
    for slip in slips:
        draw_packing_slip(sheet, slip)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def render_packing_slip(slip: PackingSlip, size: str = "a4") -> bytes:
    return render_packing_slips([slip], size=size)


def draw_packing_slip(sheet: Sheet, slip: PackingSlip) -> None:
    words = slip.words

    def continued(s: Sheet) -> None:
        s.block(f"{words.order} {slip.order_number} ({words.continued})", bold=True, color=grey)
        s.gap(2 * mm)

    sheet.start_document(continued, rtl=slip.right_to_left)
    if sheet.size == LABEL:
        _label(sheet, slip)
    else:
        _paper(sheet, slip)


def _barcode(sheet: Sheet, slip: PackingSlip, *, max_width: float) -> None:
    """Code128 holds ASCII only; an order number in another script is printed, not coded."""
    if slip.order_number.isascii() and slip.order_number.isprintable():
        sheet.barcode(slip.order_number, max_width=max_width)


def _paper(sheet: Sheet, slip: PackingSlip) -> None:
    words, t = slip.words, sheet.type
    half = sheet.inner_width / 2
    top = sheet.y
    sheet.masthead(slip.shop_name, slip.logo, width=half - 4 * mm)
    sheet.block(slip.shop_address, width=half - 4 * mm, size=t.small, max_lines=7)
    left_bottom = sheet.y
    sheet.y = top
    x = sheet.left + half
    sheet.block(words.title, x=x, size=t.title, bold=True, max_lines=1)
    sheet.block(f"{words.order} {slip.order_number}", x=x, bold=True, max_lines=2)
    sheet.block(f"{words.date} {printed_date(slip.placed_at)}", x=x, max_lines=1)
    sheet.y = min(sheet.y, left_bottom) - 4 * mm
    _barcode(sheet, slip, max_width=sheet.inner_width * 0.6)
    sheet.gap(4 * mm)
    sheet.columns([(words.ship_to, slip.ship_to)], max_lines=8)
    sheet.gap(6 * mm)
    sheet.table(
        [(words.quantity, 0.08), (words.item, 0.5), (words.variant, 0.24), (words.sku, 0.18)],
        [[Cell(f"{i.quantity}"), Cell(i.title), Cell(i.variant), Cell(i.sku)] for i in slip.items],
    )
    sheet.gap(6 * mm)
    sheet.block(words.thanks)


def _label(sheet: Sheet, slip: PackingSlip) -> None:
    words, t = slip.words, sheet.type
    sheet.block(slip.shop_name, size=t.body + 1, bold=True, max_lines=1)
    sheet.block(slip.shop_address.replace("\n", ", "), size=t.small, max_lines=2)
    sheet.block(f"{words.title} · {words.date} {printed_date(slip.placed_at)}", size=t.small)
    sheet.block(f"{words.order} {slip.order_number}", size=t.title, bold=True, max_lines=1)
    _barcode(sheet, slip, max_width=sheet.inner_width)
    sheet.gap(1 * mm)
    sheet.block(words.ship_to, size=t.small, bold=True, max_lines=1)
    sheet.block(slip.ship_to, size=t.body + 1.5, max_lines=6)
    sheet.gap(1.5 * mm)
    sheet.rule()
    for item in slip.items:
        sheet.ensure(t.leading)
        detail = " · ".join(p for p in (item.title, item.variant, item.sku) if p)
        sheet.block(f"{item.quantity}× {detail}", max_lines=1)
