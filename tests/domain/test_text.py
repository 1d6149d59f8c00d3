"""Shopper text: control and bidi-control characters taken out, every script's letters kept,
and right-to-left text isolated where it is shown beside other words."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopcare.domain.text import clean_text, isolate

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
VISIBLE = ("L", "M", "N", "P", "S")
"""Letters, marks, numbers, punctuation, symbols: what a person reads."""

# Text with more of what hides in hostile input than st.text() finds by chance.
hostile = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from([*OVERRIDES, "\x00", "\x1b", "\x7f", "\x85", "\r", "\n", "\t"]),
        st.sampled_from(["\u200b", "\ufeff", "\u2028", "\u2029", "\u200d", "\u200c"]),
    )
)
right_to_left = st.text(
    st.characters(
        min_codepoint=0x0590,
        max_codepoint=0x06FF,
        categories=("Lo", "Mn", "Nd"),
    ).filter(lambda c: unicodedata.bidirectional(c) in ("R", "AL", "NSM", "AN")),
    min_size=1,
)


def removed(char: str, *, multiline: bool) -> bool:
    """What must never be left in cleaned text."""
    if multiline and char in "\n\t":
        return False
    return (
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
        or char in OVERRIDES
        or char in "\u200b\ufeff"
    )


@given(hostile, st.booleans())
def test_cleaning_leaves_no_control_or_bidi_character(text: str, multiline: bool) -> None:
    cleaned = clean_text(text, multiline=multiline)
    assert not [c for c in cleaned if removed(c, multiline=multiline)]


@given(hostile, st.booleans())
def test_cleaning_twice_changes_nothing_more(text: str, multiline: bool) -> None:
    once = clean_text(text, multiline=multiline)
    assert clean_text(once, multiline=multiline) == once


@given(hostile, st.booleans())
def test_every_visible_character_stays_in_its_place(text: str, multiline: bool) -> None:
    def visible(s: str) -> list[str]:
        return [c for c in s if unicodedata.category(c)[0] in VISIBLE]

    assert visible(clean_text(text, multiline=multiline)) == visible(text)


@given(right_to_left, st.booleans())
def test_hebrew_and_arabic_text_is_kept_as_written(text: str, multiline: bool) -> None:
    assert clean_text(text, multiline=multiline) == text


@pytest.mark.parametrize(
    ("text", "multiline", "expected"),
    [
        ("Ada\x00 Lovelace", False, "Ada Lovelace"),
        ("invoice\u202efdp.exe", False, "invoicefdp.exe"),
        ("Ada\nLovelace\tLtd", False, "Ada Lovelace Ltd"),
        ("line one\r\nline two\rthree\u2028four", True, "line one\nline two\nthree\nfour"),
        ("a\tb\n\x1b[31mred", True, "a\tb\n[31mred"),
        ("שרה כהן", False, "שרה כהן"),
        ("مريم\u200f", False, "مريم"),
        ("👩\u200d💻 Zoë", False, "👩\u200d💻 Zoë"),  # the joiner an emoji sequence needs
    ],
)
def test_examples(text: str, multiline: bool, expected: str) -> None:
    assert clean_text(text, multiline=multiline) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna Schmidt", "Anna Schmidt"),
        ("", ""),
        ("שרה כהן", "\u2068שרה כהן\u2069"),
        ("evil\u202etxt.exe", "\u2068evil\u202etxt.exe\u2069"),  # stored before cleaning
    ],
)
def test_text_that_could_reorder_its_surroundings_is_isolated(text: str, expected: str) -> None:
    assert isolate(text) == expected
