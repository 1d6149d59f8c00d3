"""The REST API's request and response bodies, as its OpenAPI document shows them.

Money is integer minor units beside a currency code; times are ISO 8601 with an offset (a
time without one is refused: it would be a guess). Every text has the size of the column it
lands in, so nothing is cut silently and no input can reach the store unchecked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from shopcare.domain.intake import LineIn, ShipmentIn

MAX_MINOR = 10**13
"""A hundred billion in major units: more than any order, and far inside 64 bits."""


def _encodable(text: str) -> str:
    """Lone surrogates (JSON allows "\\ud800") cannot be stored as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("text is not valid Unicode") from error
    return text


def _sane(moment: datetime) -> datetime:
    """Within years 1971 to 9998, so converting to UTC can never overflow."""
    if not 1970 < moment.year < 9999:
        raise ValueError("date must be between the years 1971 and 9998")
    return moment.astimezone(UTC)


T16 = Annotated[str, StringConstraints(max_length=16), AfterValidator(_encodable)]
T20 = Annotated[str, StringConstraints(max_length=20), AfterValidator(_encodable)]
T32 = Annotated[str, StringConstraints(max_length=32), AfterValidator(_encodable)]
T64 = Annotated[str, StringConstraints(max_length=64), AfterValidator(_encodable)]
T100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(_encodable)]
T200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(_encodable)]
T320 = Annotated[str, StringConstraints(max_length=320), AfterValidator(_encodable)]
T500 = Annotated[str, StringConstraints(max_length=500), AfterValidator(_encodable)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_encodable)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_encodable)]
Moment = Annotated[AwareDatetime, AfterValidator(_sane)]
Minor = Annotated[int, Field(ge=0, le=MAX_MINOR, strict=True)]
"""Strict: JSON's ``false`` or ``19.9`` is not an amount."""
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^([A-Za-z]{2})?$")]
TrackingNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"[^\s-]"),
    AfterValidator(_encodable),
]
OrderNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"\S"),
    AfterValidator(_encodable),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(Strict):
    name: T200 = ""
    address1: T200 = ""
    address2: T200 = ""
    city: T100 = ""
    region: T100 = ""
    postcode: T20 = ""
    country: Country = Field(default="", description="ISO 3166-1 alpha-2, e.g. DE")
    phone: T32 = ""

    def fields(self) -> dict[str, str]:
        """The ``OrderIn`` fields this address fills."""
        return {f"ship_{k}": v for k, v in self.model_dump().items()}


class LineCreate(Strict):
    title: Title
    quantity: int = Field(default=1, ge=1, le=100_000, strict=True)
    unit_price_minor: Minor = 0
    sku: T100 = ""
    variant: T200 = ""
    product_key: T100 = ""
    tags: T500 = ""
    image_url: T500 = ""
    external_id: T64 = ""

    def line_in(self) -> LineIn:
        return LineIn(**self.model_dump())


class ParcelLine(Strict):
    external_id: Key
    quantity: int = Field(default=1, ge=1, le=100_000, strict=True)


class ShipmentCreate(Strict):
    tracking_number: TrackingNumber
    carrier: T32 = Field(
        default="",
        description="An adapter name (see the admin's Carriers page), or empty to choose "
        "from the number and the configured accounts.",
    )
    carrier_code: T32 = Field(
        default="", description="The carrier's name as the shop knows it, e.g. 'DHL Express'."
    )
    tracking_url: T500 = ""
    shipped_at: Moment | None = None
    lines: list[ParcelLine] = Field(default_factory=list, max_length=500)

    def shipment_in(self) -> ShipmentIn:
        return ShipmentIn(
            carrier=self.carrier.strip(),
            tracking_number=self.tracking_number,
            carrier_code=self.carrier_code,
            pinned=bool(self.carrier.strip()),
            tracking_url=self.tracking_url,
            shipped_at=self.shipped_at,
            line_ids=tuple((li.external_id, li.quantity) for li in self.lines),
        )


class DiscountCreate(Strict):
    code: Key
    amount_minor: Minor = Field(description="What the code took off the order.")


