"""Tracking-number detection: verified samples, ranking, and check-digit properties.

The generators below compute check digits with small implementations written again from the
rule text in docs research §3, so a shared mistake would have to be made twice.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopcare.domain.tracking_numbers import (
    Candidate,
    detect,
    dhl_express_ok,
    fedex12_ok,
    normalise,
    s10_ok,
    ups_check_digit_ok,
)

PROPERTY = settings(max_examples=200, deadline=None, database=None)
ALPHANUMERIC = string.digits + string.ascii_uppercase


# --- independent check-digit implementations, from the rule text -------------------------


def gs1_check(payload: str) -> str:
    """Weight 3 on the digit next to the check digit, then 1, 3, 1… leftwards."""
    size = len(payload)
    total = sum(int(d) * (3 if (size - i) % 2 else 1) for i, d in enumerate(payload))
    return str(-total % 10)


def ups_value(ch: str) -> int:
    """Digits count as themselves; letters from A=2, B=3 … wrapping mod 10."""
    return int(ch) if ch in string.digits else (string.ascii_uppercase.index(ch) + 2) % 10


def ups_check(payload: str) -> str:
    values = [ups_value(ch) for ch in payload]
    return str(-(sum(values[0::2]) + 2 * sum(values[1::2])) % 10)


FEDEX12_WEIGHTS = (3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1)  # "1, 3, 7 from the right", read from the left


def fedex12_remainder(payload: str) -> int:
    return sum(int(d) * w for d, w in zip(payload, FEDEX12_WEIGHTS, strict=True)) % 11


def fedex12_check(payload: str) -> str:
    return str(fedex12_remainder(payload) % 10)


def dhl_check(payload: str) -> str:
    return str(int(payload) % 7)


def s10_remainder(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11


def s10_check(serial: str) -> str:
    check = 11 - s10_remainder(serial)
    return str({10: 0, 11: 5}.get(check, check))


def iso7064_mod37_36_valid(text: str) -> bool:
    """Verification form of the hybrid system: run over payload and check, end on 1."""
    product, total = 36, 0
    for ch in text:
        total = (product + ALPHANUMERIC.index(ch)) % 36 or 36
        product = total * 2 % 37
    return total == 1


def dpd_check(payload: str) -> str:
    return next(ch for ch in ALPHANUMERIC if iso7064_mod37_36_valid(payload + ch))


# --- strategies for valid numbers ------------------------------------------------------------


def digits(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=size, max_size=size)


def checked(body: st.SearchStrategy[str], check: Callable[[str], str]) -> st.SearchStrategy[str]:
    return body.map(lambda payload: payload + check(payload))


def letters(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.ascii_uppercase, min_size=size, max_size=size)


def never(valid: str, corrupted: str) -> bool:
    return False


def ups_blind_spot(valid: str, corrupted: str) -> bool:
    """Plain doubling (no Luhn fold): ±5 in a doubled position adds ±10, invisible mod 10."""
    start = 2 if valid.startswith("1Z") else 1
    pos = next(i for i, (a, b) in enumerate(zip(valid, corrupted, strict=True)) if a != b)
    doubled = pos < len(valid) - 1 and (pos - start) % 2 == 1
    return doubled and abs(int(valid[pos]) - int(corrupted[pos])) == 5


def fedex12_blind_spot(valid: str, corrupted: str) -> bool:
    """Weights 1, 3, 7 are units mod 11, so a body change always moves the remainder; but
    remainders 0 and 10 both give check digit 0, so a move between them goes unseen."""
    moved = {fedex12_remainder(valid[:11]), fedex12_remainder(corrupted[:11])}
    return valid[11] == corrupted[11] and moved == {0, 10}


def dhl_blind_spot(valid: str, corrupted: str) -> bool:
    """Mod 7 of the body: a digit change by d at 10^k moves it by d·10^k, which 7 divides
    only when d is ±7 (7 is prime and does not divide 10). The check digit itself is 0..6,
    so any change of it is seen."""
    changed = [(a, b) for a, b in zip(valid[:-1], corrupted[:-1], strict=True) if a != b]
    return any(abs(int(a) - int(b)) == 7 for a, b in changed)


def s10_blind_spot(valid: str, corrupted: str) -> bool:
    """Weights are units mod 11, so the remainder always moves; but remainders 0 and 6 both
    give check digit 5 (0 → 5 by the special case, 6 → 11 - 6), so that move goes unseen."""
    moved = {s10_remainder(valid[2:10]), s10_remainder(corrupted[2:10])}
    return valid[10] == corrupted[10] and moved == {0, 6}


@dataclass(frozen=True)
class Scheme:
    """A check-digited format: how to make valid numbers, which characters the check covers,
    and exactly which single substitutions the scheme cannot see."""

    format: str
    carrier: str
    numbers: st.SearchStrategy[str]
    covered: slice  # characters we corrupt; outside it the shape itself would change
    blind_spot: Callable[[str, str], bool] = never


def impb() -> st.SearchStrategy[str]:
    lengths = st.sampled_from((19, 23, 27)).flatmap(digits)  # 22, 26 or 30 digits in all
    body = st.tuples(st.sampled_from("2345"), lengths).map(lambda t: "9" + t[0] + t[1])
    return checked(body, gs1_check)


def fedex22() -> st.SearchStrategy[str]:
    head = digits(5).map(lambda scnc_service: "96" + scnc_service)
    return st.tuples(head, digits(14)).map(lambda t: t[0] + t[1] + gs1_check(t[1]))


def s10() -> st.SearchStrategy[str]:
    parts = st.tuples(letters(2), digits(8), letters(2))
    return parts.map(lambda t: t[0] + t[1] + s10_check(t[1]) + t[2])


SCHEMES = [
    Scheme(
        "ups_1z",
        "ups",
        checked(st.text(ALPHANUMERIC, min_size=15, max_size=15), ups_check).map("1Z".__add__),
        slice(2, None),
        ups_blind_spot,
    ),
    Scheme(
        "ups_waybill",
        "ups",
        st.tuples(st.sampled_from("AHJKTV"), checked(digits(9), ups_check)).map("".join),
        slice(1, None),
        ups_blind_spot,
    ),
    Scheme("usps_impb", "usps", impb(), slice(2, None)),
    Scheme("usps_91", "usps", checked(digits(19).map("91".__add__), gs1_check), slice(2, None)),
    Scheme(
        "usps_91",  # printed without its "91", which still counts in the check
        "usps",
        digits(19).map(lambda body: body + gs1_check("91" + body)),
        slice(None),
    ),
    Scheme("usps_20", "usps", checked(digits(19), gs1_check), slice(None)),
    Scheme(
        "fedex_12", "fedex", checked(digits(11), fedex12_check), slice(None), fedex12_blind_spot
    ),
    Scheme("fedex_15", "fedex", checked(digits(14), gs1_check), slice(None)),
    Scheme("fedex_22", "fedex", fedex22(), slice(7, None)),  # the check covers the last 14 only
    Scheme("dhl_express_10", "dhl", checked(digits(9), dhl_check), slice(None), dhl_blind_spot),
    Scheme("dhl_express_11", "dhl", checked(digits(10), dhl_check), slice(None), dhl_blind_spot),
    Scheme("s10", "upu", s10(), slice(2, 11), s10_blind_spot),
    Scheme("canadapost_16", "canadapost", checked(digits(15), gs1_check), slice(None)),
    # ISO 7064 hybrid systems catch every single substitution, the check character included.
    Scheme("dpd_15", "dpd", checked(digits(14), dpd_check), slice(None)),
    Scheme("dpd_28", "dpd", checked(digits(27), dpd_check), slice(None)),
]


def candidate_for(number: str, fmt: str) -> Candidate:
    matches = [c for c in detect(number) if c.format == fmt]
    assert len(matches) == 1, (number, fmt, detect(number))
    return matches[0]


# --- normalising and verified samples --------------------------------------------------------


def test_normalise_drops_spaces_dashes_dots_and_upper_cases() -> None:
    assert normalise(" 1z 5r8-9390.3575 67127\t") == "1Z5R89390357567127"
    assert normalise("rb-123.456.785 gb") == "RB123456785GB"


@pytest.mark.parametrize(
    ("number", "carrier", "fmt"),
    [
        # verified in docs research §3
        ("1Z5R89390357567127", "ups", "ups_1z"),
        ("9400111206206406260787", "usps", "usps_impb"),
        ("986578788855", "fedex", "fedex_12"),
        ("3318810025", "dhl", "dhl_express_10"),
        ("RB123456785GB", "upu", "s10"),
        # test numbers published with jkeen/tracking_number_data
        ("1Z879E930346834440", "ups", "ups_1z"),
        ("92748931507708513018050063", "usps", "usps_impb"),
        ("4201002334249200190132607600833457", "usps", "usps_impb"),
        ("420221539101026837331000039521", "usps", "usps_91"),
        ("71969010756003077385", "usps", "usps_91"),
        ("03071790000523483741", "usps", "usps_20"),
        ("041441760228964", "fedex", "fedex_15"),
        ("9611020987654312345672", "fedex", "fedex_22"),
        ("73891051146", "dhl", "dhl_express_11"),
        ("0073938000549297", "canadapost", "canadapost_16"),
        ("008182709980000020033350276C", "dpd", "dpd_28"),
    ],
)
def test_published_sample_numbers_pass_their_check_digit(
    number: str, carrier: str, fmt: str
) -> None:
    found = candidate_for(number, fmt)
    assert found.carrier == carrier
    assert found.check_digit_ok is True


def test_an_s10_number_names_the_issuing_country() -> None:
    assert detect("rb 123 456 785 gb")[0].country == "GB"


def test_a_sandbox_ups_number_is_still_ups_but_less_certain() -> None:
    best, *_ = detect("1Z12345E0205271688")
    assert (best.carrier, best.format, best.check_digit_ok) == ("ups", "ups_1z", False)
    assert best.confidence < candidate_for("1Z5R89390357567127", "ups_1z").confidence


def test_formats_without_check_digit_say_so() -> None:
    amazon = detect("TBA123456789012")
    assert [(c.carrier, c.check_digit_ok) for c in amazon] == [("amazon", None)]
    assert detect("JJD0099999999")[0].format == "dhl_piece"


def test_text_that_fits_no_format_gives_nothing() -> None:
    assert detect("hello world") == []
    assert detect("") == []


# --- ranking ---------------------------------------------------------------------------------


def test_a_valid_twelve_digit_number_ranks_fedex_first() -> None:
    best = detect("9865 7878 8855")[0]
    assert (best.carrier, best.format, best.check_digit_ok) == ("fedex", "fedex_12", True)


def test_a_distinctive_shape_ranks_above_a_broad_prefix_pattern() -> None:
    assert [c.format for c in detect("RX123456785GB")] == ["s10", "dhl_ecommerce"]


BOTH_FEDEX_15_AND_DPD_15 = "001234567800264"  # passes GS1 and MOD 37,36 alike


def test_the_shops_preferred_carrier_breaks_a_tie() -> None:
    assert [c.check_digit_ok for c in detect(BOTH_FEDEX_15_AND_DPD_15)] == [True, True]
    assert detect(BOTH_FEDEX_15_AND_DPD_15)[0].carrier == "fedex"
    assert detect(BOTH_FEDEX_15_AND_DPD_15, preferred=["dpd"])[0].carrier == "dpd"
    assert detect(BOTH_FEDEX_15_AND_DPD_15, preferred=["DPD", "fedex"])[0].carrier == "dpd"


def test_a_preference_does_not_lift_a_failed_check_above_a_passing_one() -> None:
    fedex_only = "041441760228964"
    ranked = detect(fedex_only, preferred=["dpd"])
    assert [(c.carrier, c.check_digit_ok) for c in ranked] == [("fedex", True), ("dpd", False)]


@PROPERTY
@given(st.text(alphabet=string.digits + "AB1Z", min_size=8, max_size=36), st.data())
def test_ranking_puts_every_passing_check_before_every_failing_one(
    number: str, data: st.DataObject
) -> None:
    preferred = data.draw(st.lists(st.sampled_from(["ups", "usps", "fedex", "dhl", "dpd"])))
    ranked = detect(number, preferred=preferred)
    checks = [c.check_digit_ok for c in ranked]
    if True in checks and False in checks:
        assert max(i for i, ok in enumerate(checks) if ok) < checks.index(False)
    confidences = [c.confidence for c in ranked]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert len({c.format for c in ranked}) == len(ranked)


# --- check-digit properties ------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.format)
@PROPERTY
@given(data=st.data())
def test_a_number_with_the_right_check_digit_is_detected(
    scheme: Scheme, data: st.DataObject
) -> None:
    number = data.draw(scheme.numbers)
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4)).lower()
    found = candidate_for(spaced, scheme.format)
    assert (found.carrier, found.check_digit_ok) == (scheme.carrier, True)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.format)
@PROPERTY
@given(data=st.data())
def test_a_single_substitution_fails_the_check_unless_the_scheme_is_blind_to_it(
    scheme: Scheme, data: st.DataObject
) -> None:
    number = data.draw(scheme.numbers)
    positions = range(len(number))[scheme.covered]
    pos = data.draw(st.sampled_from([p for p in positions if number[p] in string.digits]))
    is_dpd_check = scheme.carrier == "dpd" and pos == len(number) - 1
    alphabet = ALPHANUMERIC if is_dpd_check else string.digits
    replacement = data.draw(st.sampled_from([ch for ch in alphabet if ch != number[pos]]))
    corrupted = number[:pos] + replacement + number[pos + 1 :]
    unseen = scheme.blind_spot(number, corrupted)
    assert candidate_for(corrupted, scheme.format).check_digit_ok is unseen


@PROPERTY
@given(st.sampled_from(("", "42012345", "420123456789")), impb())
def test_a_usps_routing_prefix_is_looked_past(routing: str, number: str) -> None:
    assert candidate_for(routing + number, "usps_impb").check_digit_ok is True


def test_the_blind_spots_named_above_are_real() -> None:
    assert dhl_express_ok("3318810025") and dhl_express_ok("3318817025")  # 0 → 7
    assert ups_check_digit_ok("1Z5R89390357567127") and ups_check_digit_ok("1Z5R84390357567127")
    assert fedex12_ok("000000000000") and fedex12_ok("700000000000")  # remainder 0 → 10
    assert s10_ok("RB123456895GB") and s10_ok("RB133456895GB")  # remainder 0 → 6
