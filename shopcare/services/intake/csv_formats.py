"""Which kind of file this is, and its columns by name.

Four formats, told apart by the header alone: Shopify's orders export, a WooCommerce order
export (WebToffee's ``line_item_N`` cells or a one-row-per-item export), ShopCare's generic
format (``docs/import.md``) and the small tracking format that adds parcels to orders
already stored. Columns are found by their name, never their position, matched without
regard to case, spaces, dashes or underscores (``Lineitem compare-at price`` and
``lineitem_compare_at_price`` are one column), so newer exports with extra columns, or
older ones with a few renamed, still read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from shopcare.services.errors import InputError


class CsvFormat(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    GENERIC = "generic"
    TRACKING = "tracking"


def header_key(name: str) -> str:
    """A column name folded for matching: 'Lineitem compare-at price' and
    'lineitem_compare_at_price' both become 'lineitem compare at price'."""
    return " ".join(w for w in re.split(r"[^0-9a-z]+", name.strip().lower()) if w)


ALIASES: dict[CsvFormat, dict[str, tuple[str, ...]]] = {
    CsvFormat.SHOPIFY: {
        "number": ("name",),
        "external_id": ("id",),
        "date": ("created at", "processed at"),
        "email": ("email",),
        "name": ("billing name", "shipping name"),
        "phone": ("phone", "billing phone"),
        "ship_name": ("shipping name",),
        "ship_address1": ("shipping address1", "shipping street"),
        "ship_address2": ("shipping address2",),
        "ship_city": ("shipping city",),
        "ship_region": ("shipping province", "shipping province name"),
        "ship_postcode": ("shipping zip",),
        "ship_country": ("shipping country",),
        "ship_phone": ("shipping phone",),
        "currency": ("currency",),
        "total": ("total",),
        "cancelled_at": ("cancelled at", "canceled at"),
        "discount_code": ("discount code",),
        "discount_amount": ("discount amount",),
        "item_name": ("lineitem name",),
        "item_sku": ("lineitem sku",),
        "item_qty": ("lineitem quantity",),
        "item_price": ("lineitem price",),
    },
    CsvFormat.WOOCOMMERCE: {
        "number": ("order number", "order id"),
        "external_id": ("order id",),
        "date": ("order date", "date created", "order date created"),
        "status": ("status", "order status"),
        "email": ("billing email", "customer email", "email billing"),
        "first_name": ("billing first name", "first name billing"),
        "last_name": ("billing last name", "last name billing"),
        "phone": ("billing phone", "phone billing"),
        "ship_first_name": ("shipping first name", "first name shipping"),
        "ship_last_name": ("shipping last name", "last name shipping"),
        "ship_address1": ("shipping address 1", "address 1 2 shipping", "address 1 shipping"),
        "ship_address2": ("shipping address 2", "address 2 shipping"),
        "ship_city": ("shipping city", "city shipping"),
        "ship_region": ("shipping state", "state code shipping"),
        "ship_postcode": ("shipping postcode", "postcode shipping"),
        "ship_country": ("shipping country", "country code shipping"),
        "ship_phone": ("shipping phone", "phone shipping"),
        "currency": ("order currency", "currency"),
        "total": ("order total", "order total amount"),
        "item_name": ("item name", "product name"),
        "item_sku": ("sku", "item sku"),
        "item_qty": ("quantity", "quantity refund", "item quantity", "qty"),
        "item_price": ("item cost", "item price"),
    },
    CsvFormat.GENERIC: {
        "number": ("order number",),
        "date": ("order date",),
        "email": ("email",),
        "name": ("customer name",),
        "phone": ("phone",),
        "locale": ("locale",),
        "ship_name": ("ship name",),
        "ship_address1": ("ship address1", "ship address 1"),
        "ship_address2": ("ship address2", "ship address 2"),
        "ship_city": ("ship city",),
        "ship_region": ("ship region",),
        "ship_postcode": ("ship postcode",),
        "ship_country": ("ship country",),
        "ship_phone": ("ship phone",),
        "currency": ("currency",),
        "total": ("order total",),
        "cancelled_at": ("cancelled at",),
        "discount_code": ("discount code",),
        "discount_amount": ("discount amount",),
        "item_name": ("item name",),
        "item_sku": ("item sku",),
        "item_qty": ("item qty", "item quantity"),
        "item_price": ("item price",),
        "item_tags": ("item tags",),
        "carrier": ("carrier",),
        "tracking": ("tracking number",),
        "tracking_url": ("tracking url",),
        "shipped_at": ("shipped at",),
    },
    CsvFormat.TRACKING: {
        "number": ("order number", "order", "order name", "name"),
        "tracking": ("tracking number", "tracking", "tracking code", "tracking no"),
        "carrier": ("carrier", "tracking company", "shipping carrier", "courier"),
        "tracking_url": ("tracking url", "tracking link"),
        "shipped_at": ("shipped at", "shipped date", "ship date", "date shipped"),
    },
}
REQUIRED: dict[CsvFormat, tuple[str, ...]] = {
    CsvFormat.SHOPIFY: ("number", "date", "item_name"),
    CsvFormat.WOOCOMMERCE: ("number", "date"),
    CsvFormat.GENERIC: ("number", "date", "item_name"),
    CsvFormat.TRACKING: ("number", "tracking"),
}
_WOO_ITEM_CELL = re.compile(r"line item \d+")


class Columns:
    """Where each field of a format sits in this file's rows."""

    def __init__(self, header: Sequence[str], fmt: CsvFormat) -> None:
        keys: dict[str, int] = {}
        for i, name in enumerate(header):
            keys.setdefault(header_key(name), i)
        self.format = fmt
        self.index: dict[str, int] = {}
        self._plans: dict[tuple[str, ...], tuple[dict[str, str], list[tuple[str, int]]]] = {}
        for field, names in ALIASES[fmt].items():
            found = next((keys[n] for n in names if n in keys), None)
            if found is not None:
                self.index[field] = found
        self.item_cells: tuple[int, ...] = tuple(
            i for key, i in keys.items() if _WOO_ITEM_CELL.fullmatch(key)
        )

    def has(self, field: str) -> bool:
        return field in self.index

    def values(self, rows: Sequence[Sequence[str]], fields: tuple[str, ...]) -> dict[str, str]:
        """Each field's value from the first of the rows that fills it (an order's fields
        are on its first row in Shopify's export; a later row may fill a gap); "" for a
        field the file has no column for."""
        plan = self._plans.get(fields)
        if plan is None:
            present = [(f, self.index[f]) for f in fields if f in self.index]
            plan = self._plans[fields] = (dict.fromkeys(fields, ""), present)
        found, present = dict(plan[0]), plan[1]
        for cells in rows:
            n = len(cells)
            for name, i in present:
                if i < n and not found[name]:
                    found[name] = cells[i].strip()
        return found

    def get(self, cells: Sequence[str], field: str) -> str:
        i = self.index.get(field)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def missing(self) -> list[str]:
        missing = [f for f in REQUIRED[self.format] if f not in self.index]
        if self.format is CsvFormat.WOOCOMMERCE and not (
            self.item_cells or "item_name" in self.index
        ):
            missing.append("item_name")
        return missing


