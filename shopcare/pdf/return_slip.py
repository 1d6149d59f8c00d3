"""The return slip the shopper prints and puts in the parcel: RMA as text and Code128,
a QR code of the return's status page, the shop's return address and the items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shopcare.paths import assets_dir


@dataclass(frozen=True)
class SlipItem:
    title: str
    quantity: int


@dataclass(frozen=True)
class ReturnSlip:
    shop_name: str
    rma: str
    status_url: str
    return_address: str
    order_number: str
    customer_name: str
    created_at: datetime
    reason: str
    items: list[SlipItem] = field(default_factory=list)


FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@cache
def _register_fonts() -> None:
    """An embedded Unicode font, so names in any European script print as written."""
    fonts = assets_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


def render_return_slip(slip: ReturnSlip) -> bytes:
    _register_fonts()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Return slip {slip.rma}",
        author=slip.shop_name,
        invariant=1,
    )
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=18, leading=24)
    small = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10, textColor=colors.grey)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    barcode = code128.Code128(slip.rma, barHeight=18 * mm, barWidth=0.5 * mm, humanReadable=True)
    header = Table(
        [
            [
                [para(slip.shop_name, heading), para(f"Return slip {slip.rma}", heading)],
                _qr(slip.status_url),
            ]
        ],
        colWidths=[120 * mm, 50 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    items = Table(
        [[para("Item"), para("Qty")]]
        + [[para(item.title), para(str(item.quantity))] for item in slip.items],
        colWidths=[150 * mm, 20 * mm],
    )
    items.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        header,
        Spacer(1, 4 * mm),
        barcode,
        Spacer(1, 6 * mm),
        para(f"Order {slip.order_number} · {slip.customer_name}"),
        para(f"Requested {slip.created_at:%Y-%m-%d} · Reason: {slip.reason}"),
        Spacer(1, 6 * mm),
        items,
        Spacer(1, 8 * mm),
        para("Send the parcel to:", ParagraphStyle("b", parent=body, fontName=BOLD)),
        para(slip.return_address),
        Spacer(1, 8 * mm),
        para(
            "Put this slip inside the parcel and write the return number "
            f"{slip.rma} on the outside. Scan the QR code to follow your return."
        ),
        Spacer(1, 4 * mm),
        para(slip.status_url, small),
    ]
    doc.build(story)
    return out.getvalue()


def _qr(value: str, size: float = 42 * mm) -> Drawing:
    widget = qr.QrCodeWidget(value, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing
