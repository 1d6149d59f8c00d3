"""EasyPost return labels (docs.easypost.com: Shipments, Returns, Shipping Refund, Errors).

    POST /shipments                {"shipment": {is_return, to_address, from_address,
                                    parcel, reference, options.label_format}} -> rates[]
    POST /shipments/{id}/buy       {"rate": {"id": ...}} -> postage_label.label_url,
                                    tracking_code, selected_rate
    GET  /shipments/{id}           the shipment, bought or not (after a timed-out buy)
    POST /shipments/{id}/refund    -> refund_status (submitted, refunded, rejected,
                                    not_applicable)

Basic auth with the key as user name and no password. Errors are ``{"error": {code,
message, errors[]}}``, with ``errors`` as objects (field, message) or plain strings.
Parcel sizes in inches and ounces.
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

PROVIDER = "EasyPost"


class EasyPostLabels:
    def __init__(self, client: httpx.AsyncClient, *, base_url: str, api_key: str) -> None:
        self.client = client
        self.base = base_url.rstrip("/")
        self.auth = httpx.BasicAuth(api_key, "")

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await call(
            self.client,
            method,
            self.base + path,
            provider=PROVIDER,
            words=error_words,
            auth=self.auth,
            **kwargs,
        )

    async def quote(self, order: LabelOrder) -> Quote:
        length, width, height = order.parcel.inches()
        body = {
            "shipment": {
                "is_return": True,
                "to_address": order.shopper.fields(),
                "from_address": order.shop.fields(),
                "parcel": {
                    "length": length,
                    "width": width,
                    "height": height,
                    "weight": order.parcel.ounces(),
                },
                "reference": order.key,
                "options": {"label_format": "PDF"},
            }
        }
        data = await self._call("POST", "/shipments", json=body)
        rates = field(data, "rates", provider=PROVIDER)
        if not isinstance(rates, list):
            raise LabelError(f"{PROVIDER}: rates is not a list", kind=FailureKind.GARBAGE)
        return Quote(
            shipment_ref=str(field(data, "id", provider=PROVIDER)),
            rates=tuple(_rate(r) for r in rates if isinstance(r, dict)),
            messages=_messages(data.get("messages")),
        )

    async def buy(self, quote: Quote, rate: Rate, *, key: str) -> Purchase:
        data = await self._call(
            "POST", f"/shipments/{quote.shipment_ref}/buy", json={"rate": {"id": rate.id}}
        )
        found = _purchase(data)
        if found is None:
            raise LabelError(
                f"{PROVIDER}: bought, but no label came back", kind=FailureKind.GARBAGE
            )
        return found

    async def find(self, shipment_ref: str, rate_ref: str, *, key: str) -> Purchase | None:
        if not shipment_ref:
            return None
        return _purchase(await self._call("GET", f"/shipments/{shipment_ref}"))

    async def refund(self, shipment_ref: str, purchase_ref: str) -> str:
        data = await self._call("POST", f"/shipments/{shipment_ref}/refund")
        return str(data.get("refund_status") or "submitted") if isinstance(data, dict) else ""


def _rate(r: dict[str, Any]) -> Rate:
    return Rate(
        id=str(r.get("id", "")),
        carrier=str(r.get("carrier", "")),
        service=str(r.get("service", "")),
        amount=str(r.get("rate", "")),
        currency=str(r.get("currency", "")),
    )


def _purchase(data: Any) -> Purchase | None:
    """The bought label in a shipment; None while it is not bought."""
    if not isinstance(data, dict):
        raise LabelError(f"{PROVIDER}: the shipment is not an object", kind=FailureKind.GARBAGE)
    label = data.get("postage_label")
    if not isinstance(label, dict) or not label.get("label_url"):
        return None
    selected = data.get("selected_rate")
    return Purchase(
        shipment_ref=str(field(data, "id", provider=PROVIDER)),
        purchase_ref="",
        rate=_rate(selected if isinstance(selected, dict) else {}),
        tracking_number=str(field(data, "tracking_code", provider=PROVIDER)),
        label_url=str(label["label_url"]),
    )


def _messages(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    return "; ".join(
        str(m.get("message", "")) for m in messages if isinstance(m, dict) and m.get("message")
    )[:300]


def error_words(body: Any) -> str:
    """``error.message`` and what ``error.errors`` says per field (objects or strings)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    parts = [str(error.get("message") or error.get("code") or "")]
    for item in error.get("errors") or []:
        if isinstance(item, dict):
            text = " ".join(str(item.get(k) or "") for k in ("field", "message")).strip()
        else:
            text = str(item)
        if text and text not in parts:
            parts.append(text)
    return "; ".join(p for p in parts if p)[:300]
