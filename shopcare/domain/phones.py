"""Phone numbers in the one form Twilio takes: E.164, "+" then 8 to 15 digits.

A shopper types a number the way they write it ("0049 151 1234-5678", "+49 (151)
12345678"); ``phone_number`` reads that strictly into E.164 or not at all. A number without
its country code ("0151 …") is refused rather than guessed: which country it is in is the
one thing the form cannot know.
"""

from __future__ import annotations

import re

E164 = re.compile(r"\+[1-9]\d{7,14}")
_SEPARATORS = re.compile(r"[\s\-./()]")


def phone_number(text: str) -> str | None:
    """``text`` as E.164 (spaces, dashes, dots, slashes and brackets dropped; a leading
    "00" read as "+"), or None."""
    number = _SEPARATORS.sub("", text.strip())[:40]
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if number.isascii() and E164.fullmatch(number) else None


def number_ending(phone: str) -> str:
    """The last digits of a number, to name it on a page without showing it whole."""
    return phone[-3:] if len(phone) >= 8 else ""
