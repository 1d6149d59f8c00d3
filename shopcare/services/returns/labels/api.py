"""What both label providers do, as one small seam, and their one error.

    LabelError(kind=FailureKind....)
      ADDRESS      422 / an address the carrier refused
      FUNDS        402 / a purchase refused for want of funds or a payment method
      AUTH         401/403: the key
      REFUSED      any other 4xx
      UNAVAILABLE  5xx, 429
      TIMEOUT      no answer in time, cannot connect
      GARBAGE      not JSON, or JSON without what the documentation promises
      NO_RATE      no carrier offered a rate (or not the owner's carrier and service)

The message is the provider's own text where it gave one, never the key.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from shopcare.domain.return_labels import FailureKind, Parcel, Rate

MAX_LABEL_BYTES = 5 * 1024 * 1024


class LabelError(Exception):
    def __init__(self, message: str, *, kind: FailureKind) -> None:
        super().__init__(message[:400])
        self.kind = kind


@dataclass(frozen=True)
class Address:
    name: str
    street1: str
    city: str
    zip: str
    country: str
    street2: str = ""
    state: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""

    def fields(self) -> dict[str, str]:
        """As both providers name an address's fields (EasyPost's and Shippo's agree)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LabelOrder:
    """One return's label as asked: from the shopper to the shop. Both providers want the
    addresses of the original outbound parcel (``shop`` sends to ``shopper``) with the
    return flag and swap them themselves (EasyPost ``is_return``, Shippo
    ``extra.is_return``), so the clients send them that way round."""

    key: str
    shop: Address
    shopper: Address
    parcel: Parcel


@dataclass(frozen=True)
class Quote:
    shipment_ref: str
    rates: tuple[Rate, ...]
    messages: str = ""
    """What the provider said beside the rates (why a carrier gave none)."""


@dataclass(frozen=True)
class Purchase:
    shipment_ref: str
    purchase_ref: str
    rate: Rate
    tracking_number: str
    label_url: str


class LabelClient(Protocol):
    async def quote(self, order: LabelOrder) -> Quote: ...

    async def buy(self, quote: Quote, rate: Rate, *, key: str) -> Purchase: ...

    async def find(self, shipment_ref: str, rate_ref: str, *, key: str) -> Purchase | None:
        """The purchase an earlier attempt made (one that timed out); None when none was."""
        ...

    async def refund(self, shipment_ref: str, purchase_ref: str) -> str:
        """Asks for the label's money back; the provider's refund status."""
        ...


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    words: Any,
    **kwargs: Any,
) -> Any:
    """The JSON of a 2xx answer; else the matching ``LabelError``, worded by ``words``
    (the provider's function from an error body to its text)."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise LabelError(f"{provider}: no answer in time", kind=FailureKind.TIMEOUT) from exc
    except httpx.HTTPError as exc:
        raise LabelError(
            f"{provider}: cannot connect ({type(exc).__name__})", kind=FailureKind.TIMEOUT
        ) from exc
    code = response.status_code
    if response.is_success:
        return json_of(response, provider=provider)
    said = words(_loose_json(response))
    detail = f": {said}" if said else ""
    kind = (
        FailureKind.AUTH if code in (401, 403)
        else FailureKind.FUNDS if code == 402
        else FailureKind.ADDRESS if code == 422 or (code == 400 and "address" in said.lower())
        else FailureKind.UNAVAILABLE if code >= 500 or code == 429
        else FailureKind.REFUSED
    )  # fmt: skip
    raise LabelError(f"{provider} ({code}){detail}", kind=kind)


def json_of(response: httpx.Response, *, provider: str) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LabelError(
            f"{provider}: the answer was not valid JSON", kind=FailureKind.GARBAGE
        ) from exc


def _loose_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def field(data: Any, *path: str, provider: str) -> Any:
    """``data[path...]``; GARBAGE when the documented field is missing."""
    for name in path:
        if not isinstance(data, dict) or name not in data or data[name] is None:
            raise LabelError(
                f"{provider}: the answer lacks {'.'.join(path)}", kind=FailureKind.GARBAGE
            )
        data = data[name]
    return data


async def download(client: httpx.AsyncClient, url: str, *, provider: str) -> bytes:
    """The label file at the provider's URL (a public, signed link: no key is sent)."""
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise LabelError(
            f"{provider}: the label file could not be fetched", kind=FailureKind.TIMEOUT
        ) from exc
    if not response.is_success:
        raise LabelError(
            f"{provider}: the label file answered {response.status_code}",
            kind=FailureKind.UNAVAILABLE,
        )
    if len(response.content) > MAX_LABEL_BYTES:
        raise LabelError(f"{provider}: the label file is too large", kind=FailureKind.GARBAGE)
    return response.content
