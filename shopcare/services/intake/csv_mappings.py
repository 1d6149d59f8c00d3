"""Rows of a CSV file as orders (or parcels), one format's columns at a time.

An order's rows are together in the file (Shopify writes one row per item, the order's
fields on its first row only): rows are grouped while the order number stays the same,
and an order field is taken from the first of its rows that fills it. A row that cannot
be read as its column needs rejects its order, with the row's line number and the reason;
the other orders go on. Cells are kept as text: nothing is ever evaluated.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from functools import cached_property

from shopcare.domain.intake import DiscountIn, LineIn, OrderIn, ShipmentIn, Source
from shopcare.services.intake.csv_formats import Columns, CsvFormat
from shopcare.services.intake.csv_read import Row
from shopcare.services.intake.csv_values import (
    CellError,
    parse_amount,
    parse_quantity,
    parse_when,
)
from shopcare.services.intake.parcels import ParcelIn

RECENT_ORDERS = 50_000
"""Order numbers remembered to catch an order whose rows are not together (a file sorted by
another column): bounded, so memory stays flat in the file's size."""
SOURCES = {
    CsvFormat.SHOPIFY: Source.SHOPIFY,
    CsvFormat.WOOCOMMERCE: Source.WOOCOMMERCE,
    CsvFormat.GENERIC: Source.CSV,
}
"""A platform's export keeps the platform's order id, so an order imported from its file and
the same order from the platform's API or webhooks are one."""


@dataclass(frozen=True)
class ParsedOrder:
    order: OrderIn
    line: int
    rows: int


@dataclass(frozen=True)
class ParsedParcel:
    parcel: ParcelIn
    line: int


@dataclass(frozen=True)
class Rejected:
    line: int
    order_number: str
    reason: str
    rows: int = 1


Parsed = ParsedOrder | ParsedParcel | Rejected


@dataclass(frozen=True)
class Reading:
    """How this file writes things: its decimal separator and the shop's time zone for
    dates without an offset."""

    columns: Columns
    decimal: str
    zone: tzinfo

    @cached_property
    def item_at(self) -> tuple[int, ...]:
        """Where an item's name, SKU, quantity, price and product tags are (-1: none)."""
        index = self.columns.index
        fields = ("item_name", "item_sku", "item_qty", "item_price", "item_tags")
        return tuple(index.get(f, -1) for f in fields)


def parse_rows(rows: Iterator[Row], reading: Reading) -> Iterator[Parsed]:
    """Every order (or parcel) of the file, or why its rows were rejected."""
    columns = reading.columns
    tracking = columns.format is CsvFormat.TRACKING
    group: list[Row] = []
    seen: OrderedDict[str, int] = OrderedDict()
    at, current = columns.index.get("number", -1), ""
    for row in rows:
        if row.problem and not row.cells:
            yield Rejected(row.line, "", row.problem)
            continue
        if tracking:
            yield from _parcels(row, reading)
            continue
        cells = row.cells
        number = cells[at].strip() if 0 <= at < len(cells) else ""
        if group and number == current:
            group.append(row)
            continue
        current = number
        if group:
            yield from _parsed(group, reading, seen)
        group = [row]
    if group:
        yield from _parsed(group, reading, seen)


def _parsed(group: list[Row], reading: Reading, seen: OrderedDict[str, int]) -> list[Parsed]:
    first = group[0]
    number = reading.columns.get(first.cells, "number")
    if not number:
        return [Rejected(r.line, "", "order number is empty") for r in group]
    if number in seen:  # a second copy would replace the first one's items
        reason = f"the rows of order {number} are not together (it began on line {seen[number]})"
        return [Rejected(first.line, number, reason)]
    seen[number] = first.line
    if len(seen) > RECENT_ORDERS:
        seen.popitem(last=False)
    unusable = [Rejected(r.line, number, r.problem) for r in group if r.problem]
    if unusable:  # the order without that row would be an order with an item missing
        return list(unusable)
    try:
        return [ParsedOrder(_order(group, number, reading), first.line, len(group))]
    except _RowErrors as exc:
        return [Rejected(line, number, reason) for line, reason in exc.errors]