def detect_format(header: Sequence[str]) -> CsvFormat | None:
    """The format this header belongs to, or None. Shopify and WooCommerce first: their
    headers are distinctive; the tracking format last, as it is the smallest."""
    keys = {header_key(h) for h in header}
    if "name" in keys and keys & {"lineitem name", "lineitem quantity"}:
        return CsvFormat.SHOPIFY
    woo_items = any(_WOO_ITEM_CELL.fullmatch(k) for k in keys)
    if keys & {"order id", "order number"} and (
        woo_items or keys & {"billing email", "email billing", "billing first name"}
    ):
        return CsvFormat.WOOCOMMERCE
    if "order number" in keys and "order date" in keys:
        return CsvFormat.GENERIC
    tracking = Columns(header, CsvFormat.TRACKING)
    if not tracking.missing():
        return CsvFormat.TRACKING
    return None


def columns_for(header: Sequence[str], fmt: CsvFormat | None) -> Columns:
    """The columns of the given format, or of the detected one; InputError when the header
    is no format we know or lacks a column the format needs."""
    chosen = fmt or detect_format(header)
    if chosen is None:
        shown = ", ".join(h.strip()[:30] for h in header[:6])
        raise InputError(
            f"unrecognised header ({shown}{', …' if len(header) > 6 else ''}): expected a "
            "Shopify or WooCommerce orders export, or the generic or tracking format "
            "(see docs/import.md)"
        )
    columns = Columns(header, chosen)
    missing = columns.missing()
    if missing:
        names = ", ".join(repr(ALIASES[chosen][m][0]) for m in missing)
        raise InputError(f"not a {chosen} file: the header lacks {names}")
    return columns
