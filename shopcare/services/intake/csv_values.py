"""Cells as values: dates, amounts, quantities, written the way the file writes them.

Every function raises ``CellError`` with a sentence for the owner; the format mappings turn
it into a rejected row with its line number. Nothing here guesses by dropping characters:
an amount that could be read two ways is read by the file's own convention, and a date
that could be day-first or month-first is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from shopcare.domain.money import minor_digits, parse_money


class CellError(ValueError):
    """A cell that does not hold what its column needs."""


_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_PLAIN_ISO = re.compile(
    r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:\d\d)?)?"
)
"""What ``datetime.fromisoformat`` reads exactly as ``_ISO`` would."""
_DAY_FIRST = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_when(text: str, *, zone: tzinfo, what: str = "date") -> datetime:
    """A moment: ISO 8601 (``2026-05-01T10:00:00+02:00``), Shopify's ``2026-05-01 10:00:00
    +0200``, a date alone, or the dotted day-first ``01.05.2026 10:00`` of a European
    spreadsheet. Without an offset it is the shop's local time (``zone``)."""
    value = text.strip()
    if _PLAIN_ISO.fullmatch(value):  # the common case, parsed in C
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise CellError(f"{what} {_show(text)} is not a date") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    match = _ISO.fullmatch(value)
    if match:
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        micro = int((fraction or "0").ljust(6, "0"))
        moment = _moment(text, what, year, month, day, hour, minute, second, micro)
        return moment.replace(tzinfo=_offset(offset, zone, text, what))
    match = _DAY_FIRST.fullmatch(value)
    if match:
        day, month, year, hour, minute, second = match.groups()
        return _moment(text, what, year, month, day, hour, minute, second, 0).replace(tzinfo=zone)
    raise CellError(
        f"{what} {_show(text)} is not a date (write 2026-05-01 or 2026-05-01T10:00+02:00)"
    )


def _moment(text: str, what: str, *parts: str | int | None) -> datetime:
    year, month, day, hour, minute, second, micro = (int(p or 0) for p in parts)
    try:
        return datetime.combine(date(year, month, day), time(hour, minute, second, micro))
    except ValueError:
        raise CellError(f"{what} {_show(text)} is not a date") from None


def _offset(offset: str | None, zone: tzinfo, text: str, what: str) -> tzinfo:
    if offset is None:
        return zone
    if offset.upper() in ("Z", "UTC"):
        return UTC
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise CellError(f"{what} {_show(text)} has an impossible time zone offset")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


_PLAIN_AMOUNT = re.compile(r"(\d{1,15})(?:[.,](\d{1,3}))?")
"""Digits with a decimal separator and as many decimals as the currency has (or none, for
a currency without decimals): read directly, as ``parse_money`` would."""


def parse_amount(text: str, currency: str, *, decimal: str, what: str = "price") -> int:
    """Minor units. The amount speaks for itself when it can ('19,90', '1.234,50'); one
    that could be read two ways ('1,234') is read by the file's convention (``decimal``:
    ',' in a ``;`` file, else '.')."""
    fast = _PLAIN_AMOUNT.fullmatch(text)
    if fast and len(fast[2] or "") == minor_digits(currency) != 3:
        return int(fast[1] + (fast[2] or ""))
    try:
        return parse_money(text, currency)
    except ValueError as exc:
        if "ambiguous" not in str(exc):
            raise CellError(f"{what} {_show(text)} is not an amount in {currency}") from None
    try:
        return parse_money(text, currency, decimal=decimal)
    except ValueError:
        raise CellError(f"{what} {_show(text)} is not an amount in {currency}") from None


def parse_quantity(text: str, *, what: str = "quantity") -> int:
    """A whole number of items ('2', and '2.0' as spreadsheets write it)."""
    value = text.strip() or "1"
    if value.isdigit() and len(value) < 7:
        return int(value)
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise CellError(f"{what} {_show(text)} is not a number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(f"{what} {_show(text)} is not a whole number")
    if abs(number) > 1_000_000:
        raise CellError(f"{what} {_show(text)} is too large")
    return int(number)


def parse_flag(text: str) -> bool:
    return text.strip().lower() in ("true", "yes", "y", "1", "x", "ja", "oui", "si", "sí")


def _show(text: str) -> str:
    """A cell as the report quotes it: short, so a 60 KB cell does not fill the report."""
    value = text.strip()
    return repr(value if len(value) <= 40 else value[:37] + "...")
