"""The return slip the shopper prints and puts in the parcel: the RMA as text and Code128,
a QR code of the return's status page, both addresses, the items with their reasons, and
how to pack. Paper (A4, Letter) and a compact 4×6 inch thermal label."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from reportlab.lib.colors import grey
from reportlab.lib.units import mm

from shopcare.pdf.fonts import right_to_left
from shopcare.pdf.sheet import LABEL, Cell, Sheet, new_canvas, printed_date


@dataclass(frozen=True)
class SlipWords:
    """Every fixed text on the slip, so a caller can pass the shopper's language."""

    title: str = "Return slip"
    order: str = "Order"
    requested: str = "Requested"
    resolution: str = "You asked for"
    send_to: str = "Send the parcel to"
    sender: str = "From"
    quantity: str = "Qty"
    item: str = "Item"
    reason: str = "Reason"
    exchange: str = "Exchange for"
    scan: str = "Scan to follow your return"
    packing: str = "Packing instructions"
    steps: tuple[str, ...] = (
        "Put this slip inside the parcel with the items listed above.",
        "Pack the items safely, in their original packaging if you still have it.",
        "Write the return number {rma} clearly on the outside of the parcel.",
        "Send it to the address above, keep the receipt, and enter the parcel's tracking "
        "number on your return's page.",
    )
    label_step: str = "Put this slip in the parcel. Write {rma} on the outside."
    continued: str = "continued"


@dataclass(frozen=True)
class SlipItem:
    title: str
    quantity: int
    variant: str = ""
    sku: str = ""
    reason: str = ""
    comment: str = ""
    exchange: str = ""
    """The variant wanted in exchange, in words; empty for a refund or credit."""


@dataclass(frozen=True)
class ReturnSlip:
    shop_name: str
    rma: str
    status_url: str
    return_address: str
    order_number: str
    customer_name: str
    created_at: datetime
    """Already in the shop's time zone; printed as a date."""
    reason: str
    items: list[SlipItem] = field(default_factory=list)
    shopper_address: str = ""
    """Name and postal address, one part a line; the customer's name when empty."""
    resolution: str = ""
    logo: Path | None = None
    words: SlipWords = field(default_factory=SlipWords)
    right_to_left: bool = False
    """The words' language reads right to left (Arabic): the page is laid out mirrored."""


def render_return_slip(slip: ReturnSlip, size: str = "a4") -> bytes:
    return render_return_slips([slip], size=size)


def render_return_slips(slips: Iterable[ReturnSlip], *, size: str = "a4") -> bytes:
    """One PDF, each slip starting on a new page; one canvas, so fonts are embedded once."""
    out = BytesIO()
    slips = list(slips)
    title = f"Return slip {slips[0].rma}" if len(slips) == 1 else f"{len(slips)} return slips"
    canvas = new_canvas(out, size=size, title=title, author=slips[0].shop_name if slips else "")
    sheet = Sheet(canvas, size)
    for slip in slips:
        draw_return_slip(sheet, slip)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def draw_return_slip(sheet: Sheet, slip: ReturnSlip) -> None:
    words = slip.words

    def continued(s: Sheet) -> None:
        s.block(f"{slip.rma} · {slip.shop_name} ({words.continued})", bold=True, color=grey)
        s.gap(2 * mm)

    sheet.start_document(continued, rtl=slip.right_to_left)
    if sheet.size == LABEL:
        _label(sheet, slip)
    else:
        _paper(sheet, slip)


def _address(slip: ReturnSlip) -> str:
    return slip.shopper_address or slip.customer_name


