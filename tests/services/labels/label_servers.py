"""Loopback servers that answer as EasyPost's and Shippo's documentation shows, keeping the
shipments and purchases they made, and serving the label files they link to: a 4×6 PDF
with a real Code128 barcode of the tracking number (ReportLab's barcode module), or a PNG.

EasyPost (docs.easypost.com, Shipments / Returns / Shipping Refund / Errors): a shipment
object with ``rates[]`` (id, carrier, service, rate, currency), bought with
``{"rate": {"id"}}`` into ``postage_label.label_url``, ``tracking_code`` and
``selected_rate``; errors ``{"error": {code, message, errors[]}}`` with 402 for funds and
422 for an address. Shippo (docs.goshippo.com): ``object_id``, ``rates[]`` (object_id,
provider, servicelevel.name, amount, currency), a transaction with ``status``
SUCCESS/ERROR, ``label_url``, ``tracking_number``, ``messages[]``, and refunds.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode import code128
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from tests.adapters.carrier_server import CarrierServer, Reply, Request

TRACKING = "9400111206206406260787"
"""A USPS IMpb number whose check digit passes (services/returns/shipments follows it)."""


def label_pdf(tracking: str = TRACKING) -> bytes:
    """A carrier-like 4×6 label: the service, the addresses, the tracking barcode."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(4 * inch, 6 * inch), invariant=1)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(10 * mm, 6 * inch - 15 * mm, "USPS PRIORITY MAIL")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(10 * mm, 6 * inch - 25 * mm, "RETURN SERVICE REQUESTED")
    barcode = code128.Code128(tracking, barHeight=22 * mm, barWidth=0.32 * mm, quiet=True)
    barcode.drawOn(canvas, (4 * inch - barcode.width) / 2, 40 * mm)
    canvas.drawCentredString(2 * inch, 34 * mm, tracking)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def label_png(tracking: str = TRACKING) -> bytes:
    """The same label as a 203 dpi PNG (a thermal printer's resolution), rendered by
    poppler as the tests read PDFs."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "label.pdf"
        pdf.write_bytes(label_pdf(tracking))
        subprocess.run(
            ["pdftoppm", "-r", "203", "-png", "-singlefile", str(pdf), str(Path(folder) / "l")],
            check=True,
            timeout=60,
        )
        return (Path(folder) / "l.png").read_bytes()


def _json(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body))


@dataclass
class FakeEasyPost:
    """EasyPost's /v2 under ``server.url + "/v2"``."""

    server: CarrierServer
    rates: list[tuple[str, str, str, str]] = field(
        default_factory=lambda: [
            ("rate_express", "USPS", "Express", "27.20"),
            ("rate_priority", "USPS", "Priority", "7.58"),
            ("rate_ground", "UPS", "Ground", "9.10"),
        ]
    )
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    label: bytes = field(default_factory=label_pdf)
    fail_create: Reply | None = None
    fail_buy: Reply | None = None
    buy_delay: float = 0.0
    """The buy happens, but the answer comes after this long (a timeout on our side)."""

    @property
    def url(self) -> str:
        return self.server.url + "/v2"

    def install(self) -> FakeEasyPost:
        self.server.route("POST", "/v2/shipments", self._create)
        self.server.route("GET", "/labels/easypost.pdf", lambda r: self._label())
        return self

    def _label(self) -> Reply:
        return Reply(200, self.label, content_type="application/pdf")

    def _create(self, request: Request) -> Reply:
        if self.fail_create is not None:
            return self.fail_create
        body = request.json()["shipment"]
        sid = f"shp_{len(self.shipments) + 1:04d}"
        shipment = {
            "id": sid,
            "object": "Shipment",
            "mode": "test",
            "is_return": body.get("is_return", False),
            "reference": body.get("reference"),
            "to_address": body["to_address"],
            "from_address": body["from_address"],
            "parcel": {"object": "Parcel", **body["parcel"]},
            "options": body.get("options", {}),
            "rates": [
                {
                    "id": rid,
                    "object": "Rate",
                    "mode": "test",
                    "service": service,
                    "carrier": carrier,
                    "rate": amount,
                    "currency": "USD",
                    "shipment_id": sid,
                }
                for rid, carrier, service, amount in self.rates
            ],
            "messages": [],
            "postage_label": None,
            "selected_rate": None,
            "tracking_code": None,
            "refund_status": None,
        }
        self.shipments[sid] = shipment
        self.server.route("POST", f"/v2/shipments/{sid}/buy", lambda r: self._buy(sid, r))
        self.server.route("GET", f"/v2/shipments/{sid}", lambda r: _json(200, self.shipments[sid]))
        self.server.route("POST", f"/v2/shipments/{sid}/refund", lambda r: self._refund(sid))
        return _json(201, shipment)

    def _buy(self, sid: str, request: Request) -> Reply:
        if self.fail_buy is not None:
            return self.fail_buy
        shipment = self.shipments[sid]
        if shipment["postage_label"] is not None:
            return _json(422, {"error": {"code": "SHIPMENT.POSTAGE.EXISTS",
                                         "message": "Postage already exists for this shipment.",
                                         "errors": []}})  # fmt: skip
        rate_id = request.json()["rate"]["id"]
        rate = next(r for r in shipment["rates"] if r["id"] == rate_id)
        shipment["selected_rate"] = rate
        shipment["tracking_code"] = TRACKING
        shipment["postage_label"] = {
            "object": "PostageLabel",
            "label_file_type": "application/pdf",
            "label_url": f"{self.server.url}/labels/easypost.pdf",
        }
        return Reply(200, json.dumps(shipment), delay=self.buy_delay)

    def _refund(self, sid: str) -> Reply:
        self.shipments[sid]["refund_status"] = "submitted"
        return _json(200, self.shipments[sid])

    def buys(self) -> list[Request]:
        return [r for r in self.server.requests if r.path.endswith("/buy")]


