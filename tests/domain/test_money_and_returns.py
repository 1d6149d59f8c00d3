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
    assert parse_money("1,000", "EUR") == 100000
    assert parse_money("700", "JPY") == 700
    with pytest.raises(ValueError, match="decimals"):
        parse_money("1.234", "EUR")
    with pytest.raises(ValueError, match="not an amount"):
        parse_money("twelve", "EUR")


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
