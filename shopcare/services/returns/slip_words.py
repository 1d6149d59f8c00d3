"""Slips in the shopper's language: the fixed words of the return and packing slips, reasons
and resolutions go through the same catalogs as the emails and pages
(``shopcare/locale/*/slips.po``).

Every shop language prints, Arabic included: the PDF layer joins its letters and lays the
page out right to left (``shopcare.pdf.fonts``). A language without a catalog prints English.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from shopcare.catalogs import SOURCE_LOCALE, direction, translations

if TYPE_CHECKING:
    from shopcare.pdf.packing_slip import PackingWords
    from shopcare.pdf.return_slip import SlipWords

W = TypeVar("W")

PRINTABLE_LOCALES = frozenset({"en", "de", "fr", "es", "nl", "ar"})


def _N(text: str) -> str:
    """Marks a string for the catalogs; translated when a slip is made."""
    return text


RESOLUTION_WORDS = {
    "refund": _N("Refund"),
    "exchange": _N("Exchange"),
    "store_credit": _N("Store credit"),
    "keep": _N("Keep the item"),
}


def slip_locale(locale: str) -> str:
    return locale if locale in PRINTABLE_LOCALES else SOURCE_LOCALE


def prints_right_to_left(locale: str) -> bool:
    """The slip's language (English when ``locale`` cannot print) reads right to left."""
    return direction(slip_locale(locale)) == "rtl"


def translate(text: str, locale: str) -> str:
    """``text`` in ``locale`` when the catalogs know it (owner-made reasons stay as typed)."""
    return translations(slip_locale(locale)).gettext(text) if text else text


def printed_words(cls: type[W], locale: str) -> W:
    """Every text field of the words dataclass ``cls`` (a tuple field: each of its texts)
    in ``locale``, English for a language we cannot print."""
    english = cls()
    chosen = slip_locale(locale)
    changes: dict[str, Any] = {}
    for f in fields(english):  # type: ignore[arg-type]
        value = getattr(english, f.name)
        if isinstance(value, tuple):
            changes[f.name] = tuple(translate(step, chosen) for step in value)
        else:
            changes[f.name] = translate(value, chosen)
    return cls(**changes)


@cache
def slip_words(locale: str) -> SlipWords:
    from shopcare.pdf.return_slip import SlipWords

    return printed_words(SlipWords, locale)


@cache
def packing_words(locale: str) -> PackingWords:
    from shopcare.pdf.packing_slip import PackingWords

    return printed_words(PackingWords, locale)