@dataclass
class FakeShippo:
    server: CarrierServer
    transactions: list[dict[str, Any]] = field(default_factory=list)
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    label: bytes = field(default_factory=label_pdf)
    transaction_error: list[dict[str, str]] | None = None
    buy_delay: float = 0.0

    @property
    def url(self) -> str:
        return self.server.url

    def install(self) -> FakeShippo:
        self.server.route("POST", "/shipments", self._create)
        self.server.route("POST", "/transactions", self._transaction)
        self.server.route("GET", "/transactions", self._list)
        self.server.route("POST", "/refunds", self._refund)
        self.server.route(
            "GET",
            "/labels/shippo.pdf",
            lambda r: Reply(200, self.label, content_type="application/pdf"),
        )
        return self

    def _create(self, request: Request) -> Reply:
        body = request.json()
        sid = f"5e40ead7cffe4cc1ad45108696162e4{len(self.shipments)}"
        shipment = {
            "object_id": sid,
            "object_state": "VALID",
            "status": "SUCCESS",
            "address_from": body["address_from"],
            "address_to": body["address_to"],
            "parcels": body["parcels"],
            "extra": body.get("extra", {}),
            "metadata": body.get("metadata", ""),
            "rates": [
                {
                    "object_id": f"rate{sid[-1]}a",
                    "amount": "5.50",
                    "currency": "USD",
                    "provider": "USPS",
                    "servicelevel": {"name": "Priority Mail", "token": "usps_priority"},
                },
                {
                    "object_id": f"rate{sid[-1]}b",
                    "amount": "4.95",
                    "currency": "USD",
                    "provider": "USPS",
                    "servicelevel": {"name": "Ground Advantage", "token": "usps_ground_advantage"},
                },
            ],
            "messages": [],
        }
        self.shipments[sid] = shipment
        return _json(201, shipment)

    def _transaction(self, request: Request) -> Reply:
        body = request.json()
        tid = f"915d94940ea54c3a80cbfa328722f5a{len(self.transactions)}"
        if self.transaction_error is not None:
            return _json(201, {"object_id": tid, "status": "ERROR", "rate": body["rate"],
                               "tracking_number": "", "label_url": "",
                               "messages": self.transaction_error})  # fmt: skip
        transaction = {
            "object_id": tid,
            "object_state": "VALID",
            "status": "SUCCESS",
            "rate": body["rate"],
            "metadata": body.get("metadata", ""),
            "tracking_number": TRACKING,
            "tracking_status": "UNKNOWN",
            "label_url": f"{self.server.url}/labels/shippo.pdf",
            "label_file_type": body.get("label_file_type", "PDF"),
            "messages": [],
            "test": True,
        }
        self.transactions.append(transaction)
        return Reply(201, json.dumps(transaction), delay=self.buy_delay)

    def _list(self, request: Request) -> Reply:
        wanted = request.query.get("rate", [""])[0]
        found = [t for t in self.transactions if not wanted or t["rate"] == wanted]
        return _json(200, {"next": None, "previous": None, "results": found})

    def _refund(self, request: Request) -> Reply:
        body = request.json()
        return _json(201, {"object_id": "refund1", "status": "QUEUED",
                           "transaction": body["transaction"], "test": True})  # fmt: skip

    def purchases(self) -> list[Request]:
        return [r for r in self.server.requests if r.method == "POST" and r.path == "/transactions"]