class _RowErrors(Exception):
    """Every row of an order that could not be read, with its line."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(errors[0][1])
        self.errors = errors


ORDER_FIELDS = (
    "currency", "date", "cancelled_at", "status", "total", "email", "name", "first_name",
    "last_name", "ship_name", "ship_first_name", "ship_last_name", "ship_address1",
    "ship_address2", "ship_city", "ship_region", "ship_postcode", "ship_country", "ship_phone",
    "locale", "phone", "external_id", "discount_code", "discount_amount",
)  # fmt: skip


def _order(group: list[Row], number: str, reading: Reading) -> OrderIn:
    c = reading.columns
    f = c.values([r.cells for r in group], ORDER_FIELDS)
    try:
        currency = f["currency"].upper()
        if not currency:
            raise CellError("currency is empty")
        placed_at = parse_when(f["date"], zone=reading.zone, what="order date")
        cancelled = f["cancelled_at"]
        cancelled_at = (
            parse_when(cancelled, zone=reading.zone, what="cancelled at") if cancelled else None
        )
        if cancelled_at is None and f["status"].lower() == "cancelled":
            cancelled_at = placed_at
        total_text = f["total"]
        total = (
            parse_amount(total_text, currency, decimal=reading.decimal, what="order total")
            if total_text
            else None
        )
        discounts = _discounts(f["discount_code"], f["discount_amount"], currency, reading)
    except CellError as exc:
        raise _RowErrors([(group[0].line, str(exc))]) from None
    return OrderIn(
        order_number=number,
        email=f["email"],
        placed_at=placed_at,
        lines=_lines(group, currency, reading),
        customer_name=f["name"] or _joined(f["first_name"], f["last_name"]),
        currency=currency,
        ship_name=f["ship_name"] or _joined(f["ship_first_name"], f["ship_last_name"]),
        ship_address1=f["ship_address1"],
        ship_address2=f["ship_address2"],
        ship_city=f["ship_city"],
        ship_region=f["ship_region"],
        ship_postcode=f["ship_postcode"],
        ship_country=f["ship_country"],
        ship_phone=f["ship_phone"],
        locale=f["locale"] or "en",
        phone=f["phone"],
        source=SOURCES[c.format],
        shipments=_shipments(group, reading),
        external_id=f["external_id"][:64],
        total_minor=total,
        cancelled_at=cancelled_at,
        discounts=discounts,
    )


def _discounts(code: str, amount: str, currency: str, reading: Reading) -> tuple[DiscountIn, ...]:
    """The order's discount code and what it took off (Shopify's export writes it as a
    positive amount; some tools as a negative one)."""
    if not code.strip() or not amount.strip():
        return ()
    minor = parse_amount(amount, currency, decimal=reading.decimal, what="discount amount")
    return (DiscountIn(code.strip(), abs(minor)),)


def _joined(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _lines(group: list[Row], currency: str, reading: Reading) -> list[LineIn]:
    """The order's items; every row with a bad cell is reported, not only the first."""
    lines: list[LineIn] = []
    errors: list[tuple[int, str]] = []
    for row in group:
        try:
            lines += _row_lines(row, currency, reading)
        except CellError as exc:
            errors.append((row.line, str(exc)))
    if errors:
        raise _RowErrors(errors)
    return lines


def _row_lines(row: Row, currency: str, reading: Reading) -> list[LineIn]:
    c, cells = reading.columns, row.cells
    lines = (
        [
            _woo_item(cell, currency, reading)
            for cell in (cells[i] for i in c.item_cells if i < len(cells))
            if cell.strip()
        ]
        if c.item_cells
        else []
    )
    n = len(cells)
    title, sku, quantity, price, tags = [
        cells[i].strip() if 0 <= i < n else "" for i in reading.item_at
    ]
    if title or sku:
        lines.append(
            LineIn(
                title=title or sku,
                quantity=parse_quantity(quantity),
                unit_price_minor=(
                    parse_amount(price, currency, decimal=reading.decimal) if price else 0
                ),
                sku=sku,
                tags=tags,
            )
        )
    return lines


def _woo_item(cell: str, currency: str, reading: Reading) -> LineIn:
    """WebToffee's item cell: ``name:Hoodie|product_id:12|sku:H1|quantity:2|total:40.00``
    (the line's total before tax; the unit price is what one item cost)."""
    values: dict[str, str] = {}
    for part in cell.split("|"):
        key, _, value = part.partition(":")
        values.setdefault(key.strip().lower(), value.strip())
    quantity = parse_quantity(values.get("quantity", ""))
    text = values.get("sub_total") or values.get("total") or ""
    total = parse_amount(text, currency, decimal=reading.decimal) if text else 0
    return LineIn(
        title=values.get("name") or values.get("sku") or "",
        quantity=quantity,
        unit_price_minor=round(total / quantity) if quantity else total,
        sku=values.get("sku", ""),
        product_key=values.get("product_id", "")[:100],
    )


def _shipments(group: list[Row], reading: Reading) -> tuple[ShipmentIn, ...]:
    at = reading.columns.index.get("tracking", -1)
    if at < 0:
        return ()
    found: dict[str, ShipmentIn] = {}
    errors: list[tuple[int, str]] = []
    for row in group:
        if at >= len(row.cells) or not row.cells[at].strip():
            continue
        try:
            for shipment in _row_shipments(row, reading):
                found.setdefault(shipment.tracking_number, shipment)
        except CellError as exc:
            errors.append((row.line, str(exc)))
    if errors:
        raise _RowErrors(errors)
    return tuple(found.values())


def _row_shipments(row: Row, reading: Reading) -> list[ShipmentIn]:
    """The parcels one row names: several tracking numbers may share a cell, ``|``-separated."""
    c = reading.columns
    cell = c.get(row.cells, "tracking")
    if not cell:
        return []
    numbers = [n.strip() for n in cell.split("|") if n.strip()]
    parcel = c.values((row.cells,), ("shipped_at", "carrier", "tracking_url"))
    shipped = parcel["shipped_at"]
    shipped_at = parse_when(shipped, zone=reading.zone, what="shipped at") if shipped else None
    carrier = parcel["carrier"][:32]
    url = parcel["tracking_url"] if len(numbers) == 1 else ""
    return [
        ShipmentIn(
            carrier="",
            tracking_number=number[:64],
            carrier_code=carrier,
            pinned=False,
            tracking_url=url,
            shipped_at=shipped_at,
        )
        for number in numbers
    ]


def _parcels(row: Row, reading: Reading) -> list[Parsed]:
    """A tracking file's row: the parcels it adds to a stored order."""
    number = reading.columns.get(row.cells, "number")
    if row.problem or not number:
        return [Rejected(row.line, number, row.problem or "order number is empty")]
    try:
        shipments = _row_shipments(row, reading)
    except CellError as exc:
        return [Rejected(row.line, number, str(exc))]
    if not shipments:
        return [Rejected(row.line, number, "tracking number is empty")]
    return [ParsedParcel(ParcelIn(order_number=number, shipment=s), row.line) for s in shipments]