def _paper(sheet: Sheet, slip: ReturnSlip) -> None:
    words, t = slip.words, sheet.type
    top = sheet.y
    text_width = sheet.inner_width - t.qr_size - 8 * mm
    sheet.masthead(slip.shop_name, slip.logo, width=text_width)
    sheet.block(words.title, width=text_width)
    sheet.block(slip.rma, width=text_width, size=t.title + 6, bold=True)
    sheet.gap(1 * mm)
    sheet.block(
        f"{words.order} {slip.order_number} · {words.requested} {printed_date(slip.created_at)}",
        width=text_width,
    )
    if slip.resolution:
        sheet.block(f"{words.resolution}: {slip.resolution}", width=text_width)
    text_bottom = sheet.y
    sheet.qr_code(slip.status_url, x=sheet.right - t.qr_size, top=top, size=t.qr_size)
    sheet.y = top - t.qr_size
    sheet.block(words.scan, x=sheet.right - t.qr_size, size=t.small, color=grey, max_lines=2)
    sheet.y = min(sheet.y, text_bottom) - 3 * mm
    sheet.barcode(slip.rma, max_width=sheet.inner_width * 0.6)
    sheet.gap(5 * mm)
    sheet.columns(
        [(words.send_to, slip.return_address), (words.sender, _address(slip))], max_lines=8
    )
    sheet.gap(6 * mm)
    sheet.table(
        [(words.quantity, 0.08), (words.item, 0.5), (words.reason, 0.42)],
        [
            [
                Cell(f"{item.quantity}"),
                Cell(item.title, tuple(n for n in (item.variant, _sku(item)) if n)),
                Cell(item.reason or slip.reason, _reason_notes(item, words)),
            ]
            for item in slip.items
        ],
    )
    sheet.gap(6 * mm)
    sheet.ensure(t.leading * 3)
    sheet.block(words.packing, bold=True)
    for number, step in enumerate(words.steps, start=1):
        sheet.block(f"{number}. {step.format(rma=slip.rma)}", x=sheet.left + 2 * mm)
    sheet.gap(4 * mm)
    sheet.block(slip.status_url, size=t.small, color=grey)


def _label(sheet: Sheet, slip: ReturnSlip) -> None:
    """Barcode first (the carrier or the shop scans it), then QR beside the return address,
    the sender, and one line per item; more items flow onto a second label."""
    words, t = slip.words, sheet.type
    sheet.block(slip.shop_name, size=t.body + 1, bold=True, max_lines=1)
    sheet.block(f"{words.title} · {words.order} {slip.order_number}", size=t.small, max_lines=1)
    sheet.block(slip.rma, size=t.title, bold=True, max_lines=1)
    sheet.barcode(slip.rma, max_width=sheet.inner_width)
    sheet.gap(1 * mm)
    top = sheet.y
    sheet.qr_code(slip.status_url, x=sheet.left, top=top, size=t.qr_size)
    beside = sheet.left + t.qr_size + 3 * mm
    sheet.block(words.send_to, x=beside, size=t.small, bold=True, max_lines=1)
    sheet.block(slip.return_address, x=beside, max_lines=7)
    sheet.y = min(sheet.y, top - t.qr_size) - 2 * mm
    sheet.block(words.sender, size=t.small, bold=True, max_lines=1)
    sheet.block(_address(slip), max_lines=5)
    sheet.gap(1.5 * mm)
    sheet.rule()
    for item in slip.items:
        sheet.ensure(t.leading + t.small * 1.3)  # an item and its reason stay together
        title = " · ".join(p for p in (item.title, item.variant) if p)
        sheet.block(f"{item.quantity}× {title}", max_lines=1)
        detail = item.reason or slip.reason
        if item.exchange:
            arrow = "←" if right_to_left(detail) else "→"  # pointing the way the line reads
            detail = f"{detail} {arrow} {words.exchange}: {item.exchange}"
        sheet.block(detail, x=sheet.left + 3 * mm, size=t.small, color=grey, max_lines=1)
    sheet.gap(1.5 * mm)
    sheet.block(words.label_step.format(rma=slip.rma), size=t.small, max_lines=2)


def _sku(item: SlipItem) -> str:
    return f"SKU {item.sku}" if item.sku else ""


def _reason_notes(item: SlipItem, words: SlipWords) -> tuple[str, ...]:
    notes = []
    if item.comment:
        notes.append(f"“{item.comment[:300]}”")
    if item.exchange:
        notes.append(f"{words.exchange}: {item.exchange}")
    return tuple(notes)
