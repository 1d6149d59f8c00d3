"""Return slips per second: one slip per PDF (as a shopper downloads it) and a 100-slip batch
PDF (as the owner prints a day's returns), each through ShopCare's service (load from the
store, lay out, wrap, pick fonts, Code128 + QR) beside a bare ReportLab canvas drawing the
same strings, barcode and QR code at fixed places, from memory, in the same run.

The bare canvas draws the QR code the way ShopCare does (encoded once, one path), so it is
the floor for this library and the ratio is the price of our layout and the store; the
stock QR widget figure is printed beside it (it encodes twice, ~6x slower per QR).
Target: >= 0.5 of the bare canvas (the layout may cost at most as much as the drawing).
Prints the single-slip figure as one JSON line, then the batch figure as the last line.

    python bench/slips.py [--slips 100] [--size a4|letter|label_4x6] [--seconds 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr, qrencoder
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OrderLine, ReturnLine, ReturnRequest, ShopOrder
from shopcare.pdf.fonts import REGULAR, register_fonts
from shopcare.pdf.sheet import PAGE_SIZES
from shopcare.services.returns.slips import return_slips_pdf

PUBLIC_URL = "https://shop.example"
TITLES = ("Ceramic mug, speckled glaze", "Linen apron – natural", "Tea towel set (3)")


def seed(app: ShopCare, count: int) -> list[int]:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ids = []
    with transaction(app.sessions) as session:
        for n in range(count):
            customer = Customer(email=f"c{n}@example.com", name=f"Иван Петров {n}", created_at=now)
            session.add(customer)
            session.flush()
            order = ShopOrder(
                order_number=f"{1000 + n}", customer_id=customer.id or 0, email=customer.email,
                placed_at=now, ship_name=customer.name, ship_address1="ул. Тверская, д. 7",
                ship_city="Москва", ship_postcode="125009", ship_country="RU",
                public_token=secrets.token_urlsafe(16), created_at=now,
            )  # fmt: skip
            session.add(order)
            session.flush()
            lines = [
                OrderLine(
                    order_id=order.id or 0, sku=f"SKU-{i}", title=t, quantity=1, variant="Size M"
                )
                for i, t in enumerate(TITLES)
            ]
            session.add_all(lines)
            session.flush()
            request = ReturnRequest(
                order_id=order.id or 0, rma=f"R-{n:04d}-BNCH",
                public_token=secrets.token_urlsafe(24), reason="too_small", created_at=now,
            )  # fmt: skip
            session.add(request)
            session.flush()
            session.add_all(
                ReturnLine(
                    return_id=request.id or 0,
                    order_line_id=li.id or 0,
                    quantity=1,
                    reason="too_small",
                )
                for li in lines
            )
            ids.append(request.id or 0)
    return ids


def fast_qr(canvas: Canvas, url: str) -> None:
    """Encoded once, one filled path: as ShopCare draws it (see ``Sheet.qr_code``)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(url)
    code.make()
    path = canvas.beginPath()
    for r, row in enumerate(code.modules):
        c = 0
        for dark, group in itertools.groupby(bool(m) for m in row):
            count = len(list(group))
            if dark:
                path.rect(400 + c * 2.5, 800 - r * 2.5, count * 2.5, 2.5)
            c += count
    canvas.drawPath(path, stroke=0, fill=1)


def bare(count: int, size: str, *, stock_qr: bool = False) -> bytes:
    """The same content, nothing measured or wrapped: strings at fixed places, one font.
    ``stock_qr`` draws the QR code with ReportLab's widget, the obvious way."""
    register_fonts()
    out = BytesIO()
    canvas = Canvas(out, pagesize=PAGE_SIZES[size], invariant=1, pageCompression=1)
    for n in range(count):
        rma = f"R-{n:04d}-BNCH"
        canvas.setFont(REGULAR, 10)
        y = 780.0
        for text in ("My Shop", "Return slip", rma, f"Order {1000 + n}", "Send the parcel to",
                     "My Shop", "Returns", "1 Example Street", "10115 Berlin", "Germany",
                     f"Иван Петров {n}", "ул. Тверская, д. 7", "125009 Москва", "RU",
                     *(f"1 {t} Size M SKU-{i} Too small" for i, t in enumerate(TITLES)),
                     "Packing instructions", "1. Put this slip inside the parcel."):  # fmt: skip
            canvas.drawString(40, y, text)
            y -= 14
        code128.Code128(rma, barWidth=1.2, barHeight=45).drawOn(canvas, 40, 100)
        url = f"{PUBLIC_URL}/r/{secrets.token_urlsafe(24)}"
        if stock_qr:
            widget = qr.QrCodeWidget(url, barLevel="M")
            drawing = Drawing(100, 100, transform=[100 / 90.7, 0, 0, 100 / 90.7, 0, 0])
            drawing.add(widget)
            renderPDF.draw(drawing, canvas, 400, 700)
        else:
            fast_qr(canvas, url)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def rate(make: Callable[[], bytes], *, per_call: int, seconds: float) -> tuple[float, int]:
    """Slips per second over at least ``seconds`` of repeated calls (after one warm-up)."""
    size = len(make())
    calls, began = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds or calls < 3:
        make()
        calls += 1
    return calls * per_call / elapsed, size


def figure(name: str, ours: float, base: float) -> dict[str, object]:
    return {
        "bench": name,
        "value": round(ours, 1),
        "unit": "slips/s",
        "baseline": round(base, 1),
        "ratio": round(ours / base, 3),
        "target": 0.5,
    }


def main(count: int, size: str, seconds: float) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        app = build(load_settings({}, data_dir=folder))
        ids = seed(app, count)
        register_fonts()  # once per process for both sides, as in the app

        def one() -> bytes:
            pdf = return_slips_pdf(app.sessions, ids[:1], public_url=PUBLIC_URL, size=size)
            assert pdf is not None
            return pdf

        def batch() -> bytes:
            pdf = return_slips_pdf(app.sessions, ids, public_url=PUBLIC_URL, size=size)
            assert pdf is not None
            return pdf

        single, single_bytes = rate(one, per_call=1, seconds=seconds)
        single_base, _ = rate(lambda: bare(1, size), per_call=1, seconds=seconds)
        stock, _ = rate(lambda: bare(1, size, stock_qr=True), per_call=1, seconds=seconds)
        many, many_bytes = rate(batch, per_call=count, seconds=seconds)
        many_base, _ = rate(lambda: bare(count, size), per_call=count, seconds=seconds)
        app.engine.dispose()
    print(
        f"{size}: single slip {single:.0f}/s ({single_bytes / 1024:.0f} KiB), bare canvas "
        f"{single_base:.0f}/s (with ReportLab's QR widget {stock:.0f}/s); "
        f"{count}-slip batch {many:.0f} slips/s "
        f"({many_bytes / 1024:.0f} KiB, {many_bytes / count / 1024:.1f} KiB a slip), bare canvas "
        f"{many_base:.0f} slips/s"
    )
    return [figure("slips_single", single, single_base), figure("slips_batch", many, many_base)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--slips", type=int, default=100)
    parser.add_argument("--size", default="a4", choices=sorted(PAGE_SIZES))
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    for result in main(args.slips, args.size, args.seconds):
        print(json.dumps(result))
