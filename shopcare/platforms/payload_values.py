"""Reading values out of a platform's JSON without trusting its types: a field may be
missing, null, a number where a string was documented, or the wrong shape altogether.
Anything that cannot be read raises ``ValueError`` naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shopcare.domain.intake import DiscountIn
from shopcare.domain.money import parse_money
from shopcare.domain.utc import as_utc

LARGEST = 10**15
"""Above this no quantity or amount (in minor units) is real, and the store's 64-bit
integers would overflow on the way in."""


def text(value: Any) -> str:
    """A scalar as stripped text; "" for null and for objects or lists where a scalar was
    expected."""
    if value is None or isinstance(value, Mapping | list):
        return ""
    return str(value).strip()


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def whole(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} {value!r} is not a whole number")
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not a whole number") from exc
    if abs(number) > LARGEST:
        raise ValueError(f"{name} {value!r} is out of range")
    return number


def utc(value: Any, name: str) -> datetime | None:
    """An ISO 8601 time in UTC; one without an offset is read as UTC (the platforms' GMT
    fields carry none)."""
    found = text(value)
    if not found:
        return None
    try:
        moment = datetime.fromisoformat(found.replace("Z", "+00:00"))
        return as_utc(moment)
    except (ValueError, OverflowError) as exc:  # year 1 or 9999 with an offset overflows
        raise ValueError(f"{name} {found!r} is not a date") from exc


def unix_time(value: Any, name: str) -> datetime | None:
    """Seconds since 1970, as a number or a string."""
    try:
        return datetime.fromtimestamp(int(text(value)), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"{name} {value!r} is not a time") from exc


def decimal(value: Any, name: str) -> Decimal:
    """A plain finite decimal number (a platform's computed amount, which may carry more
    decimals than the currency has); 0 when missing."""
    found = text(value) or "0"
    try:
        number = Decimal(found)
    except ArithmeticError as exc:
        raise ValueError(f"{name} {value!r} is not a number") from exc
    if not number.is_finite() or abs(number) > LARGEST:
        raise ValueError(f"{name} {value!r} is not a number")
    return number


def amount(value: Any, currency: str, name: str) -> int | None:
    """A decimal string with a '.' (both platforms write amounts so) in minor units."""
    if value in (None, ""):
        return None
    try:
        minor = parse_money(text(value), currency, decimal=".")
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not an amount in {currency}") from exc
    if abs(minor) > LARGEST:
        raise ValueError(f"{name} {value!r} is out of range")
    return minor


def full_name(person: Mapping[str, Any]) -> str:
    return " ".join(p for p in (text(person.get("first_name")), text(person.get("last_name"))) if p)


def web_url(url: str) -> str:
    """Only a web address is kept as a tracking link: it ends up in an email's href."""
    return url if url.startswith(("https://", "http://")) else ""


def discount(code: Any, *amounts: Any, currency: str) -> DiscountIn | None:
    """A discount code and what it took off (the sum of ``amounts``: WooCommerce gives the
    tax apart); None when the entry has no code or an amount that cannot be read, which
    costs the order nothing but that code."""
    name = text(code)
    try:
        minor = sum(amount(a, currency, "discount") or 0 for a in amounts)
    except ValueError:
        return None
    return DiscountIn(name, minor) if name else None
