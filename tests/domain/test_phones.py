"""Typed phone numbers read into E.164 strictly, or not at all."""

from __future__ import annotations

import pytest

from shopcare.domain.phones import number_ending, phone_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("+4915112345678", "+4915112345678"),
        (" +49 (151) 1234-5678 ", "+4915112345678"),
        ("0049 151/12345678", "+4915112345678"),
        ("+44 7700 900123", "+447700900123"),
        ("0151 12345678", None),  # no country code: which country is not guessed
        ("+0151123456789", None),
        ("+49 151 ١٢٣٤٥٦٧٨", None),  # other scripts' digits
        ("+1234567", None),
        ("anna@example.com", None),
        ("", None),
    ],
)
def test_a_typed_number_is_read_into_e164_or_refused(typed: str, number: str | None) -> None:
    assert phone_number(typed) == number


def test_a_number_is_named_by_its_last_digits() -> None:
    assert number_ending("+4915112345678") == "678"
    assert number_ending("") == ""
