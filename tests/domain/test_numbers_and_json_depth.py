"""Reading numbers from outside strictly, and measuring JSON depth before parsing."""

from __future__ import annotations

import json

import pytest

from shopcare.domain.json_depth import MAX_DEPTH, json_too_deep
from shopcare.domain.numbers import MAX_ROW_ID, parse_whole


@pytest.mark.parametrize(
    ("text", "maximum", "expected"),
    [
        ("0", 10, 0),
        ("10", 10, 10),
        (" 7 ", 10, 7),
        ("11", 10, None),
        ("007", 10, None),  # longer than the largest allowed number
        (str(MAX_ROW_ID), MAX_ROW_ID, MAX_ROW_ID),
        ("9" * 20, MAX_ROW_ID, None),
        ("9" * 5000, MAX_ROW_ID, None),
        ("²", 10, None),
        ("٣", 10, None),  # int() would read an Arabic-Indic three
        ("-1", 10, None),
        ("+1", 10, None),
        ("1_0", 100, None),
        ("", 10, None),
        ("1.5", 10, None),
    ],
)
def test_only_plain_ascii_numbers_in_range_are_read(
    text: str, maximum: int, expected: int | None
) -> None:
    assert parse_whole(text, maximum=maximum) == expected


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def test_a_body_deeper_than_the_limit_is_too_deep() -> None:
    assert not json_too_deep(nested(MAX_DEPTH))
    assert json_too_deep(nested(MAX_DEPTH + 1))
    assert json_too_deep(b'{"a":' * 100_000)  # unclosed: a parser would recurse all the same


def test_brackets_inside_strings_and_side_by_side_do_not_count() -> None:
    wide = json.dumps({"items": [[1], [2], [3]] * 1000, "text": "[[[[" * 100 + '\\"{{'})
    assert not json_too_deep(wide.encode())
