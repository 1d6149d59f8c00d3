"""Reading values out of a platform's JSON without trusting its types: a field may be
missing, null, a number where a string was documented, or the wrong shape altogether.
Anything that cannot be read raises ``ValueError`` naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shopcare.domain.money import parse_money


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
        return int(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not a whole number") from exc


def utc(value: Any, name: str) -> datetime | None:
    """An ISO 8601 time in UTC; one without an offset is read as UTC (the platforms' GMT
    fields carry none)."""
    found = text(value)
    if not found:
        return None
    try:
        moment = datetime.fromisoformat(found.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{name} {found!r} is not a date") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def amount(value: Any, currency: str, name: str) -> int | None:
    """A decimal string with a '.' (both platforms write amounts so) in minor units."""
    if value in (None, ""):
        return None
    try:
        return parse_money(text(value), currency, decimal=".")
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not an amount in {currency}") from exc


def full_name(person: Mapping[str, Any]) -> str:
    return " ".join(p for p in (text(person.get("first_name")), text(person.get("last_name"))) if p)


def web_url(url: str) -> str:
    """Only a web address is kept as a tracking link: it ends up in an email's href."""
    return url if url.startswith(("https://", "http://")) else ""
