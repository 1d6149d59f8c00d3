"""Which carrier a tracking number probably belongs to, judged from its shape and check digit.

Shops paste numbers without saying who carries them, and platforms often leave the carrier
blank. Shapes and check-digit rules follow docs research §3 (patterns from
jkeen/tracking_number_data, MIT). Many shapes overlap (a 15-digit number fits FedEx and DPD),
so `detect` returns every fit, ranked, instead of one answer. A failed check digit only lowers
confidence: carrier sandboxes hand out numbers whose check digit is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import cycle


class Carrier(StrEnum):
    """Our adapter names; UPU stands for any national post issuing S10 numbers."""

    UPS = "ups"
    USPS = "usps"
    FEDEX = "fedex"
    DHL = "dhl"
    UPU = "upu"
    CANADAPOST = "canadapost"
    DPD = "dpd"
    AMAZON = "amazon"


class TrackingFormat(StrEnum):
    UPS_1Z = "ups_1z"
    UPS_WAYBILL = "ups_waybill"
    USPS_IMPB = "usps_impb"
    USPS_91 = "usps_91"
    USPS_20 = "usps_20"
    FEDEX_12 = "fedex_12"
    FEDEX_15 = "fedex_15"
    FEDEX_22 = "fedex_22"
    DHL_EXPRESS_10 = "dhl_express_10"
    DHL_EXPRESS_11 = "dhl_express_11"
    DHL_PIECE = "dhl_piece"
    DHL_ECOMMERCE = "dhl_ecommerce"
    S10 = "s10"
    CANADAPOST_16 = "canadapost_16"
    DPD_15 = "dpd_15"
    DPD_28 = "dpd_28"
    AMAZON_TB = "amazon_tb"


@dataclass(frozen=True)
class Candidate:
    """One way to read a number; `check_digit_ok` is None when the format has no check digit."""

    carrier: Carrier
    format: TrackingFormat
    check_digit_ok: bool | None
    confidence: float
    country: str = ""  # issuing post's ISO country, only for UPU S10 numbers


_DIGITS = re.compile(r"[0-9]+")  # not \d: it also matches non-ASCII digits
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UPS_1Z = re.compile(r"1Z([0-9A-Z]{15})([0-9A-Z])")
_UPS_WAYBILL = re.compile(r"[AHJKTV]([0-9]{9})([0-9])")
_S10 = re.compile(r"[A-Z]{2}([0-9]{8})([0-9])([A-Z]{2})")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_SPECIAL_REMAINDERS = {0: 5, 1: 0}  # 11 - r would give 11 or 10: not one digit
_FEDEX12_WEIGHTS_FROM_RIGHT = (1, 3, 7)
_USPS_ROUTING = "420"  # GS1 "ship to postal code" prefix, followed by a ZIP5 or ZIP9
_USPS_ZIP_LENGTHS = (5, 9)


def normalise(number: str) -> str:
    """Upper-case and drop the spaces, dashes and dots people type or copy from labels."""
    return "".join(ch for ch in number.upper() if not ch.isspace() and ch not in "-.")


def _is_digits(text: str) -> bool:
    return _DIGITS.fullmatch(text) is not None


def gs1_mod10_ok(digits: str) -> bool:
    """GS1 mod 10: the last digit checks the rest; weights 3, 1, 3… from the right."""
    if len(digits) < 2 or not _is_digits(digits):
        return False
    payload = reversed(digits[:-1])
    total = sum(int(d) * weight for d, weight in zip(payload, cycle((3, 1)), strict=False))
    return (10 - total % 10) % 10 == int(digits[-1])


def ups_check_digit_ok(number: str) -> bool:
    """UPS rule for 1Z and waybill numbers: letters count (ASCII - 63) mod 10, every 2nd doubled.

    Doubling without folding digits (unlike Luhn) means a 0↔5 swap in a doubled position
    goes unnoticed; that is the carrier's rule, not ours to improve.
    """
    match = _UPS_1Z.fullmatch(number) or _UPS_WAYBILL.fullmatch(number)
    if match is None:
        return False
    payload, check = match.groups()
    values = [int(ch) if ch.isdigit() else (ord(ch) - 63) % 10 for ch in payload]
    total = sum(value * (2 if index % 2 else 1) for index, value in enumerate(values))
    return str((10 - total % 10) % 10) == check


def fedex12_ok(number: str) -> bool:
    """FedEx Express 12: weights 1, 3, 7 from the right over 11 digits; check = Σ mod 11 mod 10."""
    if len(number) != 12 or not _is_digits(number):
        return False
    payload = reversed(number[:11])
    weights = cycle(_FEDEX12_WEIGHTS_FROM_RIGHT)
    total = sum(int(d) * w for d, w in zip(payload, weights, strict=False))
    return total % 11 % 10 == int(number[11])


def dhl_express_ok(number: str) -> bool:
    """DHL Express 10/11: all digits but the last, read as one integer, mod 7."""
    if len(number) not in (10, 11) or not _is_digits(number):
        return False
    return int(number[:-1]) % 7 == int(number[-1])


def s10_ok(number: str) -> bool:
    """UPU S10: weights 8,6,4,2,3,5,9,7 over the serial; check = 11 - Σ mod 11 (10→0, 11→5)."""
    match = _S10.fullmatch(number)
    if match is None:
        return False
    serial, check, _country = match.groups()
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return _S10_SPECIAL_REMAINDERS.get(remainder, 11 - remainder) == int(check)


def dpd_mod37_36_ok(number: str) -> bool:
    """DPD: ISO 7064 MOD 37,36 (hybrid); the last character, a digit or letter, checks the rest."""
    if len(number) < 2 or any(ch not in _ALPHANUMERIC for ch in number):
        return False
    product = 36
    for ch in number[:-1]:
        total = (product + _ALPHANUMERIC.index(ch)) % 36 or 36
        product = total * 2 % 37
    return _ALPHANUMERIC[(37 - product) % 36] == number[-1]


def _fedex22_ok(number: str) -> bool:
    """FedEx Ground 96…: the check covers only the 14-digit shipper + package serial."""
    return gs1_mod10_ok(number[7:])


def _usps_implied_91_ok(number: str) -> bool:
    """A 20-digit IMpb printed without its "91" application identifier is checked with it."""
    return gs1_mod10_ok("91" + number)


@dataclass(frozen=True)
class _Format:
    name: TrackingFormat
    carrier: Carrier
    pattern: re.Pattern[str]
    specificity: float  # how sure the shape alone makes us, before any check digit
    check: Callable[[str], bool] | None = None
    routing_prefix: bool = False  # USPS labels may carry 420 + ZIP before the number


def _fmt(
    name: TrackingFormat,
    carrier: Carrier,
    regex: str,
    specificity: float,
    check: Callable[[str], bool] | None = None,
    *,
    routing_prefix: bool = False,
) -> _Format:
    return _Format(name, carrier, re.compile(regex), specificity, check, routing_prefix)


# Bare digit strings of 10, 12, 15, 16 and 20 digits could be many things.
_AMBIGUOUS = 0.35
_F, _C = TrackingFormat, Carrier
_FORMATS: tuple[_Format, ...] = (
    _fmt(_F.UPS_1Z, _C.UPS, r"1Z[0-9A-Z]{16}", 0.9, ups_check_digit_ok),
    _fmt(_F.UPS_WAYBILL, _C.UPS, r"[AHJKTV][0-9]{10}", 0.6, ups_check_digit_ok),
    _fmt(_F.S10, _C.UPU, r"[A-Z]{2}[0-9]{9}[A-Z]{2}", 0.9, s10_ok),
    _fmt(_F.AMAZON_TB, _C.AMAZON, r"TB[ACM][0-9]{12}", 0.9),
    _fmt(
        _F.USPS_IMPB,
        _C.USPS,
        r"9[2-5][0-9]{20}(?:[0-9]{4}){0,2}",
        0.8,
        gs1_mod10_ok,
        routing_prefix=True,
    ),
    _fmt(_F.USPS_91, _C.USPS, r"91[0-9]{20}", 0.7, gs1_mod10_ok, routing_prefix=True),
    _fmt(_F.FEDEX_22, _C.FEDEX, r"96[0-9]{20}", 0.8, _fedex22_ok),
    _fmt(_F.DHL_PIECE, _C.DHL, r"J[A-Z]{2,3}[0-9]{9,10}", 0.6),
    _fmt(
        _F.DHL_ECOMMERCE,
        _C.DHL,
        r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)[0-9A-Z]{10,39}",
        0.4,
    ),
    _fmt(_F.DPD_28, _C.DPD, r"[0-9]{27}[0-9A-Z]", 0.5, dpd_mod37_36_ok),
    _fmt(_F.CANADAPOST_16, _C.CANADAPOST, r"[0-9]{16}", 0.4, gs1_mod10_ok),
    _fmt(_F.FEDEX_12, _C.FEDEX, r"[0-9]{12}", _AMBIGUOUS, fedex12_ok),
    _fmt(_F.FEDEX_15, _C.FEDEX, r"[0-9]{15}", _AMBIGUOUS, gs1_mod10_ok),
    _fmt(_F.DPD_15, _C.DPD, r"[0-9]{14}[0-9A-Z]", _AMBIGUOUS, dpd_mod37_36_ok),
    _fmt(_F.DHL_EXPRESS_10, _C.DHL, r"[0-9]{10}", _AMBIGUOUS, dhl_express_ok),
    _fmt(_F.DHL_EXPRESS_11, _C.DHL, r"[0-9]{11}", _AMBIGUOUS, dhl_express_ok),
    _fmt(_F.USPS_20, _C.USPS, r"[0-9]{20}", _AMBIGUOUS, gs1_mod10_ok),
    _fmt(_F.USPS_91, _C.USPS, r"[0-9]{20}", 0.3, _usps_implied_91_ok, routing_prefix=True),
)

# A check digit moves confidence halfway towards certainty (pass) or towards zero (fail), so
# every passing candidate outranks every failing one, even with the preference boost.
_PREFERRED_BOOST = 0.05


def _routing_variants(number: str) -> Iterable[str]:
    """The number itself and, after a 420 + ZIP5/ZIP9 routing prefix, what follows it."""
    yield number
    if number.startswith(_USPS_ROUTING):
        for zip_length in _USPS_ZIP_LENGTHS:
            yield number[len(_USPS_ROUTING) + zip_length :]


def _check_results(fmt: _Format, number: str) -> list[bool | None]:
    """One result per way the number fits the format; empty when it does not fit at all."""
    if not fmt.routing_prefix:  # most formats: one match or none (detect runs per parcel)
        if fmt.pattern.fullmatch(number) is None:
            return []
        return [fmt.check(number) if fmt.check else None]
    fitting = [v for v in _routing_variants(number) if fmt.pattern.fullmatch(v)]
    return [fmt.check(v) if fmt.check else None for v in fitting]


def _confidence(specificity: float, check_ok: bool | None, *, preferred: bool) -> float:
    if check_ok is None:
        score = specificity
    elif check_ok:
        score = (1 + specificity) / 2
    else:
        score = specificity / 2
    if preferred:
        score = min(1.0, score + _PREFERRED_BOOST)
    return round(score, 3)


def detect(number: str, *, preferred: Sequence[str] = ()) -> list[Candidate]:
    """Every format the number fits, best first.

    Order: confidence (a passing check digit beats a failing one; distinctive shapes beat bare
    digit lengths; the shop's `preferred` carriers get a small boost), then the shop's
    preference order, then table order. Nothing is rejected for a failed check digit.
    """
    text = normalise(number)
    wanted = [p.lower() for p in preferred]
    ranked: list[tuple[float, int, int, Candidate]] = []
    for order, fmt in enumerate(_FORMATS):
        results = _check_results(fmt, text)
        if not results:
            continue
        check_ok = True if True in results else results[0]
        is_preferred = fmt.carrier.value in wanted
        candidate = Candidate(
            carrier=fmt.carrier,
            format=fmt.name,
            check_digit_ok=check_ok,
            confidence=_confidence(fmt.specificity, check_ok, preferred=is_preferred),
            country=text[-2:] if fmt.carrier is Carrier.UPU else "",
        )
        rank = wanted.index(fmt.carrier.value) if is_preferred else len(wanted)
        ranked.append((-candidate.confidence, rank, order, candidate))
    ranked.sort(key=lambda item: item[:3])
    return [candidate for *_, candidate in ranked]
