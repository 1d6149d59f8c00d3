import random

import pytest

from shopcare.domain.money import format_money, parse_money
from shopcare.domain.returns import (
    RMA_ALPHABET,
    check_return_request,
    make_rma,
    returnable_quantities,
)


def test_money_is_formatted_from_minor_units() -> None:
    assert format_money(123456, "eur") == "1,234.56 EUR"
    assert format_money(500, "JPY") == "500 JPY"


def test_money_is_parsed_to_minor_units_and_rejects_nonsense() -> None:
    assert parse_money("12.5", "EUR") == 1250
    assert parse_money("700", "JPY") == 700
    with pytest.raises(ValueError, match="not an amount"):
        parse_money("twelve", "EUR")


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("19,90", "EUR", 1990),
        ("1.234,56", "EUR", 123456),
        ("1,234.56", "USD", 123456),
        ("1,000", "JPY", 1000),
        ("€ 1 234,50", "EUR", 123450),
        ("1.000.000", "EUR", 100000000),
    ],
)
def test_money_is_parsed_by_the_conventions_it_is_written_in(
    text: str, currency: str, minor: int
) -> None:
    assert parse_money(text, currency) == minor


def test_an_amount_that_reads_two_ways_is_refused_not_guessed() -> None:
    """'1,000' was once read as a thousand euros, '19,90' as 1,990: neither is guessed now."""
    for text in ("1,000", "1,234", "1.234"):
        with pytest.raises(ValueError, match=f"'{text}' is ambiguous"):
            parse_money(text, "EUR")


def test_a_known_decimal_separator_settles_what_the_amount_cannot() -> None:
    assert parse_money("1,234", "EUR", decimal=".") == 123400
    assert parse_money("1.234", "EUR", decimal=",") == 123400
    with pytest.raises(ValueError, match="too many decimals"):
        parse_money("1,234", "EUR", decimal=",")


def test_lines_already_returned_are_not_returnable_again() -> None:
    assert returnable_quantities({1: 2, 2: 1}, {1: 1, 2: 1}) == {1: 1}


def test_a_return_request_is_checked_against_what_is_returnable() -> None:
    returnable = {1: 2}
    assert check_return_request({1: 2}, returnable) == []
    assert check_return_request({1: 0}, returnable) == ["Choose at least one item to return."]
    assert check_return_request({1: 3}, returnable) == ["At most 2 of one item can be returned."]
    assert check_return_request({9: 1}, returnable)
    assert check_return_request({1: -1}, returnable)


def test_rma_numbers_use_an_unambiguous_alphabet() -> None:
    rng = random.Random(7)
    codes = {make_rma(rng.randrange) for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert code.startswith("R-") and len(code) == 11
        assert set(code[2:].replace("-", "")) <= set(RMA_ALPHABET)
