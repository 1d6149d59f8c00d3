"""Money is an integer of minor units plus an ISO 4217 code; floats never hold it."""

from __future__ import annotations

from decimal import Decimal

_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
     "XAF", "XOF", "XPF"}
)  # fmt: skip
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def minor_digits(currency: str) -> int:
    code = currency.upper()
    return 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMALS else 2


def format_money(minor: int, currency: str) -> str:
    digits = minor_digits(currency)
    amount = Decimal(minor).scaleb(-digits)
    return f"{amount:,.{digits}f} {currency.upper()}"


def parse_money(text: str, currency: str, *, decimal: str | None = None) -> int:
    """An amount as people and files write it, in minor units: '19,90' EUR -> 1990.

    ``decimal`` is the separator the source uses ('.' or ','), when it is known (a file's
    own convention, the owner's locale); the other one then only groups thousands. Without
    it, the amount says: the last of two different separators is the decimal one, and a lone
    separator is decimal unless exactly three digits follow it, which could be either way
    ('1,234' in EUR) and is refused rather than guessed. Currency signs, codes and spaces
    around the number are allowed; ValueError says what is wrong with anything else.
    """
    body = _strip_currency(text, currency)
    if not body:
        raise ValueError(f"not an amount: {text!r}")
    sign = ""
    if body[0] in "-+":
        sign, body = ("-" if body[0] == "-" else ""), body[1:].strip()
    for space in _GROUP_SPACES:
        body = body.replace(space, "")
    if not body or not set(body) <= _AMOUNT_CHARS or not body[0].isdigit():
        raise ValueError(f"not an amount: {text!r}")
    separator = decimal if decimal is not None else _decimal_separator(body, text, currency)
    if separator is None:
        integer, fraction = body, ""
    elif separator in body:
        integer, _, fraction = body.rpartition(separator)
    else:
        integer, fraction = body, ""
    if not _valid_groups(integer):
        raise ValueError(f"not an amount: {text!r}")
    digits = integer.replace(",", "").replace(".", "").replace("'", "")
    if not fraction.isdigit() and fraction:
        raise ValueError(f"not an amount: {text!r}")
    amount = Decimal(f"{sign}{digits}.{fraction or '0'}")
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"too many decimals for {currency.upper()}: {text!r}")
    return int(scaled)


_GROUP_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_AMOUNT_CHARS = frozenset("0123456789.,'")
_SIGNS = "€$£¥₹₩₺₽₪₫฿₴₦₱"


def _strip_currency(text: str, currency: str) -> str:
    body = text.strip()
    code = currency.upper()
    if body.upper().startswith(code):
        body = body[len(code) :]
    elif body.upper().endswith(code):
        body = body[: -len(code)]
    return body.strip().strip(_SIGNS).strip()


def _decimal_separator(body: str, text: str, currency: str) -> str | None:
    marks = [c for c in body if c in ".,"]
    if not marks:
        return None
    last = marks[-1]
    if len(set(marks)) == 2:
        return last
    if len(marks) > 1:
        return None  # '1.234.567': only groups
    after = len(body) - body.index(last) - 1
    if after == 3:
        if minor_digits(currency) == 0:
            return None
        if minor_digits(currency) == 3:
            return last
        raise ValueError(
            f"{text.strip()!r} is ambiguous: write {body.replace(last, '')} or "
            f"{body.replace(last, '.')} with the decimals shown ({body.replace(last, '')}.00)"
        )
    return last


def _valid_groups(integer: str) -> bool:
    """Thousands separators, if any, split the integer part into groups of three."""
    for mark in ",.'":
        if mark in integer:
            head, *groups = integer.split(mark)
            return bool(head) and len(head) <= 3 and all(len(g) == 3 for g in groups)
    return True


COMMON_CURRENCIES = (
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "SEK",
    "DKK",
    "NOK",
    "PLN",
    "CZK",
    "JPY",
    "CAD",
    "AUD",
)
"""Offered first where the owner picks a currency; any other ISO code can be typed."""
