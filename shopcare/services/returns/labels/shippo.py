"""Shippo return labels (docs.goshippo.com: Shipments, Returns, Transactions, Refunds).

    POST /shipments      {address_from, address_to, parcels[], extra.is_return, async:false,
                          metadata} -> object_id, rates[] (object_id, provider,
                          servicelevel.name, amount, currency), messages[]
    POST /transactions   {rate, label_file_type:"PDF", async:false, metadata}
                          -> status SUCCESS (label_url, tracking_number) or ERROR (messages[])
    GET  /transactions   ?rate=...: the purchases of a rate (after a timed-out purchase)
    POST /refunds        {transaction, async:false} -> status QUEUED, PENDING, SUCCESS, ERROR

``Authorization: ShippoToken <key>``. A refused request is a 400 whose body names the
fields (``{"address_to": ["..."]}``) or carries ``detail``; a purchase the carrier refuses is
a 201 with ``status: "ERROR"`` and its reasons in ``messages``.
"""

from __future__ import annotations

from typing import Any

import httpx

from shopcare.domain.return_labels import FailureKind, Rate
from shopcare.services.returns.labels.api import (
    LabelError,
    LabelOrder,
    Purchase,
    Quote,
    call,
    field,
)

PROVIDER = "Shippo"
_FUNDS_WORDS = ("fund", "balance", "payment", "billing", "credit card")
_ADDRESS_WORDS = ("address", "zip", "postal")


class ShippoLabels:
    def __init__(self, client: httpx.AsyncClient, *, base_url: str, api_key: str) -> None:
        self.client = client
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"ShippoToken {api_key}"}

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await call(
            self.client,
            method,
            self.base + path,
            provider=PROVIDER,
            words=error_words,
            headers=self.headers,
            **kwargs,
        )

    async def quote(self, order: LabelOrder) -> Quote:
        length, width, height = order.parcel.inches()
        body = {
            "address_from": order.shop.fields(),
            "address_to": order.shopper.fields(),
            "parcels": [
                {
                    "length": str(length),
                    "width": str(width),
                    "height": str(height),
                    "distance_unit": "in",
                    "weight": str(order.parcel.ounces()),
                    "mass_unit": "oz",
                }
            ],
            "extra": {"is_return": True},
            "async": False,
            "metadata": order.key,
        }
        data = await self._call("POST", "/shipments", json=body)
        rates = field(data, "rates", provider=PROVIDER)
        if not isinstance(rates, list):
            raise LabelError(f"{PROVIDER}: rates is not a list", kind=FailureKind.GARBAGE)
        return Quote(
            shipment_ref=str(field(data, "object_id", provider=PROVIDER)),
            rates=tuple(_rate(r) for r in rates if isinstance(r, dict)),
            messages=_messages(data.get("messages")),
        )

    async def buy(self, quote: Quote, rate: Rate, *, key: str) -> Purchase:
        body = {"rate": rate.id, "label_file_type": "PDF", "async": False, "metadata": key}
        data = await self._call("POST", "/transactions", json=body)
        status = field(data, "status", provider=PROVIDER)
        if status == "ERROR":
            said = _messages(data.get("messages")) or "the purchase was refused"
            raise LabelError(f"{PROVIDER}: {said}", kind=_kind_of(said))
        if status != "SUCCESS":  # QUEUED or WAITING despite async:false
            raise LabelError(
                f"{PROVIDER}: the label is not ready yet ({status})", kind=FailureKind.UNAVAILABLE
            )
        return _purchase(data, quote.shipment_ref, rate)

    async def find(self, shipment_ref: str, rate_ref: str, *, key: str) -> Purchase | None:
        if not rate_ref:
            return None
        data = await self._call("GET", "/transactions", params={"rate": rate_ref, "results": 25})
        results = field(data, "results", provider=PROVIDER)
        for item in results if isinstance(results, list) else []:
            if not isinstance(item, dict) or item.get("status") != "SUCCESS":
                continue
            rate = item.get("rate")
            rate_id = rate.get("object_id") if isinstance(rate, dict) else rate
            if rate_id == rate_ref and item.get("metadata", key) == key:
                found = Rate(rate_ref, "", "", "", "")
                if isinstance(rate, dict):
                    found = _rate(rate)
                return _purchase(item, shipment_ref, found)
        return None

    async def refund(self, shipment_ref: str, purchase_ref: str) -> str:
        data = await self._call(
            "POST", "/refunds", json={"transaction": purchase_ref, "async": False}
        )
        return str(data.get("status") or "QUEUED").lower() if isinstance(data, dict) else ""


def _rate(r: dict[str, Any]) -> Rate:
    level = r.get("servicelevel")
    return Rate(
        id=str(r.get("object_id", "")),
        carrier=str(r.get("provider", "")),
        service=str(level.get("name", "")) if isinstance(level, dict) else "",
        amount=str(r.get("amount", "")),
        currency=str(r.get("currency", "")),
    )


def _purchase(data: dict[str, Any], shipment_ref: str, rate: Rate) -> Purchase:
    return Purchase(
        shipment_ref=shipment_ref,
        purchase_ref=str(field(data, "object_id", provider=PROVIDER)),
        rate=rate,
        tracking_number=str(field(data, "tracking_number", provider=PROVIDER)),
        label_url=str(field(data, "label_url", provider=PROVIDER)),
    )


def _messages(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    return "; ".join(
        str(m.get("text", "")) for m in messages if isinstance(m, dict) and m.get("text")
    )[:300]


def _kind_of(text: str) -> FailureKind:
    low = text.lower()
    if any(w in low for w in _FUNDS_WORDS):
        return FailureKind.FUNDS
    if any(w in low for w in _ADDRESS_WORDS):
        return FailureKind.ADDRESS
    return FailureKind.REFUSED


def error_words(body: Any) -> str:
    """``detail``, or each field with its complaints (Shippo's 400 bodies)."""
    if not isinstance(body, dict):
        return ""
    if body.get("detail"):
        return str(body["detail"])[:300]
    parts = []
    for name, said in body.items():
        if isinstance(said, list):
            parts.append(f"{name}: {' '.join(str(s) for s in said)}")
        elif isinstance(said, dict):
            inner = "; ".join(f"{k} {' '.join(map(str, v)) if isinstance(v, list) else v}"
                              for k, v in said.items())  # fmt: skip
            parts.append(f"{name}: {inner}")
        elif isinstance(said, str):
            parts.append(f"{name}: {said}")
    return "; ".join(parts)[:300]
