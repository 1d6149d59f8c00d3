"""Money is an integer of minor units plus an ISO 4217 code; floats never hold it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_ZERO_DECIMAL = frozenset({"BIF", "CLP", "JPY", "KRW", "PYG", "VND", "XAF", "XOF", "ISK", "HUF"})


def minor_digits(currency: str) -> int:
    return 0 if currency.upper() in _ZERO_DECIMAL else 2


def format_money(minor: int, currency: str) -> str:
    digits = minor_digits(currency)
    amount = Decimal(minor).scaleb(-digits)
    return f"{amount:,.{digits}f} {currency.upper()}"


def parse_money(text: str, currency: str) -> int:
    """'12.50' EUR -> 1250. Raises ValueError on anything that is not a plain amount."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"too many decimals for {currency}: {text!r}")
    return int(scaled)