class OrderCreate(Strict):
    order_number: OrderNumber
    email: T320 = Field(
        default="",
        description="An order without a usable address is stored and followed all the same, "
        "with a warning: no message can reach that shopper.",
    )
    placed_at: Moment
    currency: Currency = "EUR"
    lines: list[LineCreate] = Field(min_length=1, max_length=500)
    customer_name: T200 = ""
    locale: T16 = "en"
    phone: T32 = ""
    whatsapp_consent: StrictBool = Field(
        default=False,
        description="The shopper agreed at checkout to hear from the shop on WhatsApp at "
        "`phone`; recorded with its time (withdrawn only by the shopper).",
    )
    shipping_address: Address = Field(default_factory=Address)
    shipments: list[ShipmentCreate] = Field(default_factory=list, max_length=50)
    external_id: T64 = Field(
        default="", description="Your system's id for the order; orders are matched by it."
    )
    total_minor: Minor | None = Field(
        default=None, description="Taxes, shipping and discounts included; default: the lines."
    )
    updated_at: Moment | None = Field(
        default=None,
        description="When your system last changed the order: older copies "
        "than the stored one change nothing.",
    )
    discount_codes: list[DiscountCreate] = Field(
        default_factory=list,
        max_length=20,
        description="Codes used at checkout; a store credit's code among them is redeemed "
        "for its amount, once per order.",
    )


class OrderPatch(Strict):
    """Only what is given changes; an empty text leaves the stored one as it is."""

    email: T320 | None = None
    shipping_address: Address | None = None
    lines: list[LineCreate] | None = Field(
        default=None,
        max_length=500,
        description="Matched to the stored lines (by external_id, else SKU, title and "
        "variant): changed or added, never removed.",
    )
    total_minor: Minor | None = None


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Line(Read):
    id: int
    external_id: str
    sku: str
    title: str
    variant: str
    quantity: int
    unit_price_minor: int
    product_key: str
    tags: str
    image_url: str


class Event(Read):
    at: datetime
    status: str
    description: str
    location: str


class Shipment(Read):
    id: int
    order_id: int
    order_number: str
    carrier: str = Field(description="The adapter following it; empty until one can.")
    carrier_code: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None
    last_event_at: datetime | None
    estimated_delivery: datetime | None
    delayed: bool
    silent: bool
    external_id: str
    created_at: datetime
    events: list[Event] = Field(description="Newest first; empty in lists.")


class ShippingAddress(Read):
    name: str
    address1: str
    address2: str
    city: str
    region: str
    postcode: str
    country: str
    phone: str


class Order(Read):
    id: int
    order_number: str
    external_id: str
    source: str
    status: str = Field(description="unfulfilled, in_progress, delivered or cancelled")
    email: str
    email_problem: str
    currency: str
    total_minor: int
    placed_at: datetime
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    shipping_address: ShippingAddress
    lines: list[Line]
    shipments: list[Shipment]


class OrderWritten(BaseModel):
    outcome: str = Field(description="created, updated, unchanged or stale")
    warnings: list[str]
    order: Order


class OrderPage(Page):
    items: list[Order]


class ShipmentPage(Page):
    items: list[Shipment]


class ReturnLine(Read):
    order_line_id: int
    title: str
    quantity: int
    reason: str
    received_quantity: int | None
    condition: str


class ReturnLabel(Read):
    """The prepaid return label bought for the return (see docs/return-labels.md)."""

    status: str = Field(
        description="due (to be bought), buying, bought, failed (see error; the shopper has "
        "the plain slip) or voided (the return was rejected; the provider was asked to refund)"
    )
    provider: str = Field(description="easypost or shippo")
    carrier: str
    service: str
    tracking_number: str = Field(description="Also the return parcel ShopCare follows")
    cost_minor: int | None = Field(description="What the label cost, in minor units")
    currency: str = Field(description="The cost's currency; empty before the purchase")
    error: str = Field(description="Why the last purchase failed; empty otherwise")
    url: str | None = Field(
        description="The label file on the shopper's site, behind the return's secret token "
        "(no API key needed: treat it like the return email's link); null unless bought and "
        "the return is not rejected"
    )
    media_type: str = Field(description="application/pdf or image/png; empty without url")
    bought_at: datetime | None


class Return(Read):
    id: int
    rma: str
    order_id: int
    order_number: str
    status: str
    reason: str
    comment: str
    resolution: str
    currency: str
    refund_minor: int | None
    fee_minor: int
    shipping_paid_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLine]
    label: ReturnLabel | None = Field(description="null when no label was planned")


class ReturnPage(Page):
    items: list[Return]


class FeedbackItem(Read):
    id: int
    order_id: int
    order_number: str
    score: int | None
    comment: str
    created_at: datetime
    answered_at: datetime | None


class FeedbackPage(Page):
    items: list[FeedbackItem]


class Problem(BaseModel):
    detail: str
